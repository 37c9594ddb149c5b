#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Certificates from OSSL_STORE URIs and key URIs for the pairs per server
# name, through the test provider (tlcptest:PATH?cert hands out the PEM
# file's certificates) and file: URIs: `tlcp server` (default pair and
# --cert-for with ',' between the fields) and `tlcp proxy` (pair, pair_for)
# with the provider keys of its config (provider, provider_path,
# key_propquery; global and per service) checked at load and in --check.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

command -v openssl >/dev/null || { echo "openssl (the command) not installed: skipped"; exit 77; }
PROV_DIR="$(cd "$(dirname "$TLCP")" && pwd)/ossl-modules"
[ -f "$PROV_DIR/tlcptest.so" ] || { echo "no test provider in $PROV_DIR"; exit 1; }
PROV=(--provider tlcptest --provider-path "$PROV_DIR")
Q="$W/www"
"$TLCP" certgen --out "$Q" --cn www.example >/dev/null 2>&1 || { echo "certgen www failed"; exit 1; }
cat "$P/ca.pem" "$Q/ca.pem" >"$W/both-ca.pem"
# The sign certificate followed by its CA: a chain behind one URI.
cat "$P/server-sign.pem" "$P/ca.pem" >"$W/sign-chain.pem"
DEFAULT=(--sign-cert "tlcptest:$W/sign-chain.pem?cert" --sign-key "tlcptest:$P/server-sign.key"
    --enc-cert "file:$P/server-enc.pem" --enc-key "tlcptest:$P/server-enc.key")
WWW="www.example,tlcptest:$Q/server-sign.pem?cert,tlcptest:$Q/server-sign.key,file:$Q/server-enc.pem,tlcptest:$Q/server-enc.key"

# round NAME PORT TAG [client options]: one line through, echoed?
round() {
    local port=$1 tag=$2
    shift 2
    echo "hello $tag" | client "127.0.0.1:$port" --ca "$W/both-ca.pem" --quiet "$@" >"$W/$tag.out" 2>"$W/$tag.err"
    local rc=$?
    [ "$rc" = 0 ] && grep -qx "hello $tag" "$W/$tag.out" && ok "$tag: echoed" ||
        { bad "$tag: rc $rc $(cat "$W/$tag.out" "$W/$tag.err")"; }
}
server_fails() {
    local what=$1 msg=$2
    shift 2
    timeout 30 "$TLCP" server --port 0 --bind 127.0.0.1 "$@" >"$W/out" 2>"$W/err"
    local rc=$?
    if [ $rc -eq 3 ] && grep -qF -- "$msg" "$W/err"; then ok "$what (exit $rc)"; else
        bad "$what: exit $rc, expected 3 and '$msg' in:"; sed 's/^/    | /' "$W/err"
    fi
}

# ------------------------------------------------------------ tlcp server
start_server "$W/srv.log" "${DEFAULT[@]}" "${PROV[@]}" --cert-for "$WWW" --accept 2 ||
    { bad "server with certificate URIs did not start"; cat "$W/srv.log"; finish; exit 1; }
round "$PORT" default
round "$PORT" named --servername www.example
wait_server
expect_rc 0 $? "server: both clients served"
[ "$(grep -c "handshake ok" "$W/srv.log")" = 2 ] && ok "server: two handshakes" || bad "server log: $(cat "$W/srv.log")"
# The chain behind the URI goes on the wire after the leaves: the client's
# Certificate message is one CA certificate longer than from plain files.
list_len() {
    start_server "$W/srv1.log" "$@" --accept 1 || bad "server for the list length did not start"
    echo x | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --trace >"$W/tr.out" 2>"$W/tr.err"
    wait_server
    sed -n 's/.*certificate_list: length .* (\([0-9]*\) bytes).*/\1/p' "$W/tr.err" | head -1
}
WITH=$(list_len "${DEFAULT[@]}" "${PROV[@]}")
PLAIN=$(list_len "${SERVER_PAIRS[@]}")
CA_LEN=$(openssl x509 -in "$P/ca.pem" -outform DER 2>/dev/null | wc -c)
[ -n "$WITH" ] && [ -n "$PLAIN" ] && [ "$WITH" -eq $((PLAIN + 3 + CA_LEN)) ] &&
    ok "server: the URI's chain is sent ($WITH = $PLAIN + 3 + $CA_LEN bytes)" ||
    bad "certificate_list lengths: URI $WITH, files $PLAIN, CA $CA_LEN"

server_fails "a certificate URI with nothing there" "cannot open certificate URI tlcptest:$W/none.pem?cert" \
    --sign-cert "tlcptest:$W/none.pem?cert" --sign-key "tlcptest:$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "tlcptest:$P/server-enc.key" "${PROV[@]}"
server_fails "a file: certificate URI holding a key only" "no certificate at certificate URI file:$P/server-sign.key" \
    --sign-cert "file:$P/server-sign.key" --sign-key "tlcptest:$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "tlcptest:$P/server-enc.key" "${PROV[@]}"
server_fails "--cert-for: a URI key that is not the certificate's" "does not match certificate" \
    "${DEFAULT[@]}" "${PROV[@]}" --cert-for "www.example,$Q/server-sign.pem,tlcptest:$P/server-sign.key,$Q/server-enc.pem,$Q/server-enc.key"
server_fails "--cert-for: an enc key URI with ECDHE" "cannot compute the SM2 key exchange of the ECDHE suites" \
    --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" --enc-cert "$P/server-enc.pem" \
    --enc-key "$P/server-enc.key" "${PROV[@]}" --suites ECDHE_SM4_GCM_SM3,ECC_SM4_GCM_SM3 --cert-for "$WWW"
server_fails "--cert-for: a key URI without its provider" "no OpenSSL store loader for the scheme 'tlcptest'" \
    "${SERVER_PAIRS[@]}" --cert-for "$WWW"
"$TLCP" server --port 0 "${SERVER_PAIRS[@]}" --cert-for "www.example,a,b,c" >"$W/out" 2>"$W/err"
[ $? = 2 ] && grep -qF "or the fields separated by ',' for URIs" "$W/err" && ok "--cert-for with four fields: usage error" ||
    bad "--cert-for a,b,c: $(cat "$W/err")"

# ------------------------------------------------------------- tlcp proxy
start_echo plain
conf() {
    cat <<CONF
log = $W/access.log
$1

[uri]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$ECHO_PORT
pair = tlcptest:$W/sign-chain.pem?cert tlcptest:$P/server-sign.key file:$P/server-enc.pem tlcptest:$P/server-enc.key
pair_for = www.example tlcptest:$Q/server-sign.pem?cert tlcptest:$Q/server-sign.key $Q/server-enc.pem tlcptest:$Q/server-enc.key
$2
CONF
}
conf "provider = tlcptest
provider_path = $PROV_DIR" "" >"$W/c.conf"
"$TLCP" proxy --config "$W/c.conf" --check >"$W/out" 2>"$W/cerr"
expect_rc 0 $? "proxy --check: global provider keys, URIs in pair and pair_for"
# key_propquery applies to the certificate URIs too: all in tlcptest here.
conf "" "provider = tlcptest
provider_path = $PROV_DIR
key_propquery = provider=tlcptest" | sed "s|file:$P/server-enc.pem|tlcptest:$P/server-enc.pem?cert|" >"$W/c.conf"
"$TLCP" proxy --config "$W/c.conf" --check >"$W/out" 2>"$W/cerr"
expect_rc 0 $? "proxy --check: the provider keys in the service, with key_propquery"
conf "" "" >"$W/c.conf"
conf_error "URIs without provider keys (and no OPENSSL_CONF)" "no OpenSSL store loader for the scheme 'tlcptest'"
conf "provider = nosuch
provider_path = $PROV_DIR" "" >"$W/c.conf"
conf_error "an unknown provider" "c.conf:2: key 'provider': nosuch: cannot load OpenSSL provider 'nosuch'"
conf "provider = tlcptest
provider_path = $W/nodir" "" >"$W/c.conf"
conf_error "provider_path not a directory" "c.conf:3: key 'provider_path': '$W/nodir' is not a directory"
conf "provider_path = $PROV_DIR" "" >"$W/c.conf"
conf_error "provider_path without provider" "c.conf:2: key 'provider_path': no 'provider' to load from it"
conf "provider = tlcptest
provider_path = $PROV_DIR
key_propquery = provider=nosuch" "" >"$W/c.conf"
conf_error "a key_propquery no provider answers" "key 'sign_cert': signing pair tlcptest:$W/sign-chain.pem?cert / tlcptest:$P/server-sign.key: no OpenSSL store loader"
# A service's own provider keys replace the global ones.
conf "provider = nosuch
provider_path = $PROV_DIR" "provider = tlcptest" >"$W/c.conf"
"$TLCP" proxy --config "$W/c.conf" --check >"$W/out" 2>"$W/cerr"
[ $? = 0 ] && ok "proxy: a service's provider replaces the global one" ||
    bad "service override: $(cat "$W/cerr")"
"$TLCP" proxy --accept 127.0.0.1:0 --connect 127.0.0.1:9 --terminate \
    --sign-cert "tlcptest:$W/sign-chain.pem?cert" --sign-key "tlcptest:$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "tlcptest:$P/server-enc.key" \
    --provider tlcptest --provider-path "$PROV_DIR" --check >"$W/out" 2>"$W/cerr"
expect_rc 0 $? "proxy command line: --provider and --provider-path"

conf "provider = tlcptest
provider_path = $PROV_DIR" "" >"$W/p.conf"
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
PX=$(port_of "$W/proxy.log" uri)
round "$PX" pxdefault
round "$PX" pxnamed --servername www.example
round "$PX" pxnamed-cbc --servername www.example --suites ECC_SM4_CBC_SM3
stop_proxy
expect_rc 0 "$PX_RC" "proxy stops cleanly"
[ "$(grep -c "service=uri .*sni=www.example .*result=ok" "$W/access.log")" = 2 ] &&
    ok "access log: the named pair served www.example twice" || { bad "access log:"; sed 's/^/    | /' "$W/access.log"; }
if grep -l "Sanitizer" "$W"/srv*.log "$W"/proxy.log >/dev/null 2>&1; then
    bad "sanitizer reports:"; grep -h -A12 "Sanitizer" "$W"/srv*.log "$W"/proxy.log | head -60
else
    ok "no sanitizer report from the servers or the proxy"
fi
finish
