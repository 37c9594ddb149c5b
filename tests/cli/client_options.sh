#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Client and server options people expect from openssl s_client/s_server:
# --pass sources, --ca-dir, --showcerts, --sess-out/--sess-in, --compat
# gmssl2, and the usage errors of incomplete certificate options.
. "$(dirname "$0")/lib/common.bash"

P="$W/pki"
"$TLCP" certgen --out "$P" --client >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
SERVER_PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")
CLIENT_PAIRS=(--sign-cert "$P/client-sign.pem" --sign-key "$P/client-sign.key"
    --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key")
client() { timeout 60 "$TLCP" client "$@"; }

# --- usage errors (exit 2) before anything is loaded or connected ---
usage() { # message what args...
    local msg=$1 what=$2
    shift 2
    client 127.0.0.1:1 "$@" </dev/null >/dev/null 2>"$W/err"
    expect_rc 2 $? "$what"
    expect_grep "$W/err" "$msg" "$what: message"
}
usage "--sign-cert, --sign-key, --enc-cert and --enc-key go together: give all four" \
    "client with --sign-cert only" --sign-cert "$P/client-sign.pem"
usage "give all four" "client without --enc-key" --sign-cert "$P/client-sign.pem" \
    --sign-key "$P/client-sign.key" --enc-cert "$P/client-enc.pem"
usage "ECDHE suites need a client certificate pair: give --sign-cert, --sign-key, --enc-cert and --enc-key" \
    "ECDHE suite without a client pair" --suites ECDHE_SM4_GCM_SM3
usage "ECDHE suites need a client certificate pair" "ECDHE in a mixed list without a client pair" \
    --suites ECC_SM4_GCM_SM3,0xE011
usage "--chain goes with the client certificates" "--chain without client certificates" --chain "$P/ca.pem"
usage "--pass fd:N wants a file descriptor number, not 'x'" "--pass fd:x" "${CLIENT_PAIRS[@]}" --pass fd:x
usage "--pass env: needs a name after the colon" "--pass env:" "${CLIENT_PAIRS[@]}" --pass env:
usage "--compat wants gmssl3, gmssl2 or standard" "unknown --compat" --compat gmssl1
"$TLCP" server --port 0 "${SERVER_PAIRS[@]}" --pass file: 2>"$W/err"
expect_rc 2 $? "server --pass file:"

# --- --pass sources (server keys encrypted with "secret") ---
openssl pkcs8 -topk8 -in "$P/server-sign.key" -passout pass:secret -v2 aes-256-cbc -out "$W/sign.enc.key" &&
    openssl pkcs8 -topk8 -in "$P/client-sign.key" -passout pass:csecret -v2 aes-256-cbc -out "$W/csign.enc.key" ||
    { bad "openssl could not encrypt the keys"; finish; exit 1; }
ENC_PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$W/sign.enc.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")
printf 'secret\n' >"$W/pw"
printf 'secret\r\nnext line\n' >"$W/pw.crlf"
try_pass() { # what args... (the server must start and serve one client)
    local what=$1
    shift
    if start_server "$W/pass.log" "${ENC_PAIRS[@]}" --accept 1 "$@"; then
        echo x | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
        expect_rc 0 $? "--pass $what: handshake"
        wait_server
    else
        bad "--pass $what: server did not start: $(cat "$W/pass.log")"
    fi
}
start_server "$W/pass.log" "${ENC_PAIRS[@]}" --accept 1 --pass pass:secret ||
    bad "--pass pass:TEXT: $(cat "$W/pass.log")"
tr '\0' ' ' <"/proc/$SRV_PID/cmdline" >"$W/cmdline"
grep -q secret "$W/cmdline" && bad "the passphrase is still in /proc/PID/cmdline" ||
    ok "--pass pass:TEXT is wiped from the command line"
echo x | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
expect_rc 0 $? "--pass pass:TEXT: handshake"
wait_server
PW=secret try_pass env:PW --pass env:PW
try_pass file:PATH --pass file:"$W/pw"
try_pass "file:PATH (CRLF, first line)" --pass file:"$W/pw.crlf"
try_pass fd:3 --pass fd:3 3<"$W/pw"
# (a background job's stdin is /dev/null unless redirected on the command itself)
"$TLCP" server --bind 127.0.0.1 --port 0 "${ENC_PAIRS[@]}" --accept 1 --pass stdin <"$W/pw" 2>"$W/pass.log" &
SRV_PID=$!
wait_listening "$W/pass.log" || bad "--pass stdin: server did not start: $(cat "$W/pass.log")"
echo x | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
expect_rc 0 $? "--pass stdin: handshake"
wait_server
try_pass "bare value" --pass secret
refuse() { # message what args...
    local msg=$1 what=$2
    shift 2
    timeout 30 "$TLCP" server --bind 127.0.0.1 --port 0 "${ENC_PAIRS[@]}" "$@" </dev/null >/dev/null 2>"$W/err"
    expect_rc 3 $? "$what"
    expect_grep "$W/err" "$msg" "$what: message"
}
refuse "--pass env:NO_SUCH_VAR_X: environment variable NO_SUCH_VAR_X is not set" "--pass env: unset" --pass env:NO_SUCH_VAR_X
refuse "--pass file:$W/missing: No such file or directory" "--pass file: missing" --pass "file:$W/missing"
refuse "wrong passphrase" "--pass file: wrong passphrase" --pass "file:$P/ca.pem"
# the client reads the first line of stdin as the passphrase, the rest is data
start_server "$W/c.log" "${SERVER_PAIRS[@]}" --accept 1 --verify require --ca "$P/ca.pem" || bad "server for client --pass"
printf 'csecret\nafter the passphrase\n' | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --pass stdin --quiet \
    --sign-cert "$P/client-sign.pem" --sign-key "$W/csign.enc.key" \
    --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key" >"$W/out" 2>"$W/err"
expect_rc 0 $? "client --pass stdin with an encrypted client key"
[ "$(cat "$W/out")" = "after the passphrase" ] && ok "stdin after the passphrase line goes to the server" ||
    bad "client got: $(cat "$W/out") / $(cat "$W/err")"
wait_server

# --- --ca-dir, --showcerts, --compat gmssl2 ---
mkdir -p "$W/cadir"
cp "$P/ca.pem" "$W/cadir/root.pem"
start_server "$W/srv.log" "${SERVER_PAIRS[@]}" --accept 4 --verify require --ca-dir "$W/cadir" --trace ||
    bad "server with --ca-dir did not start"
echo x | client "localhost:$PORT" --ca-dir "$W/cadir" "${CLIENT_PAIRS[@]}" --showcerts >"$W/out" 2>"$W/err"
expect_rc 0 $? "client --ca-dir verifies the server, server --ca-dir verifies the client"
grep -q "no --ca given" "$W/err" && bad "--ca-dir still warned about no verification" || ok "--ca-dir turns verification on"
expect_grep "$W/err" "server sign certificate (PEM):" "--showcerts labels the sign certificate"
expect_grep "$W/err" "server enc certificate (PEM):" "--showcerts labels the enc certificate"
sed -n '/server sign certificate (PEM):/,/END CERTIFICATE/p' "$W/err" | sed 1d >"$W/shown.pem"
openssl x509 -in "$W/shown.pem" -outform DER -out "$W/shown.der" 2>/dev/null &&
    openssl x509 -in "$P/server-sign.pem" -outform DER -out "$W/real.der" &&
    cmp -s "$W/shown.der" "$W/real.der" && ok "--showcerts prints the server's sign certificate exactly" ||
    bad "--showcerts output is not the sign certificate"
echo x | client "localhost:$PORT" --ca "$P/ca.pem" --ca-dir "$W/other-missing" >/dev/null 2>"$W/err"
expect_rc 3 $? "client --ca-dir that does not exist"
expect_grep "$W/err" "CA directory $W/other-missing" "missing --ca-dir is named"
echo x | client "localhost:$PORT" --ca "$P/ca.pem" "${CLIENT_PAIRS[@]}" --compat gmssl2 >/dev/null 2>"$W/err"
expect_rc 0 $? "client --compat gmssl2 with client certificates"
expect_grep "$W/srv.log" "client CertificateVerify signs SM3(handshake messages) without Z (GmSSL 2 convention); accepted" \
    "the server saw GmSSL 2's CertificateVerify form"
n=$(grep -c "GmSSL 2 convention" "$W/srv.log")
[ "$n" = 1 ] && ok "only the --compat gmssl2 client used GmSSL 2's form" || bad "$n GmSSL 2 CertificateVerify lines"
echo x | client "localhost:$PORT" --ca "$P/ca.pem" --compat gmssl2 >/dev/null 2>"$W/err"
expect_rc 5 $? "client without a certificate against --verify require"
expect_grep "$W/err" "handshake failed: peer sent alert handshake_failure" "the alert is named"
expect_grep "$W/err" "the server requires a client certificate: give --sign-cert, --sign-key, --enc-cert and --enc-key" \
    "the client says the server wants a certificate"
wait_server

# --- --sess-out / --sess-in ---
start_server "$W/s.log" "${SERVER_PAIRS[@]}" --accept 4 || bad "session server did not start"
echo one | client "localhost:$PORT" --ca "$P/ca.pem" --sess-out "$W/sess.pem" >/dev/null 2>"$W/err"
expect_rc 0 $? "client --sess-out"
[ "$(stat -c %a "$W/sess.pem")" = 600 ] && ok "the session file has mode 0600" ||
    bad "session file mode $(stat -c %a "$W/sess.pem")"
expect_grep "$W/sess.pem" "-----BEGIN TLCP SESSION PARAMETERS-----" "the session file is PEM"
echo two | client "localhost:$PORT" --ca "$P/ca.pem" --sess-in "$W/sess.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "client --sess-in"
expect_grep "$W/err" "session: resumed" "the second connection resumed the saved session"
[ "$(cat "$W/out")" = two ] && ok "data after the resumed handshake" || bad "got $(cat "$W/out")"
# the session is bound to the host name: another --servername makes a full handshake
echo three | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --sess-in "$W/sess.pem" >/dev/null 2>"$W/err"
expect_rc 0 $? "client --sess-in with another host name"
expect_grep "$W/err" "session: new (the server did not resume the offered session)" \
    "a session saved for localhost is not resumed for 127.0.0.1"
# a damaged file is refused (exit 3) with the reason
sed '2s/^\(.\{20\}\)./\1A/;2s/^\(.\{20\}\)AA/\1BA/' "$W/sess.pem" >"$W/bad.pem"
cmp -s "$W/sess.pem" "$W/bad.pem" && sed -i '2s/^\(.\{20\}\)./\1B/' "$W/bad.pem"
client "localhost:$PORT" --ca "$P/ca.pem" --sess-in "$W/bad.pem" </dev/null >/dev/null 2>"$W/err"
expect_rc 3 $? "client --sess-in with a corrupted file"
expect_grep "$W/err" "--sess-in $W/bad.pem: session data corrupted (checksum mismatch)" "corruption is explained"
head -c 100 "$W/sess.pem" >"$W/short.pem"
client "localhost:$PORT" --ca "$P/ca.pem" --sess-in "$W/short.pem" </dev/null >/dev/null 2>"$W/err"
expect_rc 3 $? "client --sess-in with a truncated file"
expect_grep "$W/err" "not libtlcp session data (or truncated)" "truncation is explained"
client "localhost:$PORT" --ca "$P/ca.pem" --sess-in "$W/none.pem" </dev/null >/dev/null 2>"$W/err"
expect_rc 3 $? "client --sess-in with a missing file"
echo four | client "localhost:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
wait_server
n=$(grep -c "handshake ok: ECC_SM4_GCM_SM3, resumed" "$W/s.log")
[ "$n" = 1 ] && ok "the server logged one resumed handshake" || bad "$n resumed handshakes in the log"
finish
