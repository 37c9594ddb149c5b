#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A short tlcp proxy scenario for `make valgrind` (scripts/valgrind.sh):
# the proxy runs under TLCP_SERVER_WRAPPER (valgrind memcheck) with two
# workers, a terminating and an originating service, and sees: full
# handshakes with an ECC and an ECDHE suite, a resumption across workers,
# 256 KiB relayed and compared, originate to a `tlcp server`, garbage
# instead of a ClientHello, a metrics request, a SIGHUP reload and a
# connection after it, then SIGTERM. Its exit status is valgrind's: 0 only
# when memcheck found no error and no definite or indirect leak.
# Usage: tests/proxy/valgrind_proxy.sh path/to/tlcp (normal build).
. "$(dirname "$0")/../cli/lib/common.bash"
. "$(dirname "$0")/../cli/lib/proxy.bash"
read -r -a WRAP <<<"${TLCP_SERVER_WRAPPER:?set TLCP_SERVER_WRAPPER to the valgrind command}"

start_echo plain
start_tlcp_server
cat >"$W/p.conf" <<CONF
workers = 2
log = $W/access.log
metrics = 127.0.0.1:0

[web]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO_PORT
$PAIR_LINE
suites = ECC_SM4_GCM_SM3,ECDHE_SM4_CBC_SM3
sessions = 16
handshake_timeout = 2m

[out]
direction = originate
accept = 127.0.0.1:0
connect = 127.0.0.1:$TSRV
ca = $P/ca.pem
server_name = localhost
handshake_timeout = 2m
CONF
"${WRAP[@]}" "$TLCP" proxy --config "$W/p.conf" 2>"$W/proxy.log" &
PX_PID=$!
PIDS+=($PX_PID)
for _ in $(seq 1 1200); do
    [ "$(grep -c "listening on" "$W/proxy.log")" -ge 2 ] && break
    kill -0 "$PX_PID" 2>/dev/null || break
    sleep 0.1
done
T=$(port_of "$W/proxy.log" web)
O=$(port_of "$W/proxy.log" out)
MPORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$W/proxy.log")
if [ -z "$T" ] || [ -z "$O" ]; then
    bad "proxy did not start under valgrind"; cat "$W/proxy.log"; finish; exit 1
fi
exe=$(readlink "/proc/$PX_PID/exe")
case $exe in
*memcheck*) ok "proxy started, under valgrind ($exe)" ;;
*) bad "the proxy runs as $exe, not under valgrind memcheck" ;;
esac

echo "hello ecc" | client "127.0.0.1:$T" --ca "$P/ca.pem" --suites ECC_SM4_GCM_SM3 --quiet >"$W/out" 2>&1
expect_grep "$W/out" "hello ecc" "ECC_SM4_GCM_SM3 round trip"
echo "hello ecdhe" | client "127.0.0.1:$T" --ca "$P/ca.pem" --suites ECDHE_SM4_CBC_SM3 \
    "${CLIENT_PAIRS[@]}" --quiet >"$W/out" 2>&1
expect_grep "$W/out" "hello ecdhe" "ECDHE_SM4_CBC_SM3 round trip"
echo "again" | client "127.0.0.1:$T" --ca "$P/ca.pem" --reconnect >"$W/out" 2>"$W/err"
expect_grep "$W/err" "reconnected: session resumed" "reconnect resumed the session"
head -c 262144 /dev/urandom >"$W/mid"
client "127.0.0.1:$T" --ca "$P/ca.pem" --quiet <"$W/mid" >"$W/mid.out" 2>"$W/err"
cmp -s "$W/mid" "$W/mid.out" && ok "256 KiB through terminate intact" || bad "256 KiB differs"
echo "plain in" | timeout 60 "$PEER" connect 127.0.0.1 "$O" >"$W/out" 2>&1
expect_grep "$W/out" "plain in" "originate round trip"
head -c 300 /dev/urandom | timeout 60 "$PEER" connect 127.0.0.1 "$T" >/dev/null 2>&1
metrics "$MPORT" >"$W/metrics" 2>&1
expect_grep "$W/metrics" "tlcp_proxy_handshakes_total" "metrics answer"
kill -HUP "$PX_PID"
for _ in $(seq 1 600); do grep -q "reloaded" "$W/proxy.log" && break; sleep 0.1; done
expect_grep "$W/proxy.log" "reloaded (configuration 1)" "SIGHUP reload"
echo "after reload" | client "127.0.0.1:$T" --ca "$P/ca.pem" --quiet >"$W/out" 2>&1
expect_grep "$W/out" "after reload" "a connection after the reload"
kill -TERM "$PX_PID"
rc=0
timeout 120 tail --pid="$PX_PID" -f /dev/null || { kill -9 "$PX_PID"; rc=124; }
wait "$PX_PID" || rc=$?
expect_rc 0 "$rc" "proxy exits 0 under valgrind (no memcheck error, no leak)"
[ "$rc" -eq 0 ] || sed 's/^/    | /' "$W/proxy.log" | tail -60
finish
