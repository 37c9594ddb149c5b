#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp keyserver with tlcp server and tlcp client --key-server: all four
# suites with client authentication (both sides' keys on the key server,
# over a unix socket), the TLCP channel over TCP (an unauthenticated TLCP
# client refused), the key server killed and restarted (clean failure,
# then recovery), rate limiting, and the protocol by hand (tlcp-ksprobe):
# bad version, length too long/short, unknown op, unknown key, a malformed
# field, a truncated frame, a stale time, replays on the same and on a new
# connection, and 50 pipelined requests.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"
PROBE="$(dirname "$TLCP")/tlcp-ksprobe"
[ -x "$PROBE" ] || { echo "tlcp-ksprobe not built next to $TLCP"; exit 1; }

ALL=ECC_SM4_CBC_SM3,ECC_SM4_GCM_SM3,ECDHE_SM4_CBC_SM3,ECDHE_SM4_GCM_SM3
KEYS=(--key "default:$P/server-sign.pem:$P/server-sign.key:$P/server-enc.pem:$P/server-enc.key"
    --key "cli:$P/client-sign.pem:$P/client-sign.key:$P/client-enc.pem:$P/client-enc.key")
IDENT=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --ca "$P/ca.pem")
CHAN=(--key-server-cert "$P/client-sign.pem" --key-server-key "$P/client-sign.key"
    --key-server-ca "$P/ca.pem")

# start_ks LOG ARGS...: a key server; KS_PID, and KS_PORT when it has TCP.
start_ks() {
    local log=$1
    shift
    "$TLCP" keyserver "$@" 2>"$log" &
    KS_PID=$!
    PIDS+=($KS_PID)
    for _ in $(seq 1 200); do
        grep -q "listening on" "$log" && break
        sleep 0.05
    done
    KS_PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9][0-9]*\) .*/\1/p' "$log" | tail -1)
}
stop_ks() {
    kill -TERM "$KS_PID" 2>/dev/null
    timeout 30 tail --pid="$KS_PID" -f /dev/null || kill -9 "$KS_PID"
    wait "$KS_PID" 2>/dev/null
}

# --- unix socket: every suite, both roles' keys remote ---------------------
SOCK="$W/ks.sock"
start_ks "$W/ks1.log" --listen "unix:$SOCK" "${KEYS[@]}"
if [ "$(stat -c %a "$SOCK")" = 600 ]; then ok "the socket is mode 0600"; else
    bad "socket mode $(stat -c %a "$SOCK")"
fi
start_server "$W/srv1.log" --sign-cert "$P/server-sign.pem" --enc-cert "$P/server-enc.pem" \
    --key-server "unix:$SOCK" --suites "$ALL" --verify require --ca "$P/ca.pem" ||
    { bad "server with --key-server did not start"; sed 's/^/    | /' "$W/srv1.log"; }
for s in ECC_SM4_CBC_SM3 ECC_SM4_GCM_SM3 ECDHE_SM4_CBC_SM3 ECDHE_SM4_GCM_SM3; do
    echo "hello $s" | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --suites "$s" --quiet \
        --sign-cert "$P/client-sign.pem" --enc-cert "$P/client-enc.pem" \
        --key-server "unix:$SOCK" --key-name cli >"$W/out.$s" 2>"$W/err.$s"
    expect_rc 0 $? "$s: server and client keys on the key server"
    expect_grep "$W/out.$s" "hello $s" "$s: echoed"
done
expect_grep "$W/ks1.log" 'key=default op=decrypt result=ok' "the server's ECC decryption ran there"
expect_grep "$W/ks1.log" 'key=default op=kx result=ok' "the server's ECDHE key exchange ran there"
expect_grep "$W/ks1.log" 'key=cli op=kx result=ok' "the client's ECDHE key exchange ran there"
expect_grep "$W/ks1.log" 'key=cli op=sign-digest result=ok' "the client's CertificateVerify ran there"
expect_grep "$W/ks1.log" 'client="uid=' "log lines name the client by uid"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PID=""

# --- the protocol by hand --------------------------------------------------
probe() { timeout 60 "$PROBE" "unix:$SOCK" "$@"; }
probe default ok >"$W/p.ok"
expect_grep "$W/p.ok" "id=7 status=ok" "a well-formed sign-digest request is answered"
probe default sign-msg >"$W/p.msg"
expect_grep "$W/p.msg" "id=1 status=ok" "sign-msg (Z computed by the key server) is answered"
probe default bad-version >"$W/p.v"
expect_grep "$W/p.v" "status=bad version" "version 2: refused"
expect_grep "$W/p.v" "closed" "version 2: connection closed"
probe default too-long >"$W/p.l"
expect_grep "$W/p.l" "status=bad length" "length above 4096: refused"
expect_grep "$W/p.l" "closed" "length above 4096: closed"
probe default too-short >"$W/p.s"
expect_grep "$W/p.s" "status=bad length" "length below the fixed part: refused"
probe default unknown-op >"$W/p.o"
expect_grep "$W/p.o" "status=unknown op" "op 9: unknown op"
expect_grep "$W/p.o" "open" "op 9: the connection stays (the frame was well delimited)"
probe nosuch unknown-key >"$W/p.k"
expect_grep "$W/p.k" "status=unknown key" "key nosuch: unknown key"
probe default bad-field >"$W/p.f"
expect_grep "$W/p.f" "status=malformed" "a 31-byte digest: malformed"
expect_grep "$W/p.f" "closed" "a 31-byte digest: closed"
probe default truncated >"$W/p.t"
expect_grep "$W/p.t" "closed" "truncated frame: closed without an answer"
expect_grep "$W/ks1.log" "truncated frame" "truncated frame: logged"
probe default stale >"$W/p.st"
expect_grep "$W/p.st" "status=replay" "a request an hour old: refused"
probe default replay-same >"$W/p.rs"
if [ "$(grep -c 'status=ok' "$W/p.rs")" = 1 ] && grep -q "id=7 status=replay" "$W/p.rs"; then
    ok "the same frame twice on one connection: the second refused"
else bad "replay on the same connection:"; sed 's/^/    | /' "$W/p.rs"; fi
probe default replay-new >"$W/p.rn"
if [ "$(grep -c 'status=ok' "$W/p.rn")" = 1 ] && grep -q "status=replay" "$W/p.rn"; then
    ok "the same frame on a new connection: refused (nonce seen)"
else bad "replay on a new connection:"; sed 's/^/    | /' "$W/p.rn"; fi
probe default pipeline 50 >"$W/p.pl"
if [ "$(grep -c 'status=ok' "$W/p.pl")" = 50 ] && [ "$(sort -u "$W/p.pl" | grep -c 'id=')" = 50 ]; then
    ok "50 pipelined requests: 50 answers, each id once"
else bad "pipelined requests:"; sed 's/^/    | /' "$W/p.pl"; fi
stop_ks

# --- rate limit --------------------------------------------------------------
start_ks "$W/ks2.log" --listen "unix:$SOCK" "${KEYS[@]}" --rate 1 --burst 3
probe default burst 10 >"$W/p.rl"
n_ok=$(grep -c 'status=ok' "$W/p.rl")
n_rl=$(grep -c 'status=rate limited' "$W/p.rl")
if [ "$n_ok" -ge 3 ] && [ "$n_rl" -ge 1 ] && [ $((n_ok + n_rl)) = 10 ]; then
    ok "rate 1/s burst 3: $n_ok answered, $n_rl rate limited"
else bad "rate limit: $n_ok ok, $n_rl limited"; sed 's/^/    | /' "$W/p.rl"; fi
expect_grep "$W/ks2.log" "result=rate limited" "rate limiting is logged"
stop_ks

# --- TLCP on the unix socket too (--unix-tlcp) -------------------------------
start_ks "$W/ks7.log" --listen "unix:$SOCK" "${KEYS[@]}" "${IDENT[@]}" --unix-tlcp
start_server "$W/srv7.log" --sign-cert "$P/server-sign.pem" --enc-cert "$P/server-enc.pem" \
    --key-server "unix:$SOCK" "${CHAN[@]}"
echo ut | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >"$W/out.ut" 2>&1
expect_rc 0 $? "--unix-tlcp: the server's keys through TLCP on the unix socket"
expect_grep "$W/ks7.log" 'client="C=CN, O=libtlcp, OU=client, CN=TLCP client' \
    "--unix-tlcp: the client is named by its certificate"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
start_server "$W/srv8.log" --sign-cert "$P/server-sign.pem" --enc-cert "$P/server-enc.pem" \
    --key-server "unix:$SOCK"
echo nochan | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
expect_rc 5 $? "--unix-tlcp: an edge speaking plain frames gets nothing signed"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PID=""
stop_ks

# --- in-flight bound and uid check -------------------------------------------
start_ks "$W/ks5.log" --listen "unix:$SOCK" "${KEYS[@]}" --max-in-flight 4
probe default pipeline 50 >"$W/p.busy"
n_ok=$(grep -c 'status=ok' "$W/p.busy")
n_busy=$(grep -c 'status=busy' "$W/p.busy")
if [ "$n_ok" -ge 4 ] && [ "$n_busy" -ge 1 ] && [ $((n_ok + n_busy)) = 50 ]; then
    ok "--max-in-flight 4, 50 pipelined: $n_ok answered, $n_busy busy"
else bad "in-flight bound: $n_ok ok, $n_busy busy"; sed 's/^/    | /' "$W/p.busy"; fi
stop_ks
other=$(( $(id -u) + 4242 ))
start_ks "$W/ks6.log" --listen "unix:$SOCK" "${KEYS[@]}" --allow-uid "$other"
probe default ok >"$W/p.uid"
if grep -q "status=" "$W/p.uid"; then bad "a uid not allowed got an answer"; else
    ok "a uid not allowed gets no answer"; fi
expect_grep "$W/ks6.log" "refused: uid not allowed" "the uid refusal is logged"
stop_ks

# --- TCP: the TLCP channel ---------------------------------------------------
start_ks "$W/ks3.log" --listen 127.0.0.1:0 "${KEYS[@]}" "${IDENT[@]}"
[ -n "$KS_PORT" ] || bad "TCP key server did not start"
echo x | client "127.0.0.1:$KS_PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>"$W/unauth.err"
expect_rc 5 $? "a TLCP client without a certificate: handshake refused"
expect_grep "$W/ks3.log" "refused: TLCP handshake failed" "the refusal is logged"
start_server "$W/srv3.log" --sign-cert "$P/server-sign.pem" --enc-cert "$P/server-enc.pem" \
    --key-server "127.0.0.1:$KS_PORT" "${CHAN[@]}"
echo tcp | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >"$W/out.tcp" 2>&1
expect_rc 0 $? "server keys through the TLCP channel"
expect_grep "$W/ks3.log" 'client="C=CN, O=libtlcp, OU=client, CN=TLCP client' \
    "the channel's client is named by its certificate"

# --pass fd:N read once for an encrypted channel key and an encrypted TLS key
# (a descriptor, like stdin, cannot be read twice: a second read finds EOF).
# fd 3, not stdin: a background job's stdin is /dev/null.
if command -v openssl >/dev/null; then
    openssl pkey -in "$P/client-sign.key" -aes256 -passout pass:s3cret -out "$W/chan-enc.key" 2>/dev/null &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost" \
            -keyout "$W/tls.key" -out "$W/tls.pem" >/dev/null 2>&1 &&
        openssl pkey -in "$W/tls.key" -aes256 -passout pass:s3cret -out "$W/tls-enc.key" 2>/dev/null ||
        bad "openssl: encrypted keys"
    echo s3cret >"$W/pw"
    SRV3=$SRV_PID PORT3=$PORT
    start_server "$W/srv3p.log" --sign-cert "$P/server-sign.pem" --enc-cert "$P/server-enc.pem" \
        --key-server "127.0.0.1:$KS_PORT" --key-server-cert "$P/client-sign.pem" \
        --key-server-key "$W/chan-enc.key" --key-server-ca "$P/ca.pem" \
        --tls-cert "$W/tls.pem" --tls-key "$W/tls-enc.key" --pass fd:3 3<"$W/pw" ||
        { bad "server with two encrypted keys and --pass fd:3 did not start"; sed 's/^/    | /' "$W/srv3p.log"; }
    echo pw | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >"$W/out.pw" 2>&1
    expect_rc 0 $? "--pass fd:3 once: the encrypted channel key reached the key server"
    echo tls | timeout 60 openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -brief >"$W/pw.tls" 2>&1
    expect_grep "$W/pw.tls" "Protocol version: TLSv1.3" "--pass fd:3 once: the encrypted TLS key serves TLS 1.3"
    kill "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null
    SRV_PID=$SRV3 PORT=$PORT3
fi

# killed: handshakes fail cleanly with the reason; restarted: they work again
kill -9 "$KS_PID" 2>/dev/null
wait "$KS_PID" 2>/dev/null
echo down | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>"$W/down.err"
expect_rc 5 $? "key server down: the handshake fails"
expect_grep "$W/down.err" "internal_error" "key server down: the client gets internal_error"
expect_grep "$W/srv3.log" "key server 127.0.0.1:$KS_PORT" "key server down: the log says why"
start_ks "$W/ks4.log" --listen "127.0.0.1:$KS_PORT" "${KEYS[@]}" "${IDENT[@]}"
back=1
for _ in $(seq 1 40); do
    if echo back | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >"$W/out.back" 2>/dev/null; then
        back=0
        break
    fi
    sleep 0.25
done
expect_rc 0 $back "key server back: handshakes work again"
stop_ks
# Under ASan/UBSan (make sanitize) every process reports into its log.
if grep -l "Sanitizer\|runtime error:" "$W"/*.log "$W"/*.err 2>/dev/null; then
    bad "sanitizer reports in the logs above"
else ok "no sanitizer report in any log"; fi
finish
