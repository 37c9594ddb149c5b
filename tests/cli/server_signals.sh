#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp server under SIGTERM, SIGINT and SIGHUP: it stops accepting, sends
# close_notify to every client, waits at most --drain-timeout for theirs and
# exits 0. Connection numbers on every log and trace line; --quiet.
. "$(dirname "$0")/lib/common.bash"

P="$W/pki"
"$TLCP" certgen --out "$P" >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")

# keep_client OUT ERR: a client whose stdin stays open (a FIFO held by fd 7
# of this shell) after one echoed line; sets CL_PID to the client itself.
mkfifo "$W/in"
keep_client() {
    exec 7<>"$W/in"
    timeout 60 "$TLCP" client "127.0.0.1:$PORT" --ca "$P/ca.pem" <"$W/in" >"$1" 2>"$2" &
    CL_PID=$!
    echo hello >&7
    for _ in $(seq 1 100); do
        grep -q hello "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
end_client() {
    exec 7>&-
}

# --- SIGTERM: the connected client sees close_notify and exits 0 ---
start_server "$W/term.log" "${PAIRS[@]}" || { bad "server did not start"; finish; exit 1; }
keep_client "$W/c1.out" "$W/c1.err" || bad "client 1 got no echo"
t0=$(date +%s%N)
kill -TERM "$SRV_PID"
wait_server
expect_rc 0 $? "server exits 0 on SIGTERM"
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$CL_PID"
expect_rc 0 $? "the client ends cleanly (it got close_notify)"
grep -q "without close_notify" "$W/c1.err" && bad "client saw no close_notify: $(cat "$W/c1.err")" ||
    ok "no 'closed without close_notify' on the client"
expect_grep "$W/term.log" "SIGTERM: stopping; closing 1 connection(s), waiting up to 5 s for their close_notify" \
    "the stop is logged with the default drain time"
expect_grep "$W/term.log" "[conn 1] 127.0.0.1:" "the closed connection is named"
grep -q "\[conn 1\] 127.0.0.1:[0-9]* closed: 6 bytes in, 6 bytes out" "$W/term.log" &&
    ok "the client's close_notify came back before the drain time" || bad "close line: $(cat "$W/term.log")"
end_client
[ "$ms" -lt 4000 ] && ok "SIGTERM stop took $ms ms (no waiting for an answering client)" || bad "SIGTERM stop took $ms ms"

# --- SIGINT with a client that never answers: bounded by --drain-timeout ---
start_server "$W/int.log" "${PAIRS[@]}" --drain-timeout 1 || bad "server 2 did not start"
keep_client "$W/c2.out" "$W/c2.err" || bad "client 2 got no echo"
# timeout(1) runs the client as its child: stop that one
CLIENT_TLCP=$(pgrep -P "$CL_PID" | head -1)
[ -n "$CLIENT_TLCP" ] && kill -STOP "$CLIENT_TLCP" || bad "no client process to stop"
t0=$(date +%s%N)
kill -INT "$SRV_PID"
sleep 0.3
"$TLCP" client "127.0.0.1:$PORT" --ca "$P/ca.pem" --timeout 2 </dev/null >/dev/null 2>"$W/late.err"
expect_rc 4 $? "no new connections while the server drains"
wait_server
expect_rc 0 $? "server exits 0 on SIGINT"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ] && ok "drain bounded by --drain-timeout 1 ($ms ms)" ||
    bad "drain took $ms ms with --drain-timeout 1"
expect_grep "$W/int.log" "SIGINT: stopping; closing 1 connection(s), waiting up to 1 s" "SIGINT is logged"
expect_grep "$W/int.log" "[conn 1] 127.0.0.1:" "the unanswered connection is named"
expect_grep "$W/int.log" "closed: no close_notify from the client before the drain timeout" \
    "the drain timeout is logged"
kill "$CLIENT_TLCP" 2>/dev/null
kill -CONT "$CLIENT_TLCP" 2>/dev/null
wait "$CL_PID" 2>/dev/null
end_client

# --- SIGHUP is a graceful stop too (documented) ---
start_server "$W/hup.log" "${PAIRS[@]}" || bad "server 3 did not start"
keep_client "$W/c3.out" "$W/c3.err" || bad "client 3 got no echo"
kill -HUP "$SRV_PID"
wait_server
expect_rc 0 $? "server exits 0 on SIGHUP (not 129)"
expect_grep "$W/hup.log" "SIGHUP: stopping" "SIGHUP is logged"
wait "$CL_PID"
expect_rc 0 $? "the client of a SIGHUP'ed server ends cleanly"
end_client

# --- every log and trace line of parallel connections carries its number ---
start_server "$W/tr.log" "${PAIRS[@]}" --trace --accept 3 || bad "trace server did not start"
for i in 1 2 3; do
    (head -c 20000 /dev/urandom | timeout 60 "$TLCP" client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet \
        >/dev/null 2>&1; echo $? >"$W/par$i.rc") &
done
wait_server
expect_rc 0 $? "trace server exits 0 after 3 parallel clients"
for i in 1 2 3; do
    [ "$(cat "$W/par$i.rc" 2>/dev/null)" = 0 ] && ok "parallel client $i" || bad "parallel client $i failed"
done
untagged=$(grep -v "^\[conn [1-3]\] " "$W/tr.log" | grep -v "^tlcp server: \[conn [1-3]\] " |
    grep -v "^tlcp server: listening on ")
[ -z "$untagged" ] && ok "every trace and log line names its connection" ||
    bad "lines without [conn N]: $(echo "$untagged" | head -5)"
for i in 1 2 3; do
    grep -q "^\[conn $i\] server read client_hello" "$W/tr.log" && ok "trace lines of connection $i" ||
        bad "no ClientHello trace of connection $i"
done

# --- --quiet: only the listening line and failures ---
start_server "$W/q.log" "${PAIRS[@]}" --quiet --accept 2 || bad "quiet server did not start"
echo x | timeout 30 "$TLCP" client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
expect_rc 0 $? "client of a --quiet server"
"$TLCP" certgen --out "$W/other" >/dev/null 2>&1
echo x | timeout 30 "$TLCP" client "127.0.0.1:$PORT" --ca "$W/other/ca.pem" >/dev/null 2>&1
expect_rc 5 $? "client with the wrong CA"
wait_server
grep -q "handshake ok\|closed:" "$W/q.log" && bad "--quiet still logs routine lines: $(cat "$W/q.log")" ||
    ok "--quiet leaves out handshake and close lines"
expect_grep "$W/q.log" "listening on 127.0.0.1 port" "--quiet keeps the listening line"
expect_grep "$W/q.log" "[conn 2] 127.0.0.1:" "--quiet keeps failures, numbered"
expect_grep "$W/q.log" "peer sent alert unknown_ca" "--quiet keeps the failure reason"
finish
