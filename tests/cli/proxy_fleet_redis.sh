#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A fleet sharing sessions through Redis: one redis-server (unix socket in
# the test's temp dir), three tlcp proxies, haproxy (TCP, round robin) in
# front. 300 clients connect twice (--sess-out, then --sess-in); with
# serial connections round robin sends connection k to proxy k mod 3, so a
# client's second connection always reaches another proxy than its first,
# and each proxy's access log shows whether it resumed. Then Redis hangs
# (SIGSTOP: lookups time out after redis_timeout_ms), is stopped (full
# handshakes, no failures) and restarted (resumption comes back). Last,
# Redis hangs again with lookups left unanswered and the proxies get
# SIGTERM: each exits 0 in bounded time (under ASan/LSan: with nothing
# leaked or misused on that path).
# Skips (77) without redis-server, haproxy or a tlcp built with hiredis.
. "$(dirname "$0")/lib/common.bash"
command -v redis-server >/dev/null || { echo "skip: no redis-server"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: no haproxy"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3 (free port)"; exit 77; }
. "$(dirname "$0")/lib/proxy.bash"

CLIENTS=${FLEET_CLIENTS:-300}
SOCK="$W/redis.sock"
start_redis() {
    redis-server --port 0 --unixsocket "$SOCK" --save "" --appendonly no --dir "$W" \
        >>"$W/redis.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=($REDIS_PID)
    for _ in $(seq 1 100); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
    return 1
}
start_redis || { bad "redis-server did not start"; cat "$W/redis.log"; finish; exit 1; }

start_echo backend
BACK=$ECHO_PORT
PX=()
PXPIDS=()
for i in 1 2 3; do
    cat >"$W/p$i.conf" <<CONF
workers = 1
log = $W/access$i.log
metrics = 127.0.0.1:0
redis = unix:$SOCK
redis_prefix = fleet:
redis_timeout_ms = 50
session_key = 000102030405060708090a0b0c0d0e0f
session_lifetime = 600

[fleet]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$BACK
$PAIR_LINE
CONF
    if ! start_proxy "$W/proxy$i.log" --config "$W/p$i.conf"; then
        if grep -q "without hiredis" "$W/proxy$i.log"; then echo "skip: tlcp built without hiredis"; exit 77; fi
        bad "proxy $i did not start"; cat "$W/proxy$i.log"; finish; exit 1
    fi
    PX+=("$(port_of "$W/proxy$i.log" fleet)")
    PXPIDS+=("$PX_PID")
done
ok "three proxies on Redis at $SOCK"

HP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$W/haproxy.cfg" <<CONF
global
    maxconn 256
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fleet
    bind 127.0.0.1:$HP
    default_backend proxies
backend proxies
    balance roundrobin
    server p1 127.0.0.1:${PX[0]}
    server p2 127.0.0.1:${PX[1]}
    server p3 127.0.0.1:${PX[2]}
CONF
haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
    echo ping | timeout 5 "$TLCP" client "127.0.0.1:$HP" --ca "$P/ca.pem" >/dev/null 2>&1 && break
    sleep 0.1
done
: >"$W/access1.log"; : >"$W/access2.log"; : >"$W/access3.log" # the ping above is not counted

# pair TAG: one client, two connections; prints "ok resumed" / "ok full" / "fail".
pair() {
    local s="$W/sess-$1.pem"
    echo "first $1" | client "127.0.0.1:$HP" --ca "$P/ca.pem" --sess-out "$s" >"$W/o1" 2>"$W/e1" &&
        grep -q "first $1" "$W/o1" || { echo fail; return; }
    echo "second $1" | client "127.0.0.1:$HP" --ca "$P/ca.pem" --sess-in "$s" >"$W/o2" 2>"$W/e2" &&
        grep -q "second $1" "$W/o2" || { echo fail; return; }
    rm -f "$s"
    if grep -q "session: resumed" "$W/e2"; then echo "ok resumed"; else echo "ok full"; fi
}

# run_pairs N TAG: N clients one after the other; sets RESUMED and FAILED.
run_pairs() {
    RESUMED=0 FAILED=0
    for i in $(seq 1 "$1"); do
        case $(pair "$2-$i") in
        "ok resumed") RESUMED=$((RESUMED + 1)) ;;
        "ok full") ;;
        *) FAILED=$((FAILED + 1)); sed 's/^/    | /' "$W/e1" "$W/e2" | tail -4 ;;
        esac
    done
}

# --- phase 1: Redis up ---
run_pairs "$CLIENTS" up
[ "$FAILED" -eq 0 ] && ok "$CLIENTS clients x 2 connections, none failed" || bad "$FAILED clients failed"
# The three access logs merged by time give the fleet's connections in
# order (they are serial): lines 2i and 2i+1 are client i's two
# connections; count the second ones resumed on another proxy than the first.
for j in 1 2 3; do sed "s/^/p$j /" "$W/access$j.log"; done | sort -s -k2,2 >"$W/all.log"
read -r LINES DIFF SAME WRONG < <(awk '{ px = $1; r = ($0 ~ / resumed=yes /) }
    NR % 2 == 1 { first = px; if (r) wrong++ }
    NR % 2 == 0 { if (r && px != first) diff++; if (px == first) same++ }
    END { print NR, diff + 0, same + 0, wrong + 0 }' "$W/all.log")
[ "$LINES" -eq $((2 * CLIENTS)) ] && ok "the proxies logged $LINES connections" || bad "$LINES access log lines, expected $((2 * CLIENTS))"
[ "$WRONG" -eq 0 ] && ok "no first connection resumed" || bad "$WRONG first connections resumed"
echo "fleet: $SAME second connections reached the same proxy as the first"
PCT=$((100 * DIFF / CLIENTS))
echo "fleet: $DIFF of $CLIENTS second connections resumed on another proxy ($PCT%); client saw $RESUMED resumed"
[ $((100 * DIFF)) -ge $((99 * CLIENTS)) ] && ok "resumed on another proxy: $DIFF/$CLIENTS (>= 99%)" ||
    bad "resumed on another proxy: $DIFF/$CLIENTS (< 99%)"

# --- phase 2: Redis hangs (SIGSTOP): lookups time out, handshakes go on ---
kill -STOP "$REDIS_PID"
T0=$(date +%s%N)
run_pairs 10 hung
T1=$(date +%s%N)
kill -CONT "$REDIS_PID"
[ "$FAILED" -eq 0 ] && ok "Redis hung: 10 clients x 2, none failed ($(((T1 - T0) / 1000000)) ms)" || bad "Redis hung: $FAILED failed"
TIMEOUTS=0
for i in 1 2 3; do
    M=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$W/proxy$i.log")
    t=$(metrics "$M" | sed -n 's/^tlcp_proxy_redis_lookups_total{result="timeout"} \([0-9]*\).*/\1/p')
    TIMEOUTS=$((TIMEOUTS + ${t:-0}))
done
[ "$TIMEOUTS" -ge 1 ] && ok "lookups timed out while Redis hung ($TIMEOUTS)" || bad "no lookup timeout counted"

# --- phase 3: Redis stopped: every connection still succeeds (full) ---
kill -TERM "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null
run_pairs 30 down
DOWN_RESUMED=$RESUMED
echo "redis down: 30 clients, $FAILED failed, $RESUMED resumed"
[ "$FAILED" -eq 0 ] && ok "Redis down: 30 clients x 2, none failed" || bad "Redis down: $FAILED failed"

# --- phase 4: Redis back: the proxies reconnect (backoff <= 5 s) and resume again ---
start_redis || bad "redis-server did not restart"
for _ in $(seq 1 40); do
    [ "$(pair back-probe)" = "ok resumed" ] && break
    sleep 0.25
done
run_pairs 30 back
echo "redis restarted: 30 clients, $FAILED failed, $RESUMED resumed"
[ "$FAILED" -eq 0 ] && [ "$RESUMED" -ge 29 ] && ok "Redis back: $RESUMED/30 resumed" ||
    bad "Redis back: $FAILED failed, $RESUMED/30 resumed"
# with Redis down the proxies have no store at all: nothing can resume
[ "$DOWN_RESUMED" -eq 0 ] && ok "no resumption while Redis was down" ||
    bad "$DOWN_RESUMED resumptions while Redis was down"

# --- phase 5: stop the fleet while Redis hangs with lookups unanswered ---
kill -STOP "$REDIS_PID"
run_pairs 3 final
[ "$FAILED" -eq 0 ] && ok "Redis hung again: 3 clients x 2, none failed" || bad "Redis hung again: $FAILED failed"
for i in 1 2 3; do
    pid=${PXPIDS[$((i - 1))]}
    kill -TERM "$pid"
    rc=0
    timeout 30 tail --pid="$pid" -f /dev/null || { kill -9 "$pid"; rc=124; }
    wait "$pid" || rc=$?
    expect_rc 0 "$rc" "proxy $i stops cleanly while Redis hangs"
    if grep -qE "Sanitizer|runtime error" "$W/proxy$i.log"; then
        bad "proxy $i: sanitizer report"; grep -A20 -E "Sanitizer|runtime error" "$W/proxy$i.log" | head -40
    fi
done
kill -CONT "$REDIS_PID"
finish
