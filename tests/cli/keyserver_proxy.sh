#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy with its keys on a tlcp keyserver: 200 concurrent handshakes
# through one proxy (every private operation on the key server), the key
# server killed in the middle of a load run (the run ends, the proxy lives
# and says why full handshakes fail, resumptions and a service with local
# keys keep working), then restarted (full handshakes work again).
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

SOCK="$W/ks.sock"
KEYS=(--key "edge:$P/server-sign.pem:$P/server-sign.key:$P/server-enc.pem:$P/server-enc.key"
    --key "cli:$P/client-sign.pem:$P/client-sign.key:$P/client-enc.pem:$P/client-enc.key")
start_ks() {
    "$TLCP" keyserver --listen "unix:$SOCK" "${KEYS[@]}" --quiet --workers 2 2>>"$W/ks.log" &
    KS_PID=$!
    PIDS+=($KS_PID)
    for _ in $(seq 1 200); do
        [ -S "$SOCK" ] && grep -q "listening on" "$W/ks.log" && return 0
        sleep 0.05
    done
    return 1
}
start_ks || bad "the key server did not start"

start_echo plain
cat >"$W/p.conf" <<CONF
workers = 2
log = $W/access.log

[remote]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO_PORT
sign_cert = $P/server-sign.pem
enc_cert = $P/server-enc.pem
key_server = unix:$SOCK
key_name = edge
# room for every session of the run: the resumption checked while the key
# server is down must not have been evicted by the 1,000s of load handshakes
# before it (the default cache holds 1024; a quiet machine completes that many)
sessions = 20000
# 200 at once on a loaded 2-core machine (ASan) take a while
handshake_timeout = 120s

[local]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO_PORT
$PAIR_LINE
CONF
# configuration errors name the file, the line and what is wrong
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
    if [ $rc -ne 0 ] && grep -qF -- "$want" "$W/bad.err"; then ok "config: $what"; else
        bad "config: $what (exit $rc)"; sed 's/^/    | /' "$W/bad.err"; fi
}
check_conf "key_server with a private key refused" "the private keys stay there" \
    "sign_cert = $P/server-sign.pem" "sign_key = $P/server-sign.key" \
    "enc_cert = $P/server-enc.pem" "key_server = unix:$SOCK"
check_conf "key_server without enc_cert refused" "'enc_cert' missing" \
    "sign_cert = $P/server-sign.pem" "key_server = unix:$SOCK"
check_conf "TCP key_server without the channel refused" "needs key_server_cert" \
    "sign_cert = $P/server-sign.pem" "enc_cert = $P/server-enc.pem" "key_server = 127.0.0.1:7"
check_conf "key_name without key_server refused" "need 'key_server'" \
    "$PAIR_LINE" "key_name = x"
check_conf "a key name over 64 bytes refused" "at most 64 bytes" \
    "key_name = $(printf 'k%.0s' $(seq 1 65))"
check_conf "a certificate that does not load is named" "bad.conf" \
    "sign_cert = $W/nope.pem" "enc_cert = $P/server-enc.pem" "key_server = unix:$SOCK"

start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; }
REMOTE=$(port_of "$W/proxy.log" remote)
LOCAL=$(port_of "$W/proxy.log" local)

echo first | client "127.0.0.1:$REMOTE" --ca "$P/ca.pem" --sess-out "$W/sess.pem" \
    >"$W/first.out" 2>"$W/first.err"
expect_rc 0 $? "a handshake whose keys are on the key server"
expect_grep "$W/first.out" "first" "data relayed"

MAIN_PX=$PX_PID
# originate: the proxy's client pair (ECDHE key exchange, CertificateVerify) on the key server
start_server "$W/tsrv.log" "${SERVER_PAIRS[@]}" --verify require --ca "$P/ca.pem" \
    --suites ECDHE_SM4_GCM_SM3
start_proxy "$W/proxy2.log" --originate --accept 127.0.0.1:0 --connect "127.0.0.1:$PORT" \
    --ca "$P/ca.pem" --servername localhost --suites ECDHE_SM4_GCM_SM3 --log "$W/access2.log" \
    --sign-cert "$P/client-sign.pem" --enc-cert "$P/client-enc.pem" \
    --key-server "unix:$SOCK" --key-name cli || bad "originating proxy did not start"
ORIG=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$W/proxy2.log" | tail -1)
echo originated | timeout 60 "$PEER" connect 127.0.0.1 "$ORIG" >"$W/orig.out" 2>&1
expect_grep "$W/orig.out" "originated" "originate: ECDHE with client authentication, keys on the key server"
expect_grep "$W/tsrv.log" "client certificate verified" "originate: the server verified the proxy's client certificate"
stop_proxy
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PID=""
PX_PID=$MAIN_PX

# 200 at once through one proxy
timeout 120 "$PEER" load 127.0.0.1 "$REMOTE" "$P/ca.pem" 200 200 >"$W/load1.txt" 2>&1
expect_rc 0 $? "load: 200 concurrent handshakes"
expect_grep "$W/load1.txt" "handshakes 200 failed 0" "load: 200 concurrent handshakes, none failed"

# killed in the middle of a run
timeout 120 "$PEER" load 127.0.0.1 "$REMOTE" "$P/ca.pem" 2000 50 >"$W/load2.txt" 2>&1 &
LOAD=$!
sleep 0.3
kill -9 "$KS_PID" 2>/dev/null
wait "$KS_PID" 2>/dev/null
wait "$LOAD"
grep -q "^handshakes" "$W/load2.txt" || grep -q "failed" "$W/load2.txt"
expect_rc 0 $? "load during the kill: the run ends (no hang)"
kill -0 "$PX_PID" 2>/dev/null
expect_rc 0 $? "the proxy survives the key server's death"
# Each failure names the key server, except a decryption lost in flight:
# that one, by the no-oracle rule, fails at Finished like a bad ciphertext.
sleep 0.2
unclear=$(grep 'result=handshake_failed' "$W/access.log" | grep -v '(key server unix:' |
    grep -vc 'alert_sent=bad_record_mac')
expect_rc 0 "$unclear" "every failed handshake of the run names the key server (or is a lost decryption)"
echo down | client "127.0.0.1:$REMOTE" --ca "$P/ca.pem" --quiet >/dev/null 2>"$W/down.err"
expect_rc 5 $? "key server down: a full handshake fails"
expect_grep "$W/down.err" "internal_error" "key server down: alert internal_error"
sleep 0.2
expect_grep "$W/access.log" "(key server unix:$SOCK" "key server down: the access log says why"
echo resumed | client "127.0.0.1:$REMOTE" --ca "$P/ca.pem" --sess-in "$W/sess.pem" \
    >"$W/res.out" 2>"$W/res.err"
expect_rc 0 $? "key server down: a resumption (no private key needed) works"
expect_grep "$W/res.err" "session: resumed" "key server down: it was a resumption"
echo local | client "127.0.0.1:$LOCAL" --ca "$P/ca.pem" --quiet >"$W/local.out" 2>&1
expect_rc 0 $? "key server down: a service with local keys works"

# back again
start_ks || bad "the key server did not restart"
back=1
for _ in $(seq 1 60); do
    if echo back | client "127.0.0.1:$REMOTE" --ca "$P/ca.pem" --quiet >/dev/null 2>&1; then
        back=0
        break
    fi
    sleep 0.2
done
expect_rc 0 $back "key server back: full handshakes work again"
timeout 120 "$PEER" load 127.0.0.1 "$REMOTE" "$P/ca.pem" 100 50 >"$W/load3.txt" 2>&1
expect_grep "$W/load3.txt" "handshakes 100 failed 0" "key server back: 100 handshakes, none failed"
stop_proxy
expect_rc 0 "$PX_RC" "the proxy stops cleanly"
kill -TERM "$KS_PID"
timeout 30 tail --pid="$KS_PID" -f /dev/null
wait "$KS_PID"
expect_rc 0 $? "the key server stops cleanly"
# Under ASan/UBSan (make sanitize) every process reports into its log.
if grep -l "Sanitizer\|runtime error:" "$W"/*.log "$W"/*.err 2>/dev/null; then
    bad "sanitizer reports in the logs above"
else ok "no sanitizer report in any log"; fi
finish
