#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# TLCP and TLS on one port: `openssl s_client -tls1_2` and `-tls1_3` and
# `tlcp client` on the same port of `tlcp server` and of `tlcp proxy` (an
# echo backend), data echoed and checked; the logs, the access log and the
# metrics name the protocol; TLS clients are served concurrently; a TLS
# client at a TLCP-only service gets a protocol_version alert and a log
# line, not a hang; a 360-style hello reaches the TLCP handshake; SIGHUP
# reloads the TLS certificate.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

command -v openssl >/dev/null || { echo "openssl (the command) not installed: skipped"; exit 77; }

# The TLS pair: ECDSA P-256, self-signed, for localhost.
tls_cert() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=$1" -addext "subjectAltName=DNS:localhost" \
        -keyout "$2.key" -out "$2.pem" >/dev/null 2>&1
}
tls_cert localhost "$W/tls" || { bad "openssl req could not make the TLS certificate"; finish; exit 1; }

# tls_echo FLAG PORT TAG: one s_client round trip (the line goes out, the
# client waits for its echo, then closes with close_notify); rc in $TLS_RC.
tls_echo() {
    local flag=$1 port=$2 tag=$3
    rm -f "$W/$tag.out"
    (printf 'hello %s\n' "$tag"
     for _ in $(seq 1 300); do grep -q "hello $tag" "$W/$tag.out" 2>/dev/null && break; sleep 0.1; done) |
        timeout 60 openssl s_client -connect "127.0.0.1:$port" "$flag" -servername localhost \
            -CAfile "$W/tls.pem" -verify_return_error -quiet -no_ign_eof -nocommands >"$W/$tag.out" 2>"$W/$tag.err"
    TLS_RC=$?
    if [ "$TLS_RC" = 0 ] && grep -qx "hello $tag" "$W/$tag.out"; then ok "$tag: echoed over $flag"; else
        bad "$tag: $flag rc $TLS_RC, got '$(cat "$W/$tag.out")'"; sed 's/^/    | /' "$W/$tag.err"
    fi
}

tlcp_echo() {
    local port=$1 tag=$2
    echo "hello $tag" | client "127.0.0.1:$port" --ca "$P/ca.pem" --quiet >"$W/$tag.out" 2>"$W/$tag.err"
    local rc=$?
    [ "$rc" = 0 ] && grep -qx "hello $tag" "$W/$tag.out" && ok "$tag: echoed over TLCP" ||
        bad "$tag: tlcp client rc $rc, got '$(cat "$W/$tag.out")' $(cat "$W/$tag.err")"
}

# refused PORT TAG: a TLS client at a TLCP-only port: an alert, no hang.
refused() {
    timeout 60 openssl s_client -connect "127.0.0.1:$1" -tls1_2 </dev/null >"$W/$2.out" 2>"$W/$2.err"
    local rc=$?
    [ "$rc" != 0 ] && [ "$rc" != 124 ] && ok "$2: s_client fails at once (exit $rc)" || bad "$2: s_client exit $rc"
    grep -qi "alert protocol version" "$W/$2.err" && ok "$2: it got a TLS alert protocol_version" ||
        bad "$2: no protocol_version alert: $(cat "$W/$2.err")"
}

# hello360only PORT OUT: a minimal TLS 1.2 ClientHello (record 0x0301,
# client_version 0x0303) offering only 0xE013 and 0xE053; what comes back.
hello360only() {
    { printf '\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03'
      head -c 32 /dev/urandom
      printf '\x00\x00\x04\xe0\x13\xe0\x53\x01\x00'; } |
        timeout 30 "$PEER" connect 127.0.0.1 "$1" >"$2" 2>/dev/null
}
# hello360 PORT OUT: ... answered with TLCP (a TLCP ServerHello record).
hello360() {
    hello360only "$@"
    [ "$(od -An -tx1 -N3 "$2" | tr -d ' \n')" = "160101" ] && ok "360-style hello answered with a TLCP record" ||
        bad "360-style hello: reply starts $(od -An -tx1 -N6 "$2")"
    [ "$(od -An -tx1 -j5 -N1 "$2" | tr -d ' ')" = "02" ] && ok "... holding a ServerHello" ||
        bad "360-style hello: no ServerHello"
}

# ------------------------------------------------- proxy configuration
svc() { printf '[web]\ndirection = %s\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\n%s\n' "$1" "$PAIR_LINE"; }
{ svc terminate; echo "tls_cert = $W/tls.pem"; echo "tls_key = $W/tls.key"; echo "tls_hello_for_tlcp = yes"; } >"$W/c.conf"
"$TLCP" proxy --config "$W/c.conf" --check >"$W/out" 2>"$W/cerr"
expect_rc 0 $? "--check accepts tls_cert, tls_key and tls_hello_for_tlcp"
{ svc terminate; echo "tls_cert = $W/tls.pem"; } >"$W/c.conf"
conf_error "tls_cert without tls_key" "c.conf:6: key 'tls_cert': key 'tls_key' missing (they go together)"
{ svc terminate; echo "tls_key = $W/tls.key"; } >"$W/c.conf"
conf_error "tls_key without tls_cert" "c.conf:6: key 'tls_key': key 'tls_cert' missing"
{ svc terminate; echo "tls_hello_for_tlcp = maybe"; } >"$W/c.conf"
conf_error "tls_hello_for_tlcp wants yes or no" "c.conf:6: key 'tls_hello_for_tlcp': wants yes or no, not 'maybe'"
{ svc originate; echo "verify = none"; echo "tls_cert = $W/tls.pem"; echo "tls_key = $W/tls.key"; } >"$W/c.conf"
conf_error "tls_cert on originate" "c.conf:7: key 'tls_cert': applies to terminate only"
{ svc terminate; echo "tls_cert = $W/tls.key"; echo "tls_key = $W/tls.key"; } >"$W/c.conf"
conf_error "a tls_cert that is no certificate" "c.conf:6: key 'tls_cert': $W/tls.key / $W/tls.key: cannot load the TLS certificate"
{ svc terminate; echo "tls_cert = $W/tls.pem"; echo "tls_key = $P/server-sign.key"; } >"$W/c.conf"
conf_error "an SM2 key as TLS key" "c.conf:7: key 'tls_key': $W/tls.pem / $P/server-sign.key:"
"$TLCP" proxy --accept 127.0.0.1:0 --connect 127.0.0.1:9 --terminate "${SERVER_PAIRS[@]}" \
    --tls-cert "$W/tls.pem" --check >"$W/out" 2>"$W/cerr"
[ $? = 3 ] && grep -qF "command line: key 'tls_cert': key 'tls_key' missing" "$W/cerr" &&
    ok "command line: --tls-cert without --tls-key" || bad "command line --tls-cert alone: $(cat "$W/cerr")"

# ---------------------------------------------------------------- server
start_server "$W/srv.log" "${SERVER_PAIRS[@]}" --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" \
    --tls-hello-for-tlcp ||
    { bad "server did not start"; cat "$W/srv.log"; finish; exit 1; }
SPORT=$PORT
# A TLS client that stays connected while the others are served: TLS
# connections no longer wait for each other.
mkfifo "$W/hold"
timeout 90 openssl s_client -connect "127.0.0.1:$SPORT" -tls1_3 -quiet -no_ign_eof -nocommands <"$W/hold" >/dev/null 2>&1 &
HOLD=$!
exec 3>"$W/hold"
for _ in $(seq 1 300); do grep -q "protocol tls1.3" "$W/srv.log" && break; sleep 0.1; done
grep -q "protocol tls1.3" "$W/srv.log" && ok "server: a TLS 1.3 client holds a connection" ||
    bad "server: the holding client did not connect"
tls_echo -tls1_2 "$SPORT" srv12
tls_echo -tls1_3 "$SPORT" srv13
tlcp_echo "$SPORT" srvtlcp
hello360 "$SPORT" "$W/srv360.bin"
exec 3>&- # the holder's stdin ends: it closes with close_notify
wait "$HOLD"
expect_rc 0 $? "the holding TLS client ends cleanly"
expect_grep "$W/srv.log" "handshake ok: ECDHE-ECDSA-AES256-GCM-SHA384, " "server logs the TLS 1.2 suite"
grep -q "handshake ok: .*, protocol tls1.2" "$W/srv.log" && ok "server log says tls1.2" || bad "no tls1.2 line"
[ "$(grep -c "handshake ok: TLS_AES_256_GCM_SHA384, .*protocol tls1.3" "$W/srv.log")" -ge 2 ] &&
    ok "server log says tls1.3 (twice: the holder and the echo)" || bad "tls1.3 lines missing"
expect_grep "$W/srv.log" "handshake ok: ECC_SM4_GCM_SM3, " "server logs the TLCP handshake"
grep -q "ECC_SM4_GCM_SM3, .*protocol tlcp$" "$W/srv.log" && ok "server log says tlcp" || bad "no 'protocol tlcp'"
kill "$SRV_PID"
wait "$SRV_PID"
expect_rc 0 $? "server stops cleanly on SIGTERM"
SRV_PID=""

# A TLCP-only server: TLS clients are refused and logged.
start_server "$W/srv2.log" "${SERVER_PAIRS[@]}" || { bad "server 2 did not start"; finish; exit 1; }
refused "$PORT" srvrefused
for _ in $(seq 1 100); do grep -q "handshake failed" "$W/srv2.log" && break; sleep 0.1; done
expect_grep "$W/srv2.log" "handshake failed: a TLS client, and this server has no --tls-cert (TLS alert protocol_version sent)" \
    "the TLCP-only server logs the TLS client"
tlcp_echo "$PORT" srv2tlcp
hello360only "$PORT" "$W/srv2_360.bin"
[ "$(od -An -tx1 "$W/srv2_360.bin" | tr -d ' \n')" = "15030100020246" ] &&
    ok "a 360-style hello without --tls-hello-for-tlcp: TLS alert protocol_version" ||
    bad "360-style hello refused with: $(od -An -tx1 "$W/srv2_360.bin")"
for _ in $(seq 1 100); do grep -q "360 style" "$W/srv2.log" && break; sleep 0.1; done
expect_grep "$W/srv2.log" "handshake failed: a TLS ClientHello offering TLCP suites first (360 style), and this server has neither --tls-hello-for-tlcp nor --tls-cert" \
    "the server names the 360-style hello it refused"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PID=""

# ----------------------------------------------------------------- proxy
start_echo plain
cp "$W/tls.pem" "$W/live.pem"
cp "$W/tls.key" "$W/live.key"
cat >"$W/p.conf" <<CONF
workers = 2
log = $W/access.log
metrics = 127.0.0.1:0

[one]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO_PORT
$PAIR_LINE
tls_cert = $W/live.pem
tls_key = $W/live.key
tls_hello_for_tlcp = yes

[tlcponly]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO_PORT
$PAIR_LINE
CONF
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
ONE=$(port_of "$W/proxy.log" one)
ONLY=$(port_of "$W/proxy.log" tlcponly)
MPORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$W/proxy.log")
tls_echo -tls1_2 "$ONE" px12
tls_echo -tls1_3 "$ONE" px13
tlcp_echo "$ONE" pxtlcp
# 2 MB of random bytes through TLS 1.3, the proxy and back (partial writes,
# back-pressure), compared byte for byte.
head -c 2000000 /dev/urandom >"$W/big"
(cat "$W/big"
 for _ in $(seq 1 600); do [ "$(stat -c %s "$W/big.out" 2>/dev/null)" = 2000000 ] && break; sleep 0.1; done) |
    timeout 90 openssl s_client -connect "127.0.0.1:$ONE" -tls1_3 -quiet -no_ign_eof -nocommands >"$W/big.out" 2>"$W/big.err"
cmp -s "$W/big" "$W/big.out" && ok "2 MB echoed intact over TLS 1.3 through the proxy" ||
    bad "2 MB over TLS: got $(stat -c %s "$W/big.out") bytes"
hello360 "$ONE" "$W/px360.bin"
refused "$ONLY" pxrefused

# SIGHUP: the TLS certificate is loaded again.
tls_cert reloaded "$W/new" || bad "openssl req (second certificate)"
cp "$W/new.pem" "$W/live.pem"
cp "$W/new.key" "$W/live.key"
kill -HUP "$PX_PID"
for _ in $(seq 1 100); do grep -q "reloaded (configuration 1)" "$W/proxy.log" && break; sleep 0.1; done
expect_grep "$W/proxy.log" "reloaded (configuration 1)" "proxy reloaded"
timeout 60 openssl s_client -connect "127.0.0.1:$ONE" -tls1_3 </dev/null >"$W/reload.out" 2>&1
grep -q "subject=.*CN *= *reloaded" "$W/reload.out" && ok "after SIGHUP the new TLS certificate is served" ||
    bad "after SIGHUP: $(grep subject= "$W/reload.out")"

for _ in $(seq 1 100); do [ "$(grep -c "service=" "$W/access.log" 2>/dev/null)" -ge 8 ] && break; sleep 0.1; done
L="$W/access.log"
grep -q "service=one .* suite=ECDHE-ECDSA-AES256-GCM-SHA384 .*bytes_in=11 bytes_out=11 .*result=ok .*proto=tls1.2" "$L" &&
    ok "access log: tls1.2, bytes both ways, ok" || { bad "access log: no tls1.2 line"; sed 's/^/    | /' "$L"; }
grep -q "service=one .* suite=TLS_AES_256_GCM_SHA384 .*bytes_in=11 bytes_out=11 .*result=ok alert_sent=close_notify alert_received=close_notify proto=tls1.3" "$L" &&
    ok "access log: tls1.3, close_notify both ways" || bad "access log: no tls1.3 line"
grep -q "service=one .*bytes_in=2000000 bytes_out=2000000 .*result=ok .*proto=tls1.3" "$L" &&
    ok "access log: the 2 MB TLS connection" || bad "access log: no 2 MB line"
grep -q "service=one .* suite=ECC_SM4_GCM_SM3 .*bytes_in=13 bytes_out=13 .*result=ok .*proto=tlcp peer=-$" "$L" &&
    ok "access log: tlcp" || bad "access log: no tlcp line"
grep -q "service=one .*proto=tlcp-via-tls-hello peer=-$" "$L" && ok "access log: tlcp-via-tls-hello" ||
    bad "access log: no tlcp-via-tls-hello line"
grep -q "service=tlcponly .*result=handshake_failed: TLS client, the service has no tls_cert (TLS alert protocol_version sent) alert_sent=protocol_version alert_received=- proto=tls peer=-$" "$L" &&
    ok "access log: the refused TLS client" || bad "access log: no refusal line"
metrics "$MPORT" >"$W/metrics" 2>&1
expect_metric "$W/metrics" '^tlcp_proxy_handshakes_by_protocol_total{protocol="tls1.2",result="ok"} 1$' "metrics: tls1.2 handshake"
expect_metric "$W/metrics" '^tlcp_proxy_handshakes_by_protocol_total{protocol="tls1.3",result="ok"} 3$' "metrics: tls1.3 handshakes"
expect_metric "$W/metrics" '^tlcp_proxy_handshakes_by_protocol_total{protocol="tlcp",result="ok"} 1$' "metrics: tlcp handshake"
expect_metric "$W/metrics" '^tlcp_proxy_handshakes_by_protocol_total{protocol="tls",result="failed"} 1$' "metrics: refused TLS"
expect_metric "$W/metrics" '^tlcp_proxy_connections_by_protocol_total{protocol="tlcp-via-tls-hello"} 1$' "metrics: 360-style connection"
stop_proxy
expect_rc 0 "$PX_RC" "proxy stops cleanly"
# Under `make sanitize` the server and the proxy report leaks and errors at exit.
if grep -l "Sanitizer" "$W"/srv.log "$W"/srv2.log "$W"/proxy.log >/dev/null 2>&1; then
    bad "sanitizer reports:"; grep -h -A12 "Sanitizer" "$W"/srv.log "$W"/srv2.log "$W"/proxy.log | head -60
else
    ok "no sanitizer report from the server or the proxy"
fi
finish
