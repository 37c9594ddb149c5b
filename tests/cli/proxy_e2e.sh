#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy end to end on loopback: terminate (tlcp client -> proxy -> plain
# echo backend) with all four suites, client authentication, PROXY v1/v2
# headers seen by the backend, half-close, a 16 MiB transfer checked by
# sha256; originate (plain client -> proxy -> tlcp server); access log and
# metrics.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

start_echo plain
PLAIN=$ECHO_PORT
start_echo pp1 --proxy-header "$W/pp1.bin"
PP1=$ECHO_PORT
start_echo pp2 --proxy-header "$W/pp2.bin"
PP2=$ECHO_PORT
start_echo unix --unix "$W/echo.sock"
start_tlcp_server

cat >"$W/p.conf" <<CONF
# two workers; everything on loopback
workers = 2
log = $W/access.log
metrics = 127.0.0.1:0

[plain]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$PLAIN
$PAIR_LINE
ca = $P/ca.pem
verify = optional
suites = ECC_SM4_GCM_SM3,ECC_SM4_CBC_SM3,ECDHE_SM4_GCM_SM3,ECDHE_SM4_CBC_SM3

[auth]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$PLAIN
$PAIR_LINE
ca = $P/ca.pem
verify = require

[pp1]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$PP1
$PAIR_LINE
proxy_protocol = v1

[pp2]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$PP2
$PAIR_LINE
proxy_protocol = v2

[unix]
direction = terminate
accept = 127.0.0.1:0
connect = unix:$W/echo.sock
$PAIR_LINE
sessions = 100

[out]
direction = originate
accept = 127.0.0.1:0
connect = 127.0.0.1:$TSRV
ca = $P/ca.pem
server_name = localhost
CONF
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
ok "proxy started"
T=$(port_of "$W/proxy.log" plain)
MPORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$W/proxy.log")

# --- terminate: the four suites (ECDHE needs the client's enc pair) ---
for s in ECC_SM4_GCM_SM3 ECC_SM4_CBC_SM3 ECDHE_SM4_GCM_SM3 ECDHE_SM4_CBC_SM3; do
    extra=()
    case $s in ECDHE*) extra=("${CLIENT_PAIRS[@]}") ;; esac
    echo "hello $s" | client "127.0.0.1:$T" --ca "$P/ca.pem" --suites "$s" "${extra[@]}" >"$W/out" 2>"$W/err"
    rc=$?
    if [ $rc -eq 0 ] && [ "$(cat "$W/out")" = "hello $s" ] && grep -q "cipher suite: $s" "$W/err"; then
        ok "terminate $s round trip"
    else bad "terminate $s: rc $rc, out '$(cat "$W/out")'"; sed 's/^/    | /' "$W/err"; fi
done

# --- resumption: one session cache per service, shared by the two workers ---
U=$(port_of "$W/proxy.log" unix)
for i in 1 2 3 4 5 6; do
    echo "again $i" | client "127.0.0.1:$U" --ca "$P/ca.pem" --reconnect >"$W/out" 2>"$W/err"
    rc=$?
    if [ $rc -eq 0 ] && grep -q "reconnected: session resumed" "$W/err" && grep -q "again $i" "$W/out"; then
        ok "unix backend, reconnect $i resumed the session"
    else bad "reconnect $i: rc $rc"; sed 's/^/    | /' "$W/err"; fi
done

# --- 16 MiB through the relay, checked by sha256 (the client half-closes
# with close_notify; the echo comes back after it) ---
head -c $((16 * 1024 * 1024)) /dev/urandom >"$W/big"
client "127.0.0.1:$T" --ca "$P/ca.pem" --quiet <"$W/big" >"$W/big.out" 2>"$W/err"
expect_rc 0 $? "16 MiB through terminate"
[ "$(sha256sum <"$W/big")" = "$(sha256sum <"$W/big.out")" ] && ok "16 MiB sha256 equal" ||
    bad "16 MiB sha256 differs ($(stat -c %s "$W/big.out") bytes back)"

# --- client authentication required ---
echo "no cert" | client "127.0.0.1:$(port_of "$W/proxy.log" auth)" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
rc=$?
[ $rc -ne 0 ] && ok "client without certificate refused (exit $rc)" || bad "client without certificate accepted"
echo "with cert" | client "127.0.0.1:$(port_of "$W/proxy.log" auth)" --ca "$P/ca.pem" "${CLIENT_PAIRS[@]}" >"$W/out" 2>"$W/err"
expect_rc 0 $? "client with certificate accepted"
expect_grep "$W/out" "with cert" "data after client authentication"

# --- PROXY protocol v1 and v2: the backend sees the client's address ---
PP1P=$(port_of "$W/proxy.log" pp1)
echo "behind v1" | client "127.0.0.1:$PP1P" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "PROXY v1 service round trip"
expect_grep "$W/out" "behind v1" "backend stripped the v1 header and echoed the data"
if grep -qE "^PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 [0-9]+ $PP1P"$'\r'"$" "$W/pp1.bin" &&
    [ "$(wc -c <"$W/pp1.bin")" -eq "$(head -1 "$W/pp1.bin" | wc -c)" ]; then
    ok "v1 header: PROXY TCP4 127.0.0.1 127.0.0.1 <client port> $PP1P CRLF"
else bad "v1 header: $(od -c "$W/pp1.bin" | head -3)"; fi
PP2P=$(port_of "$W/proxy.log" pp2)
echo "behind v2" | client "127.0.0.1:$PP2P" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "PROXY v2 service round trip"
expect_grep "$W/out" "behind v2" "backend stripped the v2 header and echoed the data"
hex=$(od -An -tx1 -v "$W/pp2.bin" | tr -d ' \n')
want_prefix="0d0a0d0a000d0a515549540a2111000c7f0000017f000001"
want_dport=$(printf '%04x' "$PP2P")
if [ "${#hex}" -eq 56 ] && [ "${hex:0:48}" = "$want_prefix" ] && [ "${hex:52:4}" = "$want_dport" ]; then
    ok "v2 header: signature, PROXY TCP4, length 12, 127.0.0.1 -> 127.0.0.1:$PP2P"
else bad "v2 header bytes: $hex"; fi

# --- originate: plain client -> proxy -> tlcp server (half-close both ways) ---
O=$(port_of "$W/proxy.log" out)
echo "plain in" | timeout 30 "$PEER" connect 127.0.0.1 "$O" >"$W/out" 2>"$W/err"
expect_rc 0 $? "originate round trip"
expect_grep "$W/out" "plain in" "originate echo"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$W/mid"
timeout 60 "$PEER" connect 127.0.0.1 "$O" <"$W/mid" >"$W/mid.out" 2>"$W/err"
expect_rc 0 $? "4 MiB through originate"
cmp -s "$W/mid" "$W/mid.out" && ok "4 MiB through originate intact" || bad "originate 4 MiB differs"

# --- chained: plain -> originate proxy -> terminate proxy -> echo ---
cat >"$W/chain.conf" <<CONF
workers = 1
[chain]
direction = originate
accept = 127.0.0.1:0
connect = 127.0.0.1:$T
ca = $P/ca.pem
server_name = localhost
suites = ECC_SM4_CBC_SM3
CONF
"$TLCP" proxy --config "$W/chain.conf" 2>"$W/chain.log" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q "listening on" "$W/chain.log" && break; sleep 0.05; done
C=$(port_of "$W/chain.log" chain)
timeout 60 "$PEER" connect 127.0.0.1 "$C" <"$W/mid" >"$W/chain.out" 2>"$W/err"
expect_rc 0 $? "4 MiB through originate + terminate"
cmp -s "$W/mid" "$W/chain.out" && ok "chained 4 MiB intact" || bad "chained transfer differs"

# --- access log and metrics ---
sleep 0.3
grep -q "service=plain client=127.0.0.1:[0-9]* sni=- suite=ECC_SM4_GCM_SM3 resumed=no bytes_in=16777216 bytes_out=16777216 handshake_ms=[0-9]* duration_ms=[0-9]* result=ok" "$W/access.log" &&
    ok "access log line of the 16 MiB connection" || { bad "access log format"; sed 's/^/    | /' "$W/access.log"; }
grep -q "service=pp1 .* bytes_in=10 bytes_out=10 " "$W/access.log" &&
    ok "access log counts client bytes, not the PROXY header" || bad "pp1 byte counts"
grep -q "service=auth .* result=handshake_failed: .* alert_sent=handshake_failure" "$W/access.log" &&
    ok "access log: refused client certificate with its alert" || bad "no handshake failure line for [auth]"
grep -q "service=out .* suite=ECC_SM4_GCM_SM3 .* result=ok" "$W/access.log" && ok "access log: originate line" ||
    bad "no originate access line"
metrics "$MPORT" >"$W/metrics" 2>&1
expect_grep "$W/metrics" "HTTP/1.0 200 OK" "metrics answer"
expect_metric "$W/metrics" '^tlcp_proxy_handshakes_total{result="ok"} [1-9]' "metrics count handshakes"
expect_metric "$W/metrics" '^tlcp_proxy_handshakes_total{result="failed"} [1-9]' "metrics count failures"
expect_metric "$W/metrics" '^tlcp_proxy_bytes_total{direction="client_to_backend"} [0-9]\{8\}' "metrics count bytes"
expect_grep "$W/metrics" 'tlcp_proxy_handshake_seconds_bucket{le="+Inf"}' "latency histogram"
expect_grep "$W/metrics" "tlcp_proxy_connections_active 0" "no connection left open"
stop_proxy
expect_rc 0 "$PX_RC" "proxy exits 0 on SIGTERM"

# --- IPv6 listener, command-line form, PROXY v1 with TCP6 ---
if start_proxy "$W/v6.log" --accept "[::1]:0" --connect "127.0.0.1:$PP1" --terminate --workers 1 \
    "${SERVER_PAIRS[@]}" --proxy-protocol v1 --log "$W/v6access.log"; then
    V6=$(sed -n 's/.*listening on \[::1\]:\([0-9]*\) .*/\1/p' "$W/v6.log")
    : >"$W/pp1.bin"
    echo "over v6" | client "[::1]:$V6" --ca "$P/ca.pem" --servername localhost --quiet >"$W/out" 2>"$W/err"
    expect_rc 0 $? "IPv6 accept, command-line service"
    expect_grep "$W/out" "over v6" "IPv6 echo"
    grep -qE "^PROXY TCP6 ::1 ::1 [0-9]+ $V6"$'\r'"$" "$W/pp1.bin" && ok "v1 header for IPv6: PROXY TCP6 ::1 ::1 ... $V6" ||
        bad "TCP6 header: $(od -c "$W/pp1.bin" | head -2)"
    stop_proxy
else
    echo "no IPv6 loopback here: IPv6 checks skipped"; cat "$W/v6.log"
fi
[ -n "${KEEP_LOG:-}" ] && cp "$W/access.log" "$KEEP_LOG"
finish
