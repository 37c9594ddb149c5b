#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The TLS side's options on the one port of `tlcp server` and `tlcp proxy`:
# an encrypted TLS key with the right, a wrong and no passphrase; client
# certificates (require / optional) with `openssl s_client -cert/-key`
# from the right CA, from another CA and without one, over TLS 1.2 and
# 1.3, the subject in the server log and in the access log's peer=; the
# lowest version; cipher strings and ALPN, with bad values refused at load
# naming the flag or the key.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

command -v openssl >/dev/null || { echo "openssl (the command) not installed: skipped"; exit 77; }

EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2)
# The server's pair (self-signed for localhost), its key also encrypted.
openssl req -x509 "${EC[@]}" -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
    -keyout "$W/tls.key" -out "$W/tls.pem" >/dev/null 2>&1 || { bad "openssl req"; finish; exit 1; }
openssl pkey -in "$W/tls.key" -aes256 -passout pass:s3cret -out "$W/tls-enc.key" 2>/dev/null ||
    { bad "openssl pkey -aes256"; finish; exit 1; }
# Two client CAs, a client certificate from each.
client_ca() {
    openssl req -x509 "${EC[@]}" -subj "/CN=$1 CA" -keyout "$W/$1-ca.key" -out "$W/$1-ca.pem" >/dev/null 2>&1 &&
        openssl req "${EC[@]}" -subj "/O=Test/CN=$1 client" -keyout "$W/$1.key" -out "$W/$1.csr" >/dev/null 2>&1 &&
        openssl x509 -req -in "$W/$1.csr" -CA "$W/$1-ca.pem" -CAkey "$W/$1-ca.key" -CAcreateserial \
            -days 2 -out "$W/$1.pem" >/dev/null 2>&1
}
client_ca good && client_ca other || { bad "openssl: client certificates"; finish; exit 1; }

# tls_try TAG PORT FLAG [s_client options]: one line out, its echo back?
# 0 when the echo came (rc of s_client in $TLS_RC, its stderr in $W/TAG.err).
tls_try() {
    local tag=$1 port=$2 flag=$3
    shift 3
    rm -f "$W/$tag.out"
    (printf 'hello %s\n' "$tag"
     # until the echo, or s_client's error (a refused handshake)
     for _ in $(seq 1 300); do
         grep -q "hello $tag" "$W/$tag.out" 2>/dev/null && break
         grep -qi "error\|alert" "$W/$tag.err" 2>/dev/null && break
         sleep 0.1
     done) |
        timeout 60 openssl s_client -connect "127.0.0.1:$port" "$flag" -servername localhost \
            -CAfile "$W/tls.pem" -verify_return_error -quiet -no_ign_eof -nocommands "$@" \
            >"$W/$tag.out" 2>"$W/$tag.err"
    TLS_RC=$?
    grep -qx "hello $tag" "$W/$tag.out"
}
served() { if tls_try "$@"; then ok "$1: served"; else bad "$1: not served (s_client rc $TLS_RC)"; sed 's/^/    | /' "$W/$1.err"; fi; }
refused() { if tls_try "$@"; then bad "$1: served, expected a failed handshake"; else ok "$1: refused (s_client rc $TLS_RC)"; fi; }

# server_fails WHAT MESSAGE ARGS...: tlcp server ARGS exits 3 saying MESSAGE.
server_fails() {
    local what=$1 msg=$2
    shift 2
    timeout 30 "$TLCP" server --port 0 --bind 127.0.0.1 "${SERVER_PAIRS[@]}" "$@" >"$W/out" 2>"$W/err"
    local rc=$?
    if [ $rc -eq "${WANT_RC:-3}" ] && grep -qF -- "$msg" "$W/err"; then ok "$what (exit $rc)"; else
        bad "$what: exit $rc, expected ${WANT_RC:-3} and '$msg' in:"; sed 's/^/    | /' "$W/err"
    fi
}
CLIENT_GOOD=(-cert "$W/good.pem" -key "$W/good.key")
CLIENT_OTHER=(-cert "$W/other.pem" -key "$W/other.key")

# ------------------------------------------------ tlcp server: passphrase
server_fails "server: encrypted TLS key without --pass" \
    "the TLS key is encrypted and no passphrase is given" --tls-cert "$W/tls.pem" --tls-key "$W/tls-enc.key"
server_fails "server: encrypted TLS key, wrong --pass" \
    "cannot decrypt the TLS key (wrong passphrase?)" --tls-cert "$W/tls.pem" --tls-key "$W/tls-enc.key" --pass pass:nope
# The passphrase comes from stdin: read once, for the TLCP keys and the TLS key.
printf 's3cret\n' >"$W/pw"
"$TLCP" server --port 0 --bind 127.0.0.1 "${SERVER_PAIRS[@]}" --tls-cert "$W/tls.pem" \
    --tls-key "$W/tls-enc.key" --pass stdin --accept 1 <"$W/pw" 2>"$W/srvpw.log" &
SRV_PID=$!
wait_listening "$W/srvpw.log" && ok "server: encrypted TLS key with --pass stdin" ||
    { bad "server with --pass did not start"; cat "$W/srvpw.log"; }
served pw13 "$PORT" -tls1_3
wait_server
expect_rc 0 $? "server: --accept 1 after the TLS client"

# --------------------------------------------- tlcp server: usage checks
WANT_RC=2 server_fails "--tls-verify-client wants a mode" "--tls-verify-client wants none, optional or require, not 'maybe'" \
    --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" --tls-verify-client maybe --tls-ca "$W/good-ca.pem"
WANT_RC=2 server_fails "--tls-verify-client without --tls-ca" "--tls-verify-client require needs --tls-ca" \
    --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" --tls-verify-client require
WANT_RC=2 server_fails "--tls-ca without --tls-verify-client" "--tls-ca needs --tls-verify-client" \
    --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" --tls-ca "$W/good-ca.pem"
WANT_RC=2 server_fails "--tls-ciphers that selects nothing" "--tls-ciphers: libssl selects no TLS 1.2 suite from 'NO-SUCH-CIPHER'" \
    --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" --tls-ciphers NO-SUCH-CIPHER
WANT_RC=2 server_fails "--tls-ciphersuites that selects nothing" "--tls-ciphersuites: libssl selects no TLS 1.3 suite from 'TLS_NOPE'" \
    --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" --tls-ciphersuites TLS_NOPE
WANT_RC=2 server_fails "--tls-min-version 1.1" "--tls-min-version: wants 1.2 or 1.3, not '1.1'" \
    --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" --tls-min-version 1.1
WANT_RC=2 server_fails "--tls-* without --tls-cert" "the --tls-* options need --tls-cert and --tls-key" \
    --tls-min-version 1.3
server_fails "--tls-ca that holds no certificate" "cannot load the TLS CA file" \
    --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" --tls-verify-client require --tls-ca "$W/good.key"

# ---------------------------------- tlcp server: client certificates etc.
start_server "$W/srv.log" "${SERVER_PAIRS[@]}" --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" \
    --tls-verify-client require --tls-ca "$W/good-ca.pem" --alpn h2,http/1.1 ||
    { bad "server (require) did not start"; cat "$W/srv.log"; finish; exit 1; }
for v in 1_2 1_3; do
    served "srv-good$v" "$PORT" "-tls$v" "${CLIENT_GOOD[@]}" -alpn http/1.1
    refused "srv-other$v" "$PORT" "-tls$v" "${CLIENT_OTHER[@]}"
    refused "srv-none$v" "$PORT" "-tls$v"
done
echo tlcp | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >"$W/out" 2>&1
[ "$(cat "$W/out")" = tlcp ] && ok "server: TLCP on the same port is unaffected" || bad "TLCP: $(cat "$W/out")"
for _ in $(seq 1 100); do [ "$(grep -c "handshake failed" "$W/srv.log")" -ge 4 ] && break; sleep 0.1; done
[ "$(grep -c "handshake ok: .*ALPN: http/1.1, client O=Test, CN=good client, protocol tls1\.[23]" "$W/srv.log")" = 2 ] &&
    ok "server log: ALPN and the client's subject, TLS 1.2 and 1.3" ||
    { bad "server log lacks the client subject:"; sed 's/^/    | /' "$W/srv.log"; }
[ "$(grep -c "handshake failed" "$W/srv.log")" -ge 4 ] && ok "server log: the refused clients fail their handshake" ||
    { bad "refusals not logged"; sed 's/^/    | /' "$W/srv.log"; }
grep -q "certificate verify failed\|unknown ca\|peer did not return a certificate\|certificate required" "$W/srv.log" &&
    ok "server log says why" || bad "no reason in the log"
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""

# optional: no certificate is fine, a certificate from another CA is not.
start_server "$W/srv2.log" "${SERVER_PAIRS[@]}" --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" \
    --tls-verify-client optional --tls-ca "$W/good-ca.pem" --tls-min-version 1.3 \
    --tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256 --alpn h2 --alpn-required ||
    { bad "server (optional) did not start"; finish; exit 1; }
served srv-opt-none "$PORT" -tls1_3 -alpn h2
served srv-opt-good "$PORT" -tls1_3 -alpn h2 "${CLIENT_GOOD[@]}"
refused srv-opt-other "$PORT" -tls1_3 -alpn h2 "${CLIENT_OTHER[@]}"
refused srv-min13 "$PORT" -tls1_2 -alpn h2
refused srv-noalpn "$PORT" -tls1_3 -alpn spdy/1
for _ in $(seq 1 100); do [ "$(grep -c "handshake" "$W/srv2.log")" -ge 5 ] && break; sleep 0.1; done
grep -q "handshake ok: TLS_CHACHA20_POLY1305_SHA256, .*ALPN: h2, protocol tls1.3" "$W/srv2.log" &&
    ok "server: --tls-ciphersuites chose the suite" || bad "suite: $(grep 'handshake ok' "$W/srv2.log")"
grep -q "no application protocol\|no_application_protocol" "$W/srv2.log" && ok "server: --alpn-required refuses on TLS" ||
    bad "ALPN refusal not logged: $(cat "$W/srv2.log")"
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""

start_server "$W/srv3.log" "${SERVER_PAIRS[@]}" --tls-cert "$W/tls.pem" --tls-key "$W/tls.key" \
    --tls-ciphers ECDHE-ECDSA-AES128-GCM-SHA256 || { bad "server (ciphers) did not start"; finish; exit 1; }
served srv-cipher "$PORT" -tls1_2
for _ in $(seq 1 50); do grep -q "handshake ok" "$W/srv3.log" && break; sleep 0.1; done
expect_grep "$W/srv3.log" "handshake ok: ECDHE-ECDSA-AES128-GCM-SHA256, " "server: --tls-ciphers chose the TLS 1.2 suite"
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""

# -------------------------------------------------- proxy: config checks
svc() { printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\n%s\ntls_cert = %s\n' "$PAIR_LINE" "$W/tls.pem"; }
{ svc; echo "tls_key = $W/tls-enc.key"; } >"$W/c.conf"
conf_error "encrypted tls_key without pass" "c.conf:7: key 'tls_key': $W/tls.pem / $W/tls-enc.key: the TLS key is encrypted and no passphrase is given"
{ svc; echo "tls_key = $W/tls-enc.key"; echo "pass = wrong"; } >"$W/c.conf"
conf_error "encrypted tls_key, wrong pass" "c.conf:7: key 'tls_key': $W/tls.pem / $W/tls-enc.key: cannot decrypt the TLS key (wrong passphrase?)"
{ svc; echo "tls_key = $W/tls-enc.key"; echo "pass = s3cret"; } >"$W/c.conf"
"$TLCP" proxy --config "$W/c.conf" --check >"$W/out" 2>"$W/cerr"
expect_rc 0 $? "proxy: encrypted tls_key with the service's pass"
{ svc; echo "tls_key = $W/tls.key"; echo "tls_ciphers = NO-SUCH-CIPHER"; } >"$W/c.conf"
conf_error "tls_ciphers that selects nothing" "c.conf:8: key 'tls_ciphers': libssl selects no TLS 1.2 suite from 'NO-SUCH-CIPHER'"
{ svc; echo "tls_key = $W/tls.key"; echo "tls_ciphersuites = TLS_NOPE"; } >"$W/c.conf"
conf_error "tls_ciphersuites that selects nothing" "c.conf:8: key 'tls_ciphersuites': libssl selects no TLS 1.3 suite"
{ svc; echo "tls_key = $W/tls.key"; echo "tls_min_version = 1.0"; } >"$W/c.conf"
conf_error "tls_min_version 1.0" "c.conf:8: key 'tls_min_version': wants 1.2 or 1.3, not '1.0'"
{ svc; echo "tls_key = $W/tls.key"; echo "tls_alpn = h2,,x"; } >"$W/c.conf"
conf_error "a malformed tls_alpn" "c.conf:8: key 'tls_alpn': "
{ svc; echo "tls_key = $W/tls.key"; echo "tls_verify_client = always"; } >"$W/c.conf"
conf_error "tls_verify_client wants a mode" "c.conf:8: key 'tls_verify_client': wants none, optional or require, not 'always'"
{ svc; echo "tls_key = $W/tls.key"; echo "tls_verify_client = require"; } >"$W/c.conf"
conf_error "tls_verify_client without tls_ca" "c.conf:8: key 'tls_verify_client': asks for client certificates: key 'tls_ca' missing"
{ svc; echo "tls_key = $W/tls.key"; echo "tls_ca = $W/good-ca.pem"; } >"$W/c.conf"
conf_error "tls_ca without tls_verify_client" "c.conf:8: key 'tls_ca': needs 'tls_verify_client = optional|require'"
{ svc; echo "tls_key = $W/tls.key"; echo "tls_verify_client = require"; echo "tls_ca = $W/nothing.pem"; } >"$W/c.conf"
conf_error "a tls_ca that is not there" "c.conf:9: key 'tls_ca': "
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\n%s\ntls_min_version = 1.3\n' "$PAIR_LINE" >"$W/c.conf"
conf_error "tls_* options without tls_cert" "key 'tls_cert': missing: the tls_* options apply to a service with tls_cert and tls_key"

# ------------------------------------------ proxy: client certificates
start_echo plain
cat >"$W/p.conf" <<CONF
log = $W/access.log

[mtls]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO_PORT
$PAIR_LINE
pass = s3cret
tls_cert = $W/tls.pem
tls_key = $W/tls-enc.key
tls_verify_client = require
tls_ca = $W/good-ca.pem
tls_min_version = 1.2
tls_alpn = http/1.1
CONF
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
MT=$(port_of "$W/proxy.log" mtls)
for v in 1_2 1_3; do
    served "px-good$v" "$MT" "-tls$v" "${CLIENT_GOOD[@]}" -alpn http/1.1
    refused "px-other$v" "$MT" "-tls$v" "${CLIENT_OTHER[@]}"
    refused "px-none$v" "$MT" "-tls$v"
done
echo tlcp | client "127.0.0.1:$MT" --ca "$P/ca.pem" --quiet >"$W/out" 2>&1
[ "$(cat "$W/out")" = tlcp ] && ok "proxy: TLCP on the same port" || bad "proxy TLCP: $(cat "$W/out")"
stop_proxy
expect_rc 0 "$PX_RC" "proxy stops cleanly"
L="$W/access.log"
[ "$(grep -c 'service=mtls .*result=ok .*proto=tls1\.[23] peer="O=Test, CN=good client"$' "$L")" = 2 ] &&
    ok "access log: the client's subject in peer=, TLS 1.2 and 1.3" || { bad "access log peer="; sed 's/^/    | /' "$L"; }
[ "$(grep -c 'service=mtls .*result=handshake_failed.*proto=tls ' "$L")" -ge 4 ] &&
    ok "access log: the four refused clients failed their handshake" || { bad "access log refusals"; sed 's/^/    | /' "$L"; }
grep -q 'service=mtls .*result=handshake_failed.*alert_sent=certificate_required .*proto=tls ' "$L" &&
    ok "access log: a TLS 1.3 client without certificate under require: certificate_required sent" ||
    { bad "access log: no certificate_required"; sed 's/^/    | /' "$L"; }
grep -q 'service=mtls .*result=ok .*proto=tlcp peer=-$' "$L" && ok "access log: peer=- for a TLCP client without certificate" ||
    bad "access log: no TLCP line with peer=-"
if grep -l "Sanitizer" "$W"/srv*.log "$W"/proxy.log >/dev/null 2>&1; then
    bad "sanitizer reports:"; grep -h -A12 "Sanitizer" "$W"/srv*.log "$W"/proxy.log | head -60
else
    ok "no sanitizer report from the servers or the proxy"
fi
finish
