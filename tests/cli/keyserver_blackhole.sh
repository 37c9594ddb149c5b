#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A key server that is not there never stalls tlcp proxy: its address is
# resolved and its channel files are loaded with the configuration (so
# --check names what is wrong), and a worker whose key server never answers
# (a unix socket that takes requests and never replies, a TCP port that
# never accepts) keeps serving its other connections; the handshakes that
# wait for it fail in bounded time, naming the key server.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

PROBE="$(dirname "$TLCP")/tlcp-ksprobe"
[ -x "$PROBE" ] || { echo "tlcp-ksprobe not built next to $TLCP"; exit 1; }
start_echo plain
CHANNEL=("key_server_cert = $P/client-sign.pem" "key_server_key = $P/client-sign.key"
    "key_server_ca = $P/ca.pem")
CERTS=("sign_cert = $P/server-sign.pem" "enc_cert = $P/server-enc.pem")

check_conf() { # WHAT EXPECTED-TEXT KEY=VALUE...
    local what=$1 want=$2
    shift 2
    {
        echo "[s]"
        echo "direction = terminate"
        echo "accept = 127.0.0.1:0"
        echo "connect = 127.0.0.1:$ECHO_PORT"
        printf '%s\n' "$@"
    } >"$W/bad.conf"
    "$TLCP" proxy --config "$W/bad.conf" --check >/dev/null 2>"$W/bad.err"
    local rc=$?
    if [ $rc -ne 0 ] && grep -qF -- "$want" "$W/bad.err"; then ok "--check: $what"; else
        bad "--check: $what (exit $rc)"; sed 's/^/    | /' "$W/bad.err"; fi
}
check_conf "a key server host that does not resolve" "does not resolve" "${CERTS[@]}" \
    "key_server = no-such-host.invalid:7000" "${CHANNEL[@]}"
check_conf "a channel certificate that does not load is named" "$W/nope.pem" "${CERTS[@]}" \
    "key_server = 127.0.0.1:7000" "key_server_cert = $W/nope.pem" \
    "key_server_key = $P/client-sign.key" "key_server_ca = $P/ca.pem"
check_conf "a channel CA that does not load is named" "key server channel: CA file: cannot open CA file $W/noca.pem" "${CERTS[@]}" \
    "key_server = 127.0.0.1:7000" "key_server_cert = $P/client-sign.pem" \
    "key_server_key = $P/client-sign.key" "key_server_ca = $W/noca.pem"
"$TLCP" server --port 0 --sign-cert "$P/server-sign.pem" --enc-cert "$P/server-enc.pem" \
    --key-server no-such-host.invalid:7000 --key-server-cert "$P/client-sign.pem" \
    --key-server-key "$P/client-sign.key" --key-server-ca "$P/ca.pem" >/dev/null 2>"$W/srv.err"
rc=$?
[ $rc -ne 0 ] && grep -q "does not resolve" "$W/srv.err"
expect_rc 0 $? "tlcp server: a key server host that does not resolve fails at start"

# The black holes: requests taken and never answered; a port never accepting.
"$PROBE" blackhole "unix:$W/hole.sock" >"$W/hole.out" 2>&1 &
HOLE_PID=$!
PIDS+=($HOLE_PID)
"$PROBE" blackhole tcp >"$W/tcp.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do
    [ -S "$W/hole.sock" ] && grep -q "^port" "$W/tcp.out" && break
    sleep 0.05
done
TCP_HOLE=$(sed -n 's/^port //p' "$W/tcp.out")
[ -n "$TCP_HOLE" ] || bad "the TCP black hole did not start"

{
    echo "workers = 1"
    echo "log = $W/access.log"
    echo "[hole]"
    echo "direction = terminate"
    echo "accept = 127.0.0.1:0"
    echo "connect = 127.0.0.1:$ECHO_PORT"
    printf '%s\n' "${CERTS[@]}"
    echo "key_server = unix:$W/hole.sock"
    echo "handshake_timeout = 120s"
    echo "[tcphole]"
    echo "direction = terminate"
    echo "accept = 127.0.0.1:0"
    echo "connect = 127.0.0.1:$ECHO_PORT"
    printf '%s\n' "${CERTS[@]}"
    echo "key_server = 127.0.0.1:$TCP_HOLE"
    printf '%s\n' "${CHANNEL[@]}"
    echo "handshake_timeout = 120s"
    echo "[local]"
    echo "direction = terminate"
    echo "accept = 127.0.0.1:0"
    echo "connect = 127.0.0.1:$ECHO_PORT"
    echo "$PAIR_LINE"
} >"$W/p.conf"
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; }
HOLE=$(port_of "$W/proxy.log" hole)
TCPH=$(port_of "$W/proxy.log" tcphole)
LOCAL=$(port_of "$W/proxy.log" local)

# One worker: its one loop has a handshake waiting on the silent key server
# (the request is there: the probe said so) while the others are served.
echo held | client "127.0.0.1:$HOLE" --ca "$P/ca.pem" --quiet --timeout 50 >/dev/null 2>"$W/held.err" &
HELD=$!
for _ in $(seq 1 600); do grep -q "^request" "$W/hole.out" && break; sleep 0.05; done
expect_grep "$W/hole.out" "request" "the silent key server got the signature request"
served=0
for i in 1 2 3; do
    echo "local $i" | client "127.0.0.1:$LOCAL" --ca "$P/ca.pem" --quiet >"$W/local$i.out" 2>&1 &&
        grep -q "local $i" "$W/local$i.out" && served=$((served + 1))
done
expect_rc 3 "$served" "while a handshake waits on the silent key server, the same worker serves the others"
kill -0 "$HELD" 2>/dev/null
expect_rc 0 $? "... and that handshake is still waiting then"
wait "$HELD"
expect_rc 5 $? "the waiting handshake fails (library operation timeout), no hang"
expect_grep "$W/held.err" "internal_error" "it fails with alert internal_error"
sleep 0.2
expect_grep "$W/access.log" "service=hole" "the access log has the failed handshake"
grep "service=hole" "$W/access.log" | grep -q "result=handshake_failed"
expect_rc 0 $? "... as handshake_failed"
# The answer comes after all, for a connection that is gone: dropped, logged.
kill -USR1 "$HOLE_PID"
for _ in $(seq 1 600); do grep -q "answered" "$W/hole.out" && break; sleep 0.05; done
for _ in $(seq 1 600); do grep -q "came after its connection had gone" "$W/proxy.log" && break; sleep 0.05; done
expect_grep "$W/proxy.log" "came after its connection had gone (dropped; 1 so far)" \
    "a late answer for a gone connection is dropped and counted"
echo "local 0" | client "127.0.0.1:$LOCAL" --ca "$P/ca.pem" --quiet >"$W/local0.out" 2>&1
expect_rc 0 $? "the worker goes on after the late answer"

# A TCP key server that never accepts: the channel's connect is bounded.
echo tcp | client "127.0.0.1:$TCPH" --ca "$P/ca.pem" --quiet --timeout 50 >/dev/null 2>"$W/tcp.err" &
TCPC=$!
for _ in $(seq 1 600); do grep -q "connection waiting" "$W/tcp.out" && break; sleep 0.05; done
expect_grep "$W/tcp.out" "connection waiting" "the worker connects to the TCP black hole"
echo "local 4" | client "127.0.0.1:$LOCAL" --ca "$P/ca.pem" --quiet >"$W/local4.out" 2>&1
expect_rc 0 $? "meanwhile the local service is served"
wait "$TCPC"
expect_rc 5 $? "the handshake waiting for the TCP black hole fails, no hang"
sleep 0.2
expect_grep "$W/access.log" "key server 127.0.0.1:$TCP_HOLE: no connection in time" \
    "the access log names the key server and why"
kill -0 "$PX_PID" 2>/dev/null
expect_rc 0 $? "the proxy lives on"
# A reload resolves again: a host that does not resolve refuses the reload.
sed -i "s/^key_server = 127.0.0.1:$TCP_HOLE/key_server = no-such-host.invalid:7000/" "$W/p.conf"
kill -HUP "$PX_PID"
for _ in $(seq 1 600); do grep -q "reload refused" "$W/proxy.log" && break; sleep 0.05; done
grep "reload refused" "$W/proxy.log" | grep -q "no-such-host.invalid:7000: the host does not resolve"
expect_rc 0 $? "a reload with a key server host that does not resolve is refused, naming it"
echo "local 5" | client "127.0.0.1:$LOCAL" --ca "$P/ca.pem" --quiet >"$W/local5.out" 2>&1
expect_rc 0 $? "the running configuration stays"
stop_proxy
expect_rc 0 "$PX_RC" "the proxy stops cleanly"
if grep -l "Sanitizer\|runtime error:" "$W"/*.log "$W"/*.err 2>/dev/null; then
    bad "sanitizer reports in the logs above"
else ok "no sanitizer report in any log"; fi
finish
