#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Certificate chains on the wire, both roles: leaves issued by an
# intermediate CA, peers that trust only the root. The chain comes from a
# cert file holding leaf + intermediate (--sign-cert/--enc-cert) or from
# --chain; the Certificate message in the peer's trace lists it.
. "$(dirname "$0")/lib/common.bash"

command -v openssl >/dev/null || { echo "skip: no openssl"; exit 77; }
P="$W/pki"
"$TLCP" certgen --out "$P" >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
C="$W/chain"
mkdir -p "$C"
ID=distid:1234567812345678
mkcert() { # name issuer-stem extensions cn
    openssl genpkey -algorithm SM2 -out "$C/$1.key" 2>/dev/null &&
        openssl req -new -key "$C/$1.key" -subj "/CN=$4" -sm3 -sigopt $ID -out "$C/$1.csr" 2>/dev/null &&
        printf "$3" >"$C/$1.ext" &&
        openssl x509 -req -in "$C/$1.csr" -CA "$2.pem" -CAkey "$2.key" -sm3 -sigopt $ID -vfyopt $ID \
            -extfile "$C/$1.ext" -days 30 -out "$C/$1.pem" 2>/dev/null
}
SIGN_EXT="keyUsage=critical,digitalSignature,nonRepudiation\nsubjectAltName=DNS:localhost\n"
ENC_EXT="keyUsage=critical,keyEncipherment,dataEncipherment,keyAgreement\nsubjectAltName=DNS:localhost\n"
mkcert int "$P/ca" "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" "chain test CA" &&
    mkcert ssign "$C/int" "$SIGN_EXT" localhost && mkcert senc "$C/int" "$ENC_EXT" localhost &&
    mkcert csign "$C/int" "$SIGN_EXT" "chain client" && mkcert cenc "$C/int" "$ENC_EXT" "chain client" ||
    { bad "openssl could not make the intermediate CA and leaves"; finish; exit 1; }
ok "root -> intermediate -> server and client leaves (openssl)"
for n in ssign senc csign cenc; do cat "$C/$n.pem" "$C/int.pem" >"$C/$n-full.pem"; done
client() { timeout 60 "$TLCP" client "$@"; }

# The certificates of the first Certificate message read by `who` in a
# trace: the cert[N] field names, one per line.
received_certs() { # trace-file who
    awk -v who="$2" '$0 ~ who" read certificate," {on=1; next}
        on && / read / {exit} on && /cert\[[0-9]+\]/ {sub(/.*cert\[/, "cert["); sub(/\).*/, ")"); print}' "$1"
}

# --- server role: the server's cert files hold leaf + intermediate ---
start_server "$W/s1.log" --sign-cert "$C/ssign-full.pem" --sign-key "$C/ssign.key" \
    --enc-cert "$C/senc-full.pem" --enc-key "$C/senc.key" --accept 1 || bad "server 1 did not start"
echo x | client "localhost:$PORT" --ca "$P/ca.pem" --trace >"$W/out" 2>"$W/c1.err"
expect_rc 0 $? "client trusting only the root verifies a server whose cert files carry the chain"
received_certs "$W/c1.err" client >"$W/got"
[ "$(cat "$W/got" | tr '\n' ' ')" = "cert[0] (sign?) cert[1] (enc?) cert[2] (chain?) " ] &&
    ok "server sent sign, enc and the intermediate once" || bad "client received: $(cat "$W/got" | tr '\n' ' ')"
wait_server

# --- client role, ECC: leaf + intermediate in --sign-cert and --enc-cert ---
SERVER=(--sign-cert "$C/ssign.pem" --sign-key "$C/ssign.key" --enc-cert "$C/senc.pem" --enc-key "$C/senc.key"
    --chain "$C/int.pem" --ca "$P/ca.pem" --verify require --trace)
start_server "$W/s2.log" "${SERVER[@]}" --accept 4 --suites ECC_SM4_GCM_SM3,ECDHE_SM4_GCM_SM3 ||
    bad "server 2 did not start"
echo x | client "localhost:$PORT" --ca "$P/ca.pem" --trace --sign-cert "$C/csign-full.pem" --sign-key "$C/csign.key" \
    --enc-cert "$C/cenc-full.pem" --enc-key "$C/cenc.key" --suites ECC_SM4_GCM_SM3 >/dev/null 2>"$W/c2.err"
expect_rc 0 $? "ECC client authentication with leaf+chain cert files, server trusting only the root"
expect_grep "$W/c2.err" "sending client certificates: sign, enc, 1 chain" "the client sends its chain"
# --- client role, ECDHE: leaves in their own files, the intermediate in --chain ---
echo x | client "localhost:$PORT" --ca "$P/ca.pem" --sign-cert "$C/csign.pem" --sign-key "$C/csign.key" \
    --enc-cert "$C/cenc.pem" --enc-key "$C/cenc.key" --chain "$C/int.pem" --suites ECDHE_SM4_GCM_SM3 \
    >/dev/null 2>"$W/c3.err"
expect_rc 0 $? "ECDHE client authentication with --chain on the client"
# --- without the chain the server cannot verify the client ---
echo x | client "localhost:$PORT" --ca "$P/ca.pem" --sign-cert "$C/csign.pem" --sign-key "$C/csign.key" \
    --enc-cert "$C/cenc.pem" --enc-key "$C/cenc.key" --suites ECC_SM4_GCM_SM3 >/dev/null 2>"$W/c4.err"
expect_rc 5 $? "a client that sends no chain is refused"
echo x | client "localhost:$PORT" --ca "$P/ca.pem" --sign-cert "$C/csign.pem" --sign-key "$C/csign.key" \
    --enc-cert "$C/cenc.pem" --enc-key "$C/cenc.key" --chain "$P/ca.pem" --suites ECC_SM4_GCM_SM3 \
    >/dev/null 2>&1
expect_rc 5 $? "a wrong --chain does not help"
wait_server
expect_grep "$W/s2.log" "unable to get local issuer certificate: CN=chain client" \
    "the server explains the missing intermediate"
# what the server received from each client, in order
awk '/server read certificate,/ {n++; on=1; next} on && / read / {on=0}
     on && /cert\[[0-9]+\]/ {sub(/.*cert\[/, "cert["); sub(/\).*/, ")"); printf "%d %s\n", n, $0}' "$W/s2.log" >"$W/got"
for n in 1 2; do
    [ "$(grep "^$n " "$W/got" | cut -d' ' -f2- | tr '\n' ' ')" = "cert[0] (sign?) cert[1] (enc?) cert[2] (chain?) " ] &&
        ok "client $n's Certificate message: sign, enc, intermediate" ||
        bad "client $n's Certificate message: $(grep "^$n " "$W/got" | tr '\n' ' ')"
done
[ "$(grep -c "^3 " "$W/got")" = 2 ] && ok "the chainless client sent two certificates" ||
    bad "client 3 sent: $(grep "^3 " "$W/got" | tr '\n' ' ')"
finish
