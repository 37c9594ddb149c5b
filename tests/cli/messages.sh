#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Failure messages: plain HTTP at the server's port is named as such, and a
# long sentence (a certificate with a long subject) is printed whole, never
# cut in the middle of a word.
. "$(dirname "$0")/lib/common.bash"

P="$W/pki"
"$TLCP" certgen --out "$P" >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")

# --- an HTTP request instead of a ClientHello ---
start_server "$W/http.log" "${PAIRS[@]}" --accept 2 || { bad "server did not start"; finish; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
# In a subshell that ignores SIGPIPE: should the server close first, the
# write fails there instead of killing this script (the log checks below
# still say whether the server read the request).
(trap '' PIPE; printf 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' >&3) 2>/dev/null
timeout 10 cat <&3 >/dev/null 2>&1
exec 3>&-
if command -v curl >/dev/null; then
    timeout 10 curl -s "http://127.0.0.1:$PORT/" >/dev/null 2>&1
else
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    (trap '' PIPE; printf 'POST /x HTTP/1.0\r\n\r\n' >&3) 2>/dev/null
    timeout 10 cat <&3 >/dev/null 2>&1
    exec 3>&-
fi
wait_server
expect_rc 5 $? "the server counts the HTTP requests as failed handshakes"
n=$(grep -c "handshake failed after [0-9]* ms: not a TLCP record (looks like HTTP" "$W/http.log")
[ "$n" = 2 ] && ok "both HTTP requests are logged as 'not a TLCP record (looks like HTTP)'" ||
    bad "$n HTTP lines in: $(cat "$W/http.log")"
expect_grep "$W/http.log" 'not a TLCP record (looks like HTTP: "GET /")' "the request line is quoted"

# --- a long verification failure is printed whole ---
command -v openssl >/dev/null || { finish; exit $?; }
L="$W/long"
mkdir -p "$L"
ID=distid:1234567812345678
# each value within X.520's 64 characters, together far past 351
LONG_O="Organisation with a deliberately long name for this test"
LONG_OU="Unit five whose name is long enough to push the sentence on"
SUBJ="/C=CN/ST=Some province with quite a long name/L=Some city with quite a long name too/O=$LONG_O"
SUBJ="$SUBJ/OU=Unit one of the organisation/OU=Unit two of the organisation/OU=Unit three of it"
SUBJ="$SUBJ/OU=Unit four of the organisation/OU=$LONG_OU/CN=localhost"
openssl genpkey -algorithm SM2 -out "$L/ca.key" 2>/dev/null &&
    openssl req -new -x509 -key "$L/ca.key" -subj "/CN=untrusted CA" -sm3 -sigopt $ID -days 30 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" -out "$L/ca.pem" 2>/dev/null &&
    for n in sign enc; do
        ku=digitalSignature
        [ $n = enc ] && ku=keyEncipherment,keyAgreement
        openssl genpkey -algorithm SM2 -out "$L/$n.key" 2>/dev/null &&
            openssl req -new -key "$L/$n.key" -subj "$SUBJ" -sm3 -sigopt $ID -out "$L/$n.csr" 2>/dev/null &&
            printf "keyUsage=critical,$ku\nsubjectAltName=DNS:localhost\n" >"$L/$n.ext" &&
            openssl x509 -req -in "$L/$n.csr" -CA "$L/ca.pem" -CAkey "$L/ca.key" -sm3 -sigopt $ID -vfyopt $ID \
                -extfile "$L/$n.ext" -days 30 -out "$L/$n.pem" 2>/dev/null || exit 1
    done || { bad "openssl could not make the long-subject certificates"; finish; exit 1; }
start_server "$W/long.log" --sign-cert "$L/sign.pem" --sign-key "$L/sign.key" --enc-cert "$L/enc.pem" \
    --enc-key "$L/enc.key" --accept 1 || bad "long-subject server did not start"
echo x | timeout 30 "$TLCP" client "localhost:$PORT" --ca "$P/ca.pem" >/dev/null 2>"$W/err"
expect_rc 5 $? "client refuses the untrusted long-subject certificate"
wait_server
line=$(grep "certificate verification failed" "$W/err")
len=${#line}
[ "$len" -gt 351 ] && ok "the sentence is $len characters long (more than 351)" || bad "sentence of $len characters: $line"
expect_grep "$W/err" "OU=$LONG_OU, CN=localhost" "the subject is printed to its end"
case "$line" in
*"CN=localhost") ok "the line ends with the last word of the subject" ;;
*) bad "the line is cut: ...${line: -40}" ;;
esac
finish
