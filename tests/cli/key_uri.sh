#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Keys given as URIs on the command line: tlcp server and tlcp client with
# their keys held by the test provider (tests/provider, tlcptest:PATH),
# loaded with --provider/--provider-path or through OPENSSL_CONF; ECC both
# roles; ECDHE with a provider enc key refused clearly; an unknown scheme,
# a provider that is not there, a provider that fails its signature.
. "$(dirname "$0")/lib/common.bash"

PROV_DIR="$(cd "$(dirname "$TLCP")" && pwd)/ossl-modules"
[ -f "$PROV_DIR/tlcptest.so" ] || { echo "no test provider in $PROV_DIR"; exit 1; }
P="$W/pki"
"$TLCP" certgen --out "$P" --client >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
PROV=(--provider tlcptest --provider-path "$PROV_DIR")
SERVER_URIS=(--sign-cert "$P/server-sign.pem" --sign-key "tlcptest:$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "tlcptest:$P/server-enc.key")
CLIENT_URIS=(--sign-cert "$P/client-sign.pem" --sign-key "tlcptest:$P/client-sign.key"
    --enc-cert "$P/client-enc.pem" --enc-key "tlcptest:$P/client-enc.key")
client() { timeout 60 "$TLCP" client "$@"; }

# --- server keys in the provider: both ECC suites ---
start_server "$W/srv.log" "${SERVER_URIS[@]}" "${PROV[@]}" --accept 2 ||
    { bad "server with key URIs did not start"; cat "$W/srv.log"; finish; exit 1; }
ok "server with key URIs started on port $PORT"
for suite in ECC_SM4_GCM_SM3 ECC_SM4_CBC_SM3; do
    echo "via the provider" | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --suites $suite \
        >"$W/out" 2>"$W/err"
    expect_rc 0 $? "client round trip, $suite, server keys in the provider"
    [ "$(cat "$W/out")" = "via the provider" ] && ok "echoed ($suite)" || bad "echo: $(cat "$W/out")"
done
wait_server
expect_rc 0 $? "server exits 0 after --accept 2"

# --- client certificates with their keys in the provider too ---
start_server "$W/srv2.log" "${SERVER_URIS[@]}" "${PROV[@]}" --accept 1 --verify require \
    --ca "$P/ca.pem" || bad "client-auth server did not start"
echo mutual | client "127.0.0.1:$PORT" --ca "$P/ca.pem" "${CLIENT_URIS[@]}" "${PROV[@]}" \
    >"$W/out" 2>"$W/err"
expect_rc 0 $? "client with key URIs authenticates (CertificateVerify signed in the provider)"
expect_grep "$W/out" "mutual" "data after mutual authentication"
wait_server
expect_grep "$W/srv2.log" "handshake ok" "server logs the handshake"

# --- ECDHE: a provider signing key works; a provider enc key is refused ---
start_server "$W/srv3.log" --sign-cert "$P/server-sign.pem" --sign-key "tlcptest:$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" "${PROV[@]}" --accept 1 \
    --suites ECDHE_SM4_GCM_SM3 || bad "ECDHE server did not start"
echo ecdhe | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --suites ECDHE_SM4_GCM_SM3 \
    --sign-cert "$P/client-sign.pem" --sign-key "$P/client-sign.key" \
    --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key" >"$W/out" 2>"$W/err"
expect_rc 0 $? "ECDHE with the server's signing key in the provider"
wait_server
"$TLCP" server --port 0 --bind 127.0.0.1 "${SERVER_URIS[@]}" "${PROV[@]}" \
    --suites ECDHE_SM4_GCM_SM3 >"$W/out" 2>"$W/err"
rc=$?
[ $rc -ne 0 ] && ok "ECDHE with an enc key URI refused (exit $rc)" || bad "ECDHE with an enc key URI started"
expect_grep "$W/err" "cannot compute the SM2 key exchange of the ECDHE suites" "the refusal says why"

# --- failures: no provider for the scheme, a missing provider, a failing one ---
"$TLCP" server --port 0 --bind 127.0.0.1 "${SERVER_URIS[@]}" >"$W/out" 2>"$W/err"
[ $? -ne 0 ] && ok "key URI without its provider refused" || bad "started without the provider"
expect_grep "$W/err" "no OpenSSL store loader for the scheme 'tlcptest'" "names the scheme"
"$TLCP" server --port 0 --bind 127.0.0.1 "${SERVER_URIS[@]}" --provider nosuch \
    --provider-path "$PROV_DIR" >"$W/out" 2>"$W/err"
[ $? -ne 0 ] && ok "missing provider refused" || bad "started with a missing provider"
expect_grep "$W/err" "--provider nosuch: cannot load OpenSSL provider 'nosuch'" "names the provider"
start_server "$W/srv4.log" --sign-cert "$P/server-sign.pem" \
    --sign-key "tlcptest:$P/server-sign.key?fail=sign" --enc-cert "$P/server-enc.pem" \
    --enc-key "tlcptest:$P/server-enc.key" "${PROV[@]}" --accept 1 || bad "failing server did not start"
echo x | client "127.0.0.1:$PORT" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
expect_rc 5 $? "client fails when the server's provider cannot sign"
expect_grep "$W/err" "internal_error" "the client got internal_error"
wait_server
expect_grep "$W/srv4.log" "delegated signature with the signing key failed" "server logs the failed signature"

# --- tlcp proxy: key lines accept URIs (providers from OPENSSL_CONF) ---
proxy_section() {
    local peer
    peer="$(dirname "$TLCP")/tlcp-testpeer"
    "$peer" echo "$W/echo.port" &
    local echo_pid=$!
    for _ in $(seq 1 100); do [ -s "$W/echo.port" ] && break; sleep 0.05; done
    cat >"$W/px.conf" <<CONF
[uri]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$(cat "$W/echo.port")
pair = $P/server-sign.pem tlcptest:$P/server-sign.key $P/server-enc.pem tlcptest:$P/server-enc.key
CONF
    OPENSSL_CONF="$W/openssl.cnf" "$TLCP" proxy --config "$W/px.conf" 2>"$W/px.log" &
    local px_pid=$!
    for _ in $(seq 1 200); do
        grep -q "listening on" "$W/px.log" && break
        kill -0 $px_pid 2>/dev/null || break
        sleep 0.05
    done
    local port
    port=$(sed -n 's/.*\[uri\] listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$W/px.log" | tail -1)
    echo "through the proxy" | client "127.0.0.1:$port" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
    expect_rc 0 $? "tlcp proxy terminates TLCP with its keys in the provider"
    expect_grep "$W/out" "through the proxy" "the backend echoed through the proxy"
    kill -TERM $px_pid $echo_pid 2>/dev/null
    wait $px_pid $echo_pid 2>/dev/null
}

# --- no --provider: OPENSSL_CONF activates the provider in the default context ---
cat >"$W/openssl.cnf" <<CONF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
tlcptest = tlcptest_sect
[default_sect]
activate = 1
[tlcptest_sect]
module = $PROV_DIR/tlcptest.so
activate = 1
CONF
OPENSSL_CONF="$W/openssl.cnf" start_server "$W/srv5.log" "${SERVER_URIS[@]}" --accept 1 ||
    { bad "OPENSSL_CONF server did not start"; cat "$W/srv5.log"; }
echo conf | client "127.0.0.1:$PORT" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "key URIs through a provider that OPENSSL_CONF activates"
wait_server
proxy_section
finish
