#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# examples/poll_client.c against the real `tlcp server`: with the echo server
# it gets its request back and exits 0 at the server's close_notify (it used
# to wait forever, printing "timed out" every 30 s); with the status page it
# prints the page and exits 0; against a server that never answers it gives up
# after its bounded wait with "timed out" and exit 1.
. "$(dirname "$0")/lib/common.bash"
EXAMPLE="$(dirname "$TLCP")/example_poll_client"
[ -x "$EXAMPLE" ] || { bad "$EXAMPLE not built"; finish; exit 1; }

"$TLCP" certgen --out "$W/pki" >/dev/null || { bad "certgen failed"; finish; exit 1; }
P="$W/pki"
PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")

# run_example SECONDS ARGS...: the example under a hard limit; sets RC and ELAPSED.
run_example() {
    local limit=$1 start
    shift
    start=$(date +%s)
    timeout "$limit" "$EXAMPLE" "$@" >"$W/out" 2>"$W/err"
    RC=$?
    ELAPSED=$(($(date +%s) - start))
}

start_server "$W/srv.log" "${PAIRS[@]}" --accept 1 || { bad "echo server did not start"; finish; exit 1; }
run_example 20 127.0.0.1 "$PORT" "$P/ca.pem" "hello from poll_client"
expect_rc 0 "$RC" "poll_client against the echo server ends by itself"
[ "$(cat "$W/out")" = "hello from poll_client" ] && ok "the echo came back" ||
    { bad "stdout is not the echo:"; sed 's/^/    | /' "$W/out"; }
expect_grep "$W/err" "connected: ECC_SM4_GCM_SM3" "it reports the handshake"
[ "$ELAPSED" -lt 10 ] && ok "it ended in ${ELAPSED} s, without waiting for a timeout" ||
    bad "it took ${ELAPSED} s"
wait_server
expect_rc 0 $? "the echo server saw a clean close"
expect_grep "$W/srv.log" "closed: 22 bytes in, 22 bytes out" "the server echoed 22 bytes"

start_server "$W/srv2.log" "${PAIRS[@]}" --www --accept 1 || { bad "www server did not start"; finish; exit 1; }
run_example 20 127.0.0.1 "$PORT" "$P/ca.pem"
expect_rc 0 "$RC" "poll_client against the status page"
expect_grep "$W/out" "HTTP/1.0 200 OK" "the page was printed"
wait_server

# A TCP peer that accepts and never answers: the handshake wait is bounded.
if command -v python3 >/dev/null; then
    python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
time.sleep(40)
' >"$W/silent.port" &
    SRV_PID=$!
    for _ in $(seq 1 100); do [ -s "$W/silent.port" ] && break; sleep 0.1; done
    run_example 30 127.0.0.1 "$(cat "$W/silent.port")" "$P/ca.pem"
    expect_rc 1 "$RC" "poll_client against a silent server fails"
    expect_grep "$W/err" "timed out: the server sent nothing for 10 s" "it says it timed out"
    expect_grep "$W/err" "handshake failed" "and that the handshake failed"
    [ "$ELAPSED" -lt 25 ] && ok "it gave up after ${ELAPSED} s" || bad "it took ${ELAPSED} s"
    kill "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null
    SRV_PID=""
else
    echo "note: python3 missing: the silent-server case was not run"
fi
finish
