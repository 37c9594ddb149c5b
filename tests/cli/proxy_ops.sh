#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy operations: SIGHUP with new certificates while 100 clients hold
# connections and others keep connecting (no failed connection; old
# connections untouched, new ones get the new certificate); a refused
# reload keeps the running configuration; SIGTERM sends close_notify to
# open connections and the proxy exits 0.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

"$TLCP" certgen --out "$W/new" --cn new.localhost --san DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1 ||
    { echo "certgen failed"; exit 1; }
cat "$P/ca.pem" "$W/new/ca.pem" >"$W/both.pem"
start_echo plain
BACK=$ECHO_PORT
write_conf() { # write_conf PKI-DIR
    cat >"$W/p.conf" <<CONF
workers = 2
log = $W/access.log
drain_timeout = 5s
[web]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$BACK
pair = $1/server-sign.pem $1/server-sign.key $1/server-enc.pem $1/server-enc.key
CONF
}
write_conf "$P"
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
T=$(port_of "$W/proxy.log" web)

# 100 long connections that span the reload: a line, silence until the
# reload has happened, a line. They must all be established (their first
# line echoed) before the SIGHUP: one still in its handshake afterwards
# would rightly get the new certificate, which its CA does not verify.
mkdir "$W/long"
for i in $(seq 1 100); do
    ( (echo "first $i"
       while [ ! -e "$W/reloaded" ]; do sleep 0.1; done
       sleep 0.5
       echo "second $i") |
        client "127.0.0.1:$T" --ca "$P/ca.pem" --quiet >"$W/long/$i.out" 2>"$W/long/$i.err"
      echo $? >"$W/long/$i.rc") &
done
# 4 loops of short connections trusting both CAs, across the reload (until
# a second after it).
mkdir "$W/short"
for j in 1 2 3 4; do
    ( n=0
      while [ ! -e "$W/short_stop" ]; do
          n=$((n + 1))
          echo "short $j $n" | client "127.0.0.1:$T" --ca "$W/both.pem" --quiet >"$W/short/$j.$n.out" 2>&1 ||
              echo "$j.$n" >>"$W/short/failed"
      done ) &
done
up=0
for _ in $(seq 1 1200); do # up to 120 s (100 clients under ASan on 2 cores)
    up=$(grep -l "^first" "$W"/long/*.out 2>/dev/null | wc -l)
    [ "$up" -ge 100 ] && break
    sleep 0.1
done
[ "$up" -ge 100 ] && ok "100 long connections established before the reload" ||
    bad "only $up of 100 long connections established before the reload"
write_conf "$W/new"
kill -HUP "$PX_PID"
for _ in $(seq 1 100); do grep -q "reloaded (configuration 1)" "$W/proxy.log" && break; sleep 0.1; done
grep -q "reloaded (configuration 1)" "$W/proxy.log" && ok "SIGHUP reloaded" || bad "no reload line"
touch "$W/reloaded"
sleep 1
touch "$W/short_stop"
wait $(jobs -p | grep -v -w -F "$(printf '%s\n' "${PIDS[@]}")") 2>/dev/null
fails=0
for i in $(seq 1 100); do
    if [ "$(cat "$W/long/$i.rc")" != 0 ] || [ "$(cat "$W/long/$i.out")" != "$(printf 'first %d\nsecond %d' "$i" "$i")" ]; then
        fails=$((fails + 1))
    fi
done
[ $fails = 0 ] && ok "100 connections opened before the reload finished intact" || bad "$fails long connections failed"
nshort=$(ls "$W/short" | grep -c out)
[ ! -e "$W/short/failed" ] && [ "$nshort" -ge 4 ] && ok "$nshort short connections across the reload, none failed" ||
    bad "short connections failed: $(cat "$W/short/failed" 2>/dev/null | wc -l) of $nshort"
echo "after" | client "127.0.0.1:$T" --ca "$W/new/ca.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "new connection verifies with the new CA only"
expect_grep "$W/err" "server sign certificate: C=CN, O=libtlcp, CN=new.localhost" "new certificate served"
echo "after" | client "127.0.0.1:$T" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
[ $? -ne 0 ] && ok "the old CA no longer verifies new connections" || bad "old certificate still served"

# A broken configuration is refused; the running one stays.
echo "colour = blue" >>"$W/p.conf"
kill -HUP "$PX_PID"
for _ in $(seq 1 100); do grep -q "reload refused" "$W/proxy.log" && break; sleep 0.1; done
expect_grep "$W/proxy.log" "reload refused; the running configuration stays" "bad reload refused"
echo "still" | client "127.0.0.1:$T" --ca "$W/new/ca.pem" --quiet >"$W/out" 2>"$W/err"
expect_rc 0 $? "still serving after a refused reload"

# SIGTERM: open connections get close_notify (tlcp client exits 0 on it).
# Their stdin is a fifo held open by this shell, so they wait for the server.
mkfifo "$W/hold"
for i in 1 2 3; do
    ( client "127.0.0.1:$T" --ca "$W/new/ca.pem" --quiet <"$W/hold" >/dev/null 2>"$W/term$i.err"
      echo $? >"$W/term$i.rc" ) &
done
exec 7>"$W/hold"
sleep 1.5
t0=$(date +%s%N)
stop_proxy
t1=$(date +%s%N)
expect_rc 0 "$PX_RC" "proxy exits 0 after SIGTERM"
ms=$(((t1 - t0) / 1000000))
[ $ms -lt 4000 ] && ok "graceful stop took $ms ms (drain deadline 5 s not needed)" || bad "stop took $ms ms"
for i in 1 2 3; do
    for _ in $(seq 1 50); do [ -s "$W/term$i.rc" ] && break; sleep 0.1; done
    [ "$(cat "$W/term$i.rc" 2>/dev/null)" = 0 ] && ok "client $i got close_notify (exit 0)" ||
        { bad "client $i: exit $(cat "$W/term$i.rc" 2>/dev/null)"; sed 's/^/    | /' "$W/term$i.err"; }
done
n=$(grep -c "result=stopped" "$W/access.log")
[ "$n" -ge 3 ] && ok "access log: $n connections ended by the stop" || bad "$n stopped lines"
exec 7>&-
finish
