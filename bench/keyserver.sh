#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Key server benchmark on loopback (docs/KEYSERVER.md): full handshakes per
# second through one tlcp proxy (one worker) whose keys are
#   local   in the proxy (the baseline, measured in the same run),
#   unix    on a tlcp keyserver over its unix socket,
#   tcp     on a tlcp keyserver over TCP with the TLCP channel,
# in interleaved rounds, printed as ratios against local. The key server
# runs its SM2 operations on its own threads (--workers, default 1 here):
# on a machine with a free core that can beat the baseline, which does the
# same work on the proxy's single worker.
# Usage: bench/keyserver.sh [BUILD_DIR]   (env: HS=1000 CONC=32 ROUNDS=3 KS_WORKERS=1)
set -u
B=${1:-build}
TLCP=$B/tlcp
PEER=$B/tlcp-testpeer
[ -x "$TLCP" ] && [ -x "$PEER" ] || { echo "build first (make build)"; exit 1; }
HS=${HS:-1000}
CONC=${CONC:-32}
ROUNDS=${ROUNDS:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/tlcp-ks-bench.XXXXXX")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT
"$TLCP" certgen --out "$W/pki" --client >/dev/null 2>&1
P=$W/pki
"$PEER" echo "$W/echo.port" &
PIDS+=($!)
sleep 0.3
ECHO=$(cat "$W/echo.port")
"$TLCP" keyserver --listen "unix:$W/ks.sock" --listen 127.0.0.1:0 --quiet \
    --workers "${KS_WORKERS:-1}" \
    --key "default:$P/server-sign.pem:$P/server-sign.key:$P/server-enc.pem:$P/server-enc.key" \
    --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --ca "$P/ca.pem" 2>"$W/ks.log" &
PIDS+=($!)
sleep 0.5
KP=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\) .*/\1/p' "$W/ks.log")
cat >"$W/p.conf" <<CONF
workers = 1
log = /dev/null
[local]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO
pair = $P/server-sign.pem $P/server-sign.key $P/server-enc.pem $P/server-enc.key
[unix]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO
sign_cert = $P/server-sign.pem
enc_cert = $P/server-enc.pem
key_server = unix:$W/ks.sock
[tcp]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO
sign_cert = $P/server-sign.pem
enc_cert = $P/server-enc.pem
key_server = 127.0.0.1:$KP
key_server_cert = $P/client-sign.pem
key_server_key = $P/client-sign.key
key_server_ca = $P/ca.pem
CONF
"$TLCP" proxy --config "$W/p.conf" 2>"$W/proxy.log" &
PIDS+=($!)
sleep 0.5
port() { sed -n "s/.*\[$1\] listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p" "$W/proxy.log"; }
rate() { "$PEER" load 127.0.0.1 "$1" "$P/ca.pem" "$HS" "$CONC" | sed -n 's/.* rate \([0-9.]*\)\/s.*/\1/p'; }
for mode in local unix tcp; do eval "PORT_$mode=$(port $mode)"; : >"$W/$mode"; done
for r in $(seq 1 "$ROUNDS"); do
    for mode in local unix tcp; do
        eval "p=\$PORT_$mode"
        v=$(rate "$p")
        echo "$v" >>"$W/$mode"
        echo "round $r $mode: $v handshakes/s"
    done
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
L=$(median "$W/local")
for mode in local unix tcp; do
    m=$(median "$W/$mode")
    echo "keyserver_handshakes_$mode handshakes/s $m"
done
for mode in unix tcp; do
    awk -v a="$(median "$W/$mode")" -v b="$L" -v m="$mode" \
        'BEGIN { printf "ratio_keyserver_%s_vs_local x %.2f\n", m, a / b }'
done
