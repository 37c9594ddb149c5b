#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp server and tlcp client on loopback: data round trips (echo, www,
# several clients at once, client certificates), and every failure as a
# sentence with its exit code.
. "$(dirname "$0")/lib/common.bash"

P="$W/pki"
"$TLCP" certgen --out "$P" --client >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
"$TLCP" certgen --out "$W/other" >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
SERVER_PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")
CLIENT_PAIRS=(--sign-cert "$P/client-sign.pem" --sign-key "$P/client-sign.key"
    --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key")
client() { timeout 60 "$TLCP" client "$@"; }

# --- echo: a short line, 200 KB of random bytes, three clients at once ---
start_server "$W/srv.log" "${SERVER_PAIRS[@]}" --accept 5 --keylog "$W/keys.log" ||
    { bad "server did not start"; cat "$W/srv.log"; finish; exit 1; }
ok "server started on port $PORT"
echo "hello over TLCP" | client "127.0.0.1:$PORT" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "client round trip"
[ "$(cat "$W/out")" = "hello over TLCP" ] && ok "echoed line" || bad "echo got: $(cat "$W/out")"
expect_grep "$W/err" "cipher suite: ECC_SM4_GCM_SM3 (0xE053)" "client prints the suite"
expect_grep "$W/err" "server sign certificate: C=CN, O=libtlcp, CN=localhost" "client prints the sign subject"
expect_grep "$W/err" "server enc certificate: C=CN, O=libtlcp, CN=localhost" "client prints the enc subject"

head -c 200000 /dev/urandom >"$W/big"
client "localhost:$PORT" --ca "$P/ca.pem" --quiet --suites ECC_SM4_CBC_SM3 <"$W/big" >"$W/big.out" 2>"$W/err"
expect_rc 0 $? "client 200 KB round trip (CBC)"
cmp -s "$W/big" "$W/big.out" && ok "200 KB echoed intact" || bad "200 KB echo differs"
[ -s "$W/err" ] && bad "--quiet still printed: $(cat "$W/err")" || ok "--quiet prints nothing"

for i in 1 2 3; do
    (head -c 50000 /dev/urandom >"$W/par$i"
     client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet <"$W/par$i" >"$W/par$i.out" 2>&1
     echo $? >"$W/par$i.rc") &
done
wait $(jobs -p | grep -v "^$SRV_PID$") 2>/dev/null
for i in 1 2 3; do
    [ "$(cat "$W/par$i.rc")" = 0 ] && cmp -s "$W/par$i" "$W/par$i.out" && ok "parallel client $i" ||
        bad "parallel client $i: rc $(cat "$W/par$i.rc")"
done
wait_server
expect_rc 0 $? "server exits 0 after --accept 5"
n=$(grep -c "handshake ok: ECC_SM4_" "$W/srv.log")
[ "$n" = 5 ] && ok "one log line per handshake" || bad "$n handshake lines"; 
expect_grep "$W/srv.log" "closed: 16 bytes in, 16 bytes out" "close line counts bytes"
grep -q "127.0.0.1:[0-9]* handshake ok: ECC_SM4_CBC_SM3, [0-9]* ms" "$W/srv.log" &&
    ok "handshake line has peer, suite, duration" || bad "handshake line format"
n=$(grep -c "^CLIENT_RANDOM [0-9a-f]\{64\} [0-9a-f]\{96\}$" "$W/keys.log")
[ "$n" = 5 ] && ok "keylog has 5 CLIENT_RANDOM lines" || bad "keylog has $n lines"

# --- session resumption: --reconnect offers the first session again ---
start_server "$W/srv8.log" "${SERVER_PAIRS[@]}" --accept 4 || bad "resumption server did not start"
echo again | client "localhost:$PORT" --ca "$P/ca.pem" --reconnect >"$W/out" 2>"$W/err"
expect_rc 0 $? "client --reconnect"
expect_grep "$W/err" "reconnected: session resumed (abbreviated handshake)" "the server resumed the session"
expect_grep "$W/out" "again" "data after the resumed handshake"
echo again | client "localhost:$PORT" --ca "$P/ca.pem" --reconnect --servername localhost --suites ECC_SM4_CBC_SM3 \
    >/dev/null 2>"$W/err"
expect_rc 0 $? "client --reconnect (CBC, SNI)"
wait_server
expect_rc 0 $? "resumption server exits 0"
n=$(grep -c "handshake ok: ECC_SM4_[A-Z]*_SM3, resumed, " "$W/srv8.log")
[ "$n" = 2 ] && ok "server logs two resumed handshakes" || bad "server logged $n resumed handshakes"
expect_grep "$W/srv8.log" "server name localhost" "server logs the SNI name"
start_server "$W/srv9.log" "${SERVER_PAIRS[@]}" --accept 2 --sessions 0 || bad "cacheless server did not start"
echo x | client "localhost:$PORT" --ca "$P/ca.pem" --reconnect >/dev/null 2>"$W/err"
expect_rc 0 $? "client --reconnect against --sessions 0"
expect_grep "$W/err" "reconnected: full handshake (the server gave no session ID)" "no resumption without a cache"
wait_server

# --- www, client certificates required, ECDHE, wrong CA, hostname ---
start_server "$W/srv2.log" "${SERVER_PAIRS[@]}" --www --accept 5 --verify require --ca "$P/ca.pem" \
    --suites ECDHE_SM4_GCM_SM3,ECC_SM4_GCM_SM3 || { bad "www server did not start"; finish; exit 1; }
printf 'GET / HTTP/1.0\r\n\r\n' | client "127.0.0.1:$PORT" --ca "$P/ca.pem" "${CLIENT_PAIRS[@]}" \
    --suites ECDHE_SM4_GCM_SM3 --quiet >"$W/page" 2>"$W/err"
expect_rc 0 $? "www page over ECDHE with client certificates"
expect_grep "$W/page" "HTTP/1.0 200 OK" "status line"
expect_grep "$W/page" "cipher suite: ECDHE_SM4_GCM_SM3" "page shows the suite"
expect_grep "$W/page" "client certificate: C=CN, O=libtlcp, OU=client, CN=TLCP client" "page shows the client"

echo hi | client "127.0.0.1:$PORT" --ca "$W/other/ca.pem" "${CLIENT_PAIRS[@]}" >/dev/null 2>"$W/err"
expect_rc 5 $? "client with the wrong CA"
expect_grep "$W/err" "certificate verification failed: unable to get local issuer certificate: C=CN, O=libtlcp, CN=localhost" \
    "wrong CA: reason and subject"

echo hi | client "127.0.0.1:$PORT" --ca "$P/ca.pem" >/dev/null 2>"$W/err"
expect_rc 5 $? "client without the required certificate"
expect_grep "$W/err" "peer sent alert handshake_failure" "server's alert is named"

echo hi | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --servername wrong.example "${CLIENT_PAIRS[@]}" >/dev/null 2>"$W/err"
expect_rc 5 $? "client with a wrong --servername"
expect_grep "$W/err" "wrong.example does not match" "host name mismatch is explained"

printf 'GET / HTTP/1.0\r\n\r\n' | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --servername localhost \
    "${CLIENT_PAIRS[@]}" --quiet >"$W/page" 2>"$W/err"
expect_rc 0 $? "client with --servername localhost"
wait_server
expect_rc 5 $? "server with --accept exits 5 after handshake failures"
expect_grep "$W/srv2.log" "handshake failed after" "failure log line"
expect_grep "$W/srv2.log" "client sent no certificate but one is required" "failure reason logged"
expect_grep "$W/srv2.log" "peer sent alert unknown_ca" "client's alert logged"

# --- stdio: client data to the server's stdout, server's stdin to the client ---
(sleep 1; echo "from server stdin") | "$TLCP" server --bind 127.0.0.1 --port 0 "${SERVER_PAIRS[@]}" \
    --stdio --accept 1 >"$W/stdio.out" 2>"$W/srv5.log" &
SRV_PID=$!
wait_listening "$W/srv5.log" || bad "stdio server did not start"
(echo "from client stdin"; sleep 3) | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >"$W/stdio.cl" 2>"$W/err"
expect_rc 0 $? "stdio client ends cleanly when the server's stdin ends"
wait_server
expect_rc 0 $? "stdio server exits after --accept 1"
[ "$(cat "$W/stdio.cl")" = "from server stdin" ] && ok "server stdin reached the client" ||
    bad "client got: $(cat "$W/stdio.cl")"
[ "$(cat "$W/stdio.out")" = "from client stdin" ] && ok "client data reached the server's stdout" ||
    bad "server printed: $(cat "$W/stdio.out")"

# --- --chain: leaves issued by an intermediate CA (made with the openssl CLI) ---
C="$W/chain"
mkdir -p "$C"
ID=distid:1234567812345678
mkleaf() { # name issuer-stem extensions
    openssl genpkey -algorithm SM2 -out "$C/$1.key" 2>/dev/null &&
        openssl req -new -key "$C/$1.key" -subj "/CN=${4:-localhost}" -sm3 -sigopt $ID -out "$C/$1.csr" 2>/dev/null &&
        printf "$3" >"$C/$1.ext" &&
        openssl x509 -req -in "$C/$1.csr" -CA "$2.pem" -CAkey "$2.key" -sm3 -sigopt $ID -vfyopt $ID \
            -extfile "$C/$1.ext" -days 30 -out "$C/$1.pem" 2>/dev/null
}
if mkleaf int "$P/ca" "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" "chain test CA" &&
    mkleaf sign "$C/int" "keyUsage=critical,digitalSignature,nonRepudiation\nsubjectAltName=DNS:localhost\n" &&
    mkleaf enc "$C/int" "keyUsage=critical,keyEncipherment,dataEncipherment,keyAgreement\nsubjectAltName=DNS:localhost\n"; then
    ok "intermediate CA and leaves made with openssl"
    CHAIN_PAIRS=(--sign-cert "$C/sign.pem" --sign-key "$C/sign.key" --enc-cert "$C/enc.pem" --enc-key "$C/enc.key")
    start_server "$W/srv6.log" "${CHAIN_PAIRS[@]}" --chain "$C/int.pem" --accept 1 || bad "chain server did not start"
    echo chained | client "localhost:$PORT" --ca "$P/ca.pem" --trace >"$W/out" 2>"$W/err"
    expect_rc 0 $? "client verifies a leaf through the --chain intermediate"
    expect_grep "$W/err" "cert[2] (chain?)" "the intermediate is sent third"
    wait_server
    start_server "$W/srv7.log" "${CHAIN_PAIRS[@]}" --accept 1 || bad "chainless server did not start"
    echo x | client "localhost:$PORT" --ca "$P/ca.pem" >/dev/null 2>"$W/err"
    expect_rc 5 $? "without --chain the client cannot build the path"
    expect_grep "$W/err" "certificate verification failed: unable to get local issuer certificate: CN=localhost" \
        "missing intermediate is explained"
    wait_server
else
    bad "openssl could not make the intermediate CA"
fi

# --- a server with unusable credentials refuses to start ---
refuse() { # expected-message what args...
    local msg=$1 what=$2
    shift 2
    timeout 30 "$TLCP" server --bind 127.0.0.1 --port 0 "$@" >/dev/null 2>"$W/err"
    expect_rc 3 $? "$what"
    expect_grep "$W/err" "$msg" "$what: message"
}
refuse "private key $P/server-enc.key does not match certificate $P/server-sign.pem" "mismatched key" \
    --sign-cert "$P/server-sign.pem" --sign-key "$P/server-enc.key" --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key"
refuse "cannot open certificate file $W/missing.pem" "missing file" \
    --sign-cert "$W/missing.pem" --sign-key "$P/server-sign.key" --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key"
refuse "encryption certificate lacks keyEncipherment" "enc cert without keyEncipherment" \
    --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" --enc-cert "$P/server-sign.pem" --enc-key "$P/server-sign.key"
openssl pkcs8 -topk8 -in "$P/server-sign.key" -passout pass:secret -v2 aes-256-cbc -out "$W/enc.key"
refuse "wrong passphrase" "wrong passphrase" --pass nope \
    --sign-cert "$P/server-sign.pem" --sign-key "$W/enc.key" --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key"
refuse "no passphrase was given" "missing passphrase" \
    --sign-cert "$P/server-sign.pem" --sign-key "$W/enc.key" --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key"
refuse "client certificates requested but no CA certificates loaded" "--verify require without --ca" \
    "${SERVER_PAIRS[@]}" --verify require
# the right passphrase works
start_server "$W/srv3.log" --pass secret --accept 1 --sign-cert "$P/server-sign.pem" --sign-key "$W/enc.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" &&
    ok "encrypted key with the right passphrase" || bad "server with --pass did not start"
echo x | client "127.0.0.1:$PORT" --ca "$P/ca.pem" >/dev/null 2>&1
expect_rc 0 $? "handshake with a passphrase-protected key"
wait_server

# --- network failures ---
start_server "$W/srv4.log" "${SERVER_PAIRS[@]}" --accept 1 || bad "server 4 did not start"
FREE=$PORT
echo x | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
wait_server
client "127.0.0.1:$FREE" --ca "$P/ca.pem" </dev/null >/dev/null 2>"$W/err"
expect_rc 4 $? "nothing listening"
expect_grep "$W/err" "connection refused" "connection refused is explained"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(4)
print(s.getsockname()[1], flush=True); time.sleep(20)' >"$W/py.port" &
    PY=$!
    for _ in $(seq 50); do [ -s "$W/py.port" ] && break; sleep 0.1; done
    client "127.0.0.1:$(cat "$W/py.port")" --ca "$P/ca.pem" --timeout 1 </dev/null >/dev/null 2>"$W/err"
    expect_rc 4 $? "silent server"
    expect_grep "$W/err" "handshake failed: timed out after 1 s" "timeout is explained"
    kill $PY 2>/dev/null
    wait $PY 2>/dev/null
else
    echo "skip timeout check: no python3"
fi
finish
