#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy holding many idle TLCP connections (default 1000; set
# TLCP_PROXY_IDLE=10000 for the longer run, docs/PROXY.md): every handshake
# completes, the proxy reports them active, none is dropped, and the RSS
# growth per idle connection is printed. The test raises its fd limit.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

N=${TLCP_PROXY_IDLE:-1000}
need=$((N * 2 + 200)) # the proxy holds two fds per connection (client and backend)
ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt "$need" ]; then
    echo "fd limit $(ulimit -n) below $need for $N connections: skipped"
    exit 77
fi
start_echo plain
{ echo "workers = 2"; echo "log = $W/access.log"; echo "metrics = 127.0.0.1:0"
  printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:%s\n%s\n' "$ECHO_PORT" "$PAIR_LINE"
  echo "idle_timeout = 10m"; echo "handshake_timeout = 2m"; } >"$W/p.conf"
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
T=$(port_of "$W/proxy.log" web)
MPORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$W/proxy.log")
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$PX_PID/status"; }
# One connection first so that the one-time allocations are not counted.
echo warm | client "127.0.0.1:$T" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
rss0=$(rss)
mkfifo "$W/hold"
"$PEER" idle 127.0.0.1 "$T" "$N" "$P/ca.pem" <"$W/hold" >"$W/idle.out" 2>"$W/idle.err" &
IDLE=$!
PIDS+=($IDLE)
exec 7>"$W/hold"
t0=$SECONDS
for _ in $(seq 1 2400); do
    grep -q "^ready" "$W/idle.out" && break
    kill -0 $IDLE 2>/dev/null || break
    sleep 0.1
done
expect_grep "$W/idle.out" "ready $N" "$N TLCP handshakes completed through the proxy in $((SECONDS - t0)) s"
grep -q "ready $N" "$W/idle.out" || sed 's/^/    peer: /' "$W/idle.err"
sleep 0.5
rss1=$(rss)
metrics "$MPORT" >"$W/metrics" 2>&1
expect_grep "$W/metrics" "tlcp_proxy_connections_active $N" "metrics: $N connections active"
per=$(((rss1 - rss0) * 1024 / N))
echo "RSS: $rss0 kB before, $rss1 kB with $N idle connections: $per bytes per idle connection"
if ldd "$TLCP" 2>/dev/null | grep -q libasan; then
    echo "ASan build: redzones and quarantine inflate RSS, the bound is not checked"
else
    [ "$per" -gt 0 ] && [ "$per" -lt 65536 ] && ok "RSS per idle connection $per bytes (< 64 KiB)" ||
        bad "RSS per idle connection $per bytes"
fi
echo "still there" | client "127.0.0.1:$T" --ca "$P/ca.pem" --quiet >"$W/out" 2>&1
expect_grep "$W/out" "still there" "a new client is served while $N are held"
exec 7>&-
wait $IDLE
expect_rc 0 $? "idle peer ends"
expect_grep "$W/idle.out" "open $N" "no idle connection was dropped"
stop_proxy
expect_rc 0 "$PX_RC" "proxy exits 0"
finish
