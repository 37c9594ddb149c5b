#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# --crl and --partial-chain on client and server, certgen --crl: a revoked
# server encryption certificate, a revoked client certificate with --verify
# require (refused) and optional (logged, served), an expired CRL, a CRL
# directory, and the usage errors.
. "$(dirname "$0")/lib/common.bash"

P="$W/pki"
"$TLCP" certgen --out "$P" --client >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
SRV=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")
CLI_PAIR=(--sign-cert "$P/client-sign.pem" --sign-key "$P/client-sign.key"
    --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key")
client() { echo x | timeout 30 "$TLCP" client "localhost:$PORT" --ca "$P/ca.pem" "$@"; }

"$TLCP" certgen --crl --out "$P" >"$W/gen.out" 2>&1
expect_rc 0 $? "certgen --crl writes an empty CRL"
expect_grep "$W/gen.out" "crl.pem (certificate revocation list)" "certgen reports the CRL file"
cp "$P/crl.pem" "$W/empty.pem"
"$TLCP" certgen --crl --out "$P" --revoke "$P/server-enc.pem" >/dev/null 2>&1 && cp "$P/crl.pem" "$W/enc.pem"
"$TLCP" certgen --crl --out "$P" --revoke "$P/client-sign.pem,$P/client-enc.pem" >/dev/null 2>&1 &&
    cp "$P/crl.pem" "$W/client.pem"
"$TLCP" certgen --crl --out "$P" --crl-days -1 >/dev/null 2>&1 && cp "$P/crl.pem" "$W/expired.pem"
"$TLCP" certgen --revoke "$P/server-enc.pem" --out "$P" >/dev/null 2>&1
expect_rc 2 $? "--revoke without --crl is a usage error"
"$TLCP" certgen --crl --out "$W/nowhere" >"$W/e.out" 2>&1
expect_rc 1 $? "--crl without a PKI fails"
expect_grep "$W/e.out" "ca.pem" "the error names the missing CA file"

# --- the client checks the server's chains ---
start_server "$W/s1.log" "${SRV[@]}" --accept 5 || bad "server 1 did not start"
client --crl "$W/empty.pem" >/dev/null 2>"$W/c1.err"
expect_rc 0 $? "an empty CRL of the root: accepted"
client --crl "$W/enc.pem" >/dev/null 2>"$W/c2.err"
expect_rc 5 $? "the server's encryption certificate revoked: refused"
expect_grep "$W/c2.err" "certificate revoked" "the client says the certificate is revoked"
expect_grep "$W/c2.err" "encryption certificate" "and which chain"
client --crl "$W/expired.pem" >/dev/null 2>"$W/c3.err"
expect_rc 5 $? "an expired CRL: refused"
expect_grep "$W/c3.err" "CRL has expired" "the client says the CRL expired"
mkdir "$W/crls" && cp "$W/enc.pem" "$W/crls/root.crl"
client --crl "$W/crls" >/dev/null 2>"$W/c4.err"
expect_rc 5 $? "a CRL directory is read too"
client --crl "$W/nonexistent.crl" >/dev/null 2>"$W/c5.err"
expect_rc 3 $? "a missing CRL file: refused before connecting"
expect_grep "$W/c5.err" "nonexistent.crl" "the error names the file"
client --partial-chain >/dev/null 2>"$W/c6.err"
expect_rc 0 $? "--partial-chain with a full chain still works"
wait_server

# --- the server checks client certificates ---
start_server "$W/s2.log" "${SRV[@]}" --ca "$P/ca.pem" --crl "$W/client.pem" --verify require --accept 1 ||
    bad "server 2 did not start"
client "${CLI_PAIR[@]}" >/dev/null 2>"$W/c7.err"
[ $? -ne 0 ] && ok "revoked client certificate, --verify require: refused" ||
    bad "revoked client certificate accepted under --verify require"
wait_server
expect_grep "$W/s2.log" "certificate revoked" "the server logs the revocation"

start_server "$W/s3.log" "${SRV[@]}" --ca "$P/ca.pem" --crl "$W/client.pem" --verify optional --accept 2 ||
    bad "server 3 did not start"
client "${CLI_PAIR[@]}" >"$W/c8.out" 2>"$W/c8.err"
expect_rc 0 $? "revoked client certificate, --verify optional: served"
client >/dev/null 2>"$W/c9.err"
expect_rc 0 $? "no client certificate, --verify optional: served"
wait_server
expect_grep "$W/s3.log" "client certificate NOT verified (certificate revoked)" "the server logs the failed check"
expect_grep "$W/s3.log" "client certificate none sent" "the server logs the missing certificate"
finish
