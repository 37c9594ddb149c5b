#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy benchmark on loopback (docs/PROXY.md):
#   1. handshakes per second through a terminating proxy with one worker
#      (per core), clients at full speed;
#   2. p50/p99 handshake latency at a fixed offered load (RATE per second);
#   3. relay throughput of one established connection (tlcp client ->
#      proxy -> echo backend) against the same path with haproxy in plain
#      TCP mode (plain client -> haproxy -> echo backend), as a ratio.
# Usage: bench/proxy.sh [BUILD_DIR]   (env: HS=2000 RATE=100 MB=256)
set -u
B=${1:-build}
TLCP=$B/tlcp
PEER=$B/tlcp-testpeer
[ -x "$TLCP" ] && [ -x "$PEER" ] || { echo "build first (make build)"; exit 1; }
HS=${HS:-600}
RATE=${RATE:-20}
MB=${MB:-256}
W=$(mktemp -d "${TMPDIR:-/tmp}/tlcp-proxy-bench.XXXXXX")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT
"$TLCP" certgen --out "$W/pki" >/dev/null 2>&1
P=$W/pki
"$PEER" echo "$W/echo.port" &
PIDS+=($!)
sleep 0.3
ECHO=$(cat "$W/echo.port")
"$TLCP" proxy --accept 127.0.0.1:0 --connect "127.0.0.1:$ECHO" --terminate --workers 1 \
    --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --log /dev/null 2>"$W/proxy.log" &
PIDS+=($!)
sleep 0.5
PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\) .*/\1/p' "$W/proxy.log")
"$TLCP" server --bind 127.0.0.1 --port 0 --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" 2>"$W/server.log" &
PIDS+=($!)
sleep 0.5
SPORT=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$W/server.log")
echo "== baseline: handshakes against tlcp server directly (same client, same machine)"
"$PEER" load 127.0.0.1 "$SPORT" "$P/ca.pem" "$HS" 16 | tee "$W/direct"
echo "== handshakes through tlcp proxy (1 worker, ECC_SM4_GCM_SM3, 16 clients in flight)"
"$PEER" load 127.0.0.1 "$PORT" "$P/ca.pem" "$HS" 16 | tee "$W/proxied"
d=$(sed -n 's/.* rate \([0-9.]*\)\/s.*/\1/p' "$W/direct")
p=$(sed -n 's/.* rate \([0-9.]*\)\/s.*/\1/p' "$W/proxied")
echo "ratio proxy / direct handshakes: $(awk "BEGIN{printf \"%.2f\", $p / $d}")"
echo "== handshake latency at a fixed offered load of $RATE/s"
"$PEER" load 127.0.0.1 "$PORT" "$P/ca.pem" $((RATE * 10)) 64 "$RATE"

head -c $((MB * 1024 * 1024)) /dev/urandom >"$W/data"
echo "== relay: $MB MiB echoed through one connection"
t0=$(date +%s%N)
"$TLCP" client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet <"$W/data" >"$W/out"
t1=$(date +%s%N)
cmp -s "$W/data" "$W/out" || echo "WARNING: TLCP echo differs"
tlcp_ms=$(((t1 - t0) / 1000000))
echo "tlcp proxy: $tlcp_ms ms, $((MB * 2 * 1000 / tlcp_ms)) MB/s (both directions, client crypto included)"
if command -v haproxy >/dev/null 2>&1; then
    cat >"$W/haproxy.cfg" <<CFG
global
    maxconn 1000
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
listen plain
    bind 127.0.0.1:0
    server echo 127.0.0.1:$ECHO
CFG
    # haproxy cannot report a port-0 bind: try a few random free-looking ports.
    HP=""
    for _ in 1 2 3 4 5 6 7 8; do
        try=$((20000 + RANDOM % 20000))
        sed "s/bind 127.0.0.1:[0-9]*/bind 127.0.0.1:$try/" "$W/haproxy.cfg" >"$W/h.cfg"
        haproxy -f "$W/h.cfg" -db >"$W/haproxy.log" 2>&1 &
        hpid=$!
        sleep 0.5
        if kill -0 $hpid 2>/dev/null; then PIDS+=($hpid); HP=$try; break; fi
    done
    [ -n "$HP" ] || { echo "haproxy did not start:"; cat "$W/haproxy.log"; exit 1; }
    t0=$(date +%s%N)
    "$PEER" connect 127.0.0.1 "$HP" <"$W/data" >"$W/out2"
    t1=$(date +%s%N)
    cmp -s "$W/data" "$W/out2" || echo "WARNING: haproxy echo differs"
    hp_ms=$(((t1 - t0) / 1000000))
    echo "haproxy tcp: $hp_ms ms, $((MB * 2 * 1000 / hp_ms)) MB/s"
    echo "ratio tlcp proxy / haproxy plain: $(awk "BEGIN{printf \"%.2f\", $hp_ms / $tlcp_ms}") (throughput)"
else
    echo "haproxy not installed: no baseline (apt-get install haproxy)"
fi
