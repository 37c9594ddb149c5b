#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp certgen: the PKI verifies with the OpenSSL CLI, carries the TLCP key
# usages, keys are private, and nothing is overwritten without --force.
. "$(dirname "$0")/lib/common.bash"
OSSL_VERIFY=(openssl verify -vfyopt distid:1234567812345678)

D="$W/pki"
"$TLCP" certgen --out "$D" --client >"$W/out" 2>&1
expect_rc 0 $? "certgen --client"
for f in ca server-sign server-enc client-sign client-enc; do
    expect_grep "$W/out" "wrote $D/$f.pem (" "reports $f.pem"
    expect_grep "$W/out" "wrote $D/$f.key" "reports $f.key"
    mode=$(stat -c %a "$D/$f.key")
    [ "$mode" = 600 ] && ok "$f.key has mode 600" || bad "$f.key has mode $mode"
    openssl pkey -in "$D/$f.key" -noout 2>/dev/null && ok "$f.key parses" || bad "$f.key does not parse"
    head -1 "$D/$f.key" | grep -q "BEGIN PRIVATE KEY" && ok "$f.key is PKCS#8" || bad "$f.key is not PKCS#8"
done

for f in server-sign server-enc client-sign client-enc; do
    "${OSSL_VERIFY[@]}" -CAfile "$D/ca.pem" "$D/$f.pem" >"$W/v" 2>&1
    expect_rc 0 $? "openssl verify $f.pem"
    openssl x509 -in "$D/$f.pem" -noout -text >"$D/$f.txt"
    expect_grep "$D/$f.txt" "SM2-with-SM3" "$f.pem is signed with SM2-with-SM3"
    grep -q "CA:TRUE" "$D/$f.txt" && bad "$f.pem is a CA" || ok "$f.pem is not a CA"
    # the cert and key belong together
    a=$(openssl x509 -in "$D/$f.pem" -noout -pubkey)
    b=$(openssl pkey -in "$D/$f.key" -pubout)
    [ "$a" = "$b" ] && ok "$f.key matches $f.pem" || bad "$f.key does not match $f.pem"
done
expect_grep "$D/server-sign.txt" "Digital Signature, Non Repudiation" "sign cert key usage"
expect_grep "$D/server-enc.txt" "Key Encipherment, Data Encipherment, Key Agreement" "enc cert key usage"
expect_grep "$D/server-sign.txt" "DNS:localhost, IP Address:127.0.0.1" "default SAN"
expect_grep "$D/server-sign.txt" "CN = localhost" "default CN"
expect_grep "$D/client-sign.txt" "CN = TLCP client" "client CN"
openssl x509 -in "$D/ca.pem" -noout -text >"$D/ca.txt"
expect_grep "$D/ca.txt" "CA:TRUE" "CA has CA:TRUE"
expect_grep "$D/ca.txt" "Certificate Sign, CRL Sign" "CA key usage"
# the sign and enc certificates share subject and issuer (GmSSL 3 wants that)
s1=$(openssl x509 -in "$D/server-sign.pem" -noout -subject -issuer)
s2=$(openssl x509 -in "$D/server-enc.pem" -noout -subject -issuer)
[ "$s1" = "$s2" ] && ok "sign and enc share subject and issuer" || bad "subjects differ: $s1 / $s2"
# a certificate of another PKI does not verify against this CA (the check can fail)
"$TLCP" certgen --out "$W/other" >/dev/null 2>&1
"${OSSL_VERIFY[@]}" -CAfile "$D/ca.pem" "$W/other/server-sign.pem" >/dev/null 2>&1
expect_rc 2 $? "openssl verify rejects a foreign certificate"

# refuses to overwrite, and leaves the files alone
sum=$(cat "$D"/*.pem "$D"/*.key | sha256sum)
"$TLCP" certgen --out "$D" >"$W/out" 2>"$W/err"
expect_rc 1 $? "certgen refuses to overwrite"
expect_grep "$W/err" "ca.pem already exists; refusing to overwrite it (use --force to replace it)" "says which file exists"
[ "$(cat "$D"/*.pem "$D"/*.key | sha256sum)" = "$sum" ] && ok "files unchanged" || bad "files changed"
[ -s "$W/out" ] && bad "refusal still reported writes" || ok "nothing reported as written"
# one existing target is enough to refuse
rm "$D/ca.pem" "$D/ca.key" "$D/server-sign.pem" "$D/server-sign.key" "$D/server-enc.pem"
"$TLCP" certgen --out "$D" >/dev/null 2>"$W/err"
expect_rc 1 $? "certgen refuses with one target present"
expect_grep "$W/err" "server-enc.key already exists" "names the remaining file"
[ -e "$D/ca.pem" ] && bad "partial PKI written" || ok "no partial PKI written"

# --force replaces, with a new CN, SAN and validity
"$TLCP" certgen --out "$D" --force --client --client-cn alice --cn tlcp.example --san DNS:tlcp.example,IP:10.0.0.1 --days 30 >"$W/out" 2>&1
expect_rc 0 $? "certgen --force"
openssl x509 -in "$D/server-sign.pem" -noout -text >"$W/t"
expect_grep "$W/t" "CN = tlcp.example" "--cn applied"
expect_grep "$W/t" "DNS:tlcp.example, IP Address:10.0.0.1" "--san applied"
openssl x509 -in "$D/client-enc.pem" -noout -subject >"$W/t"
expect_grep "$W/t" "CN = alice" "--client-cn applied"
[ "$(stat -c %a "$D/server-sign.key")" = 600 ] && ok "replaced key keeps mode 600" || bad "replaced key mode"
"${OSSL_VERIFY[@]}" -CAfile "$D/ca.pem" "$D/server-sign.pem" "$D/server-enc.pem" >/dev/null 2>&1
expect_rc 0 $? "replaced certificates verify against the new CA"
end=$(openssl x509 -in "$D/server-sign.pem" -noout -enddate | cut -d= -f2)
days=$(( ($(date -d "$end" +%s) - $(date +%s)) / 86400 ))
[ "$days" -ge 29 ] && [ "$days" -le 30 ] && ok "--days 30 gives $days days" || bad "--days 30 gave $days days"
"${OSSL_VERIFY[@]}" -CAfile "$W/other/ca.pem" "$D/client-sign.pem" >/dev/null 2>&1
expect_rc 2 $? "new client cert does not verify against another CA"

# an IP address as CN gets an IP SAN
"$TLCP" certgen --out "$W/ip" --cn 192.0.2.7 >/dev/null 2>&1
openssl x509 -in "$W/ip/server-sign.pem" -noout -ext subjectAltName >"$W/t" 2>&1
expect_grep "$W/t" "IP Address:192.0.2.7" "IP CN gets an IP SAN"

# errors are sentences
"$TLCP" certgen --out "$W/bad" --san "URI:x" >/dev/null 2>"$W/err"
expect_rc 2 $? "bad SAN is a usage error"
expect_grep "$W/err" "--san: bad subjectAltName entry \"URI:x\" (expected DNS:name or IP:address)" "bad SAN is explained"
[ -e "$W/bad/ca.pem" ] && bad "a bad --san still wrote files" || ok "nothing written for a bad --san"
"$TLCP" certgen --out "$W/bad" --san "DNS:ok.example,IP:300.1.1.1" >/dev/null 2>"$W/err"
expect_rc 2 $? "bad SAN IP is a usage error"
expect_grep "$W/err" "IP:300.1.1.1" "the bad entry is named"
"$TLCP" certgen --out "$W/bad" --san "DNS:a,,DNS:b" >/dev/null 2>"$W/err"
expect_rc 2 $? "empty SAN item is a usage error"
touch "$W/file"
"$TLCP" certgen --out "$W/file" >/dev/null 2>"$W/err"
expect_rc 1 $? "--out names a file"
expect_grep "$W/err" "is not a directory" "not a directory is explained"
finish
