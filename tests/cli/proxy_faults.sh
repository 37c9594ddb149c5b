#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy under faults: backend refuses, backend dies mid-stream, client
# stalls (idle timeout), slowloris handshake (handshake timeout), garbage
# instead of a ClientHello, connection limit. After each the proxy serves
# the next client, and the access log names what happened.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

start_echo good
GOOD=$ECHO_PORT
start_echo dying --die-after 100000
DYING=$ECHO_PORT
DYING_PID=${PIDS[-1]}
# A port nobody listens on: bind one, note it, close it.
REFUSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo 1)
svc() { # svc NAME BACKEND-PORT [extra lines]
    printf '[%s]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:%s\n%s\n' "$1" "$2" "$PAIR_LINE"
    shift 2
    for l in "$@"; do echo "$l"; done
}
{ echo "workers = 2"; echo "log = $W/access.log"; echo "metrics = 127.0.0.1:0"
  svc good "$GOOD" "handshake_timeout = 1s" "idle_timeout = 1s"
  svc refused "$REFUSED"
  svc dying "$DYING"
  svc limited "$GOOD" "max_conns = 2"
  svc bp "$GOOD"
} >"$W/p.conf"
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
G=$(port_of "$W/proxy.log" good)
MPORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$W/proxy.log")
still_serving() { # still_serving WHAT
    echo "alive" | client "127.0.0.1:$G" --ca "$P/ca.pem" --quiet >"$W/alive" 2>&1
    [ "$(cat "$W/alive")" = alive ] && ok "serves the next client after $1" || bad "not serving after $1"
}

# --- backend refuses ---
echo "x" | client "127.0.0.1:$(port_of "$W/proxy.log" refused)" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
rc=$?
[ $rc -ne 0 ] && ok "client told of the refused backend (exit $rc, no clean close)" || bad "refused backend looked clean"
sleep 0.2
grep -q "service=refused .* result=backend_failed: 127.0.0.1:$REFUSED: Connection refused" "$W/access.log" &&
    ok "access log: backend_failed: Connection refused" || { bad "no refused line"; cat "$W/access.log"; }
still_serving "a refused backend"

# --- backend dies mid-stream (after 100 kB of 1 MiB) ---
head -c 1048576 /dev/urandom >"$W/mib"
client "127.0.0.1:$(port_of "$W/proxy.log" dying)" --ca "$P/ca.pem" --quiet <"$W/mib" >"$W/out" 2>"$W/err"
rc=$?
wait "$DYING_PID" 2>/dev/null
got=$(stat -c %s "$W/out")
[ $rc -ne 0 ] && [ "$got" -lt 1048576 ] && ok "client sees the truncation (exit $rc, $got bytes)" ||
    bad "dying backend: exit $rc, $got bytes"
sleep 0.2
grep -q "service=dying .* result=backend_" "$W/access.log" && ok "access log: backend ended the stream" ||
    { bad "no dying line"; grep dying "$W/access.log"; }
still_serving "a backend died"

# --- client stalls after the handshake: idle timeout 1 s ---
mkfifo "$W/hold"
t0=$(date +%s%N)
client "127.0.0.1:$G" --ca "$P/ca.pem" --quiet <"$W/hold" >/dev/null 2>"$W/err" &
CPID=$!
exec 7>"$W/hold"
wait $CPID
rc=$?
exec 7>&-
ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc -ne 0 ] && [ $ms -ge 500 ] && [ $ms -lt 5000 ] && ok "stalled client closed after $ms ms (idle_timeout 1s)" ||
    bad "stalled client: exit $rc after $ms ms"
sleep 0.2
expect_grep "$W/access.log" "result=idle_timeout" "access log: idle_timeout"

# --- slowloris: a ClientHello one byte every 200 ms; handshake_timeout 1 s.
# The lower bound is loose: on a loaded machine the peer may be descheduled
# between connect() and reading its clock, which shortens what it measures. ---
for i in 1 2 3 4 5; do
    timeout 40 "$PEER" drip 127.0.0.1 "$G" 200 >"$W/drip$i" 2>&1 &
done
wait $(jobs -p | grep -v -w -F "$(printf '%s\n' "${PIDS[@]}")") 2>/dev/null
for i in 1 2 3 4 5; do
    ms=$(sed -n 's/closed after \([0-9]*\)/\1/p' "$W/drip$i")
    [ -n "$ms" ] && [ "$ms" -ge 500 ] && [ "$ms" -lt 3000 ] && ok "slowloris $i closed after $ms ms" ||
        bad "slowloris $i: $(cat "$W/drip$i")"
done
n=$(grep -c "service=good .* result=handshake_timeout" "$W/access.log")
[ "$n" -ge 5 ] && ok "access log: $n handshake timeouts" || bad "$n handshake_timeout lines"
still_serving "slowloris"

# --- garbage instead of a ClientHello ---
head -c 4096 /dev/urandom | timeout 10 "$PEER" connect 127.0.0.1 "$G" >"$W/out" 2>&1
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 "$PEER" connect 127.0.0.1 "$G" >"$W/http" 2>&1
sleep 0.2
n=$(grep -c "service=good .* result=handshake_failed" "$W/access.log")
[ "$n" -ge 2 ] && ok "garbage and plain HTTP fail the handshake ($n lines)" || bad "$n handshake_failed lines"
[ "$(head -c 1 "$W/http" | od -An -tx1 | tr -d ' ')" = 15 ] && ok "plain HTTP gets a TLCP alert record" ||
    bad "no alert record for plain HTTP: $(od -An -tx1 "$W/http" | head -1)"
still_serving "garbage"

# --- back-pressure: the client's reader stalls while it pushes 32 MiB; the
# whole chain (proxy, backend, proxy) must stop at bounded buffers, then
# deliver everything once the reader resumes ---
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$PX_PID/status"; }
head -c $((32 * 1024 * 1024)) /dev/urandom >"$W/bp"
mkfifo "$W/bp.fifo"
exec 9<>"$W/bp.fifo" # opened, not read: the client's stdout blocks once the pipe is full
rss0=$(rss)
client "127.0.0.1:$(port_of "$W/proxy.log" bp)" --ca "$P/ca.pem" --quiet <"$W/bp" >"$W/bp.fifo" 2>"$W/bp.err" &
BPC=$!
sleep 3
rss1=$(rss)
grow=$((rss1 - rss0))
[ "$grow" -lt 8192 ] && ok "stalled reader: proxy RSS grew $grow kB while 32 MiB waited (bounded)" ||
    bad "stalled reader: proxy RSS grew $grow kB"
kill -0 $BPC 2>/dev/null && ok "the stalled transfer is still in progress after 3 s" || bad "client ended early"
timeout 60 head -c $((32 * 1024 * 1024)) <&9 >"$W/bp.out"
wait $BPC
expect_rc 0 $? "the stalled client finishes once its reader resumes"
exec 9<&-
[ "$(sha256sum <"$W/bp")" = "$(sha256sum <"$W/bp.out")" ] && ok "32 MiB intact after the stall (sha256)" ||
    bad "32 MiB after the stall differ ($(stat -c %s "$W/bp.out") bytes)"

# --- connection limit: the third concurrent connection is refused ---
L=$(port_of "$W/proxy.log" limited)
mkfifo "$W/hold2"
for i in 1 2; do
    client "127.0.0.1:$L" --ca "$P/ca.pem" --quiet <"$W/hold2" >/dev/null 2>&1 &
done
exec 8>"$W/hold2"
sleep 1
echo "third" | client "127.0.0.1:$L" --ca "$P/ca.pem" --quiet >"$W/out" 2>"$W/err"
rc=$?
exec 8>&-
[ $rc -ne 0 ] && ok "third connection over max_conns 2 refused (exit $rc)" || bad "max_conns not enforced"
expect_grep "$W/access.log" "service=limited client=127.0.0.1" "access log names the refused client"
expect_grep "$W/access.log" "result=rejected: max_conns 2 reached" "access log: rejected"
metrics "$MPORT" >"$W/metrics" 2>&1
expect_metric "$W/metrics" '^tlcp_proxy_handshakes_total{result="timeout"} [5-9]' "metrics count handshake timeouts"
expect_metric "$W/metrics" '^tlcp_proxy_backend_connect_failures_total [1-9]' "metrics count backend failures"
expect_metric "$W/metrics" '^tlcp_proxy_connections_rejected_total [1-9]' "metrics count rejected connections"
expect_metric "$W/metrics" 'tlcp_proxy_handshake_alerts_sent_total{alert="' "metrics count alerts by name"
stop_proxy
expect_rc 0 "$PX_RC" "proxy exits 0"
finish
