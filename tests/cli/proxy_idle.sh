#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy holding many idle TLCP connections at once (1,000; 10,000 in
# cli.proxy_idle_10k, or TLCP_PROXY_IDLE=N): every handshake completes (the
# first is a full one, the others resume its session, as returning clients
# do), the proxy reports them all active, a new client is still served, the
# RSS growth per idle connection is printed, and afterwards every one of
# them still carries data (each sends a line and reads its echo).
# Descriptors: the proxy holds two per connection. The test raises the
# HARD limit when it is too low (root with CAP_SYS_RESOURCE can) and sets
# the soft limit to 1024: the proxy must raise its own soft limit (it logs
# it), and so does the test peer. Skipped (77) when the hard limit is too
# low and cannot be raised.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

N=${TLCP_PROXY_IDLE:-1000}
need=$((N * 2 + 200))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need" ]; then
    want=$((need > 65536 ? need : 65536))
    if ! ulimit -Hn "$want" 2>/dev/null; then
        echo "skip: the hard descriptor limit $(ulimit -Hn) is below the $need that $N idle" \
            "connections need, and it cannot be raised here (it takes CAP_SYS_RESOURCE;" \
            "docs/PROXY.md, \"Descriptors\")"
        exit 77
    fi
fi
ulimit -Sn 1024
start_echo plain
{ echo "workers = 2"; echo "log = $W/access.log"; echo "metrics = 127.0.0.1:0"
  printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:%s\n%s\n' "$ECHO_PORT" "$PAIR_LINE"
  echo "sessions = 16"; echo "idle_timeout = 10m"; echo "handshake_timeout = 2m"; } >"$W/p.conf"
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
hard=$(ulimit -Hn)
expect_grep "$W/proxy.log" "descriptor limit raised from 1024 to the hard limit $hard" \
    "the proxy raised its soft descriptor limit to the hard limit ($hard)"
T=$(port_of "$W/proxy.log" web)
MPORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$W/proxy.log")
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$PX_PID/status"; }
# One connection first so that the one-time allocations are not counted.
echo warm | client "127.0.0.1:$T" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
rss0=$(rss)
mkfifo "$W/hold"
"$PEER" idle 127.0.0.1 "$T" "$N" "$P/ca.pem" --resume <"$W/hold" >"$W/idle.out" 2>"$W/idle.err" &
IDLE=$!
PIDS+=($IDLE)
exec 7>"$W/hold"
for _ in $(seq 1 2400); do
    grep -q "^ready" "$W/idle.out" && break
    kill -0 $IDLE 2>/dev/null || break
    sleep 0.1
done
ready=$(grep "^ready" "$W/idle.out")
if grep -q "^ready $N resumed $((N - 1)) " "$W/idle.out"; then
    ok "$N TLCP connections established and held (${ready#ready })"
else
    bad "not all $N established: '$ready'"
    sed 's/^/    peer: /' "$W/idle.err"
fi
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
exec 7>&- # the peer now sends a line on each connection and reads the echo
timeout 120 tail --pid="$IDLE" -f /dev/null
wait $IDLE
expect_rc 0 $? "idle peer ends"
expect_grep "$W/idle.out" "echoed $N of $N" "every one of the $N idle connections still echoes"
grep -q "echoed $N of $N" "$W/idle.out" || sed 's/^/    peer: /' "$W/idle.err" | head -20
stop_proxy
expect_rc 0 "$PX_RC" "proxy exits 0"
finish
