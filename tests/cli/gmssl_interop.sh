#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Live interop with GmSSL 3 (its `gmssl tlcp_server` / `tlcp_client`), in both
# directions, all four suites, with client certificates, then ALPN both ways
# and SNI to our server; certgen's PKI must be accepted by GmSSL. Runs only
# when a GmSSL 3 `gmssl` binary is found: $GMSSL, or `gmssl` on PATH;
# otherwise it says so and passes.
. "$(dirname "$0")/lib/common.bash"
G=${GMSSL:-$(command -v gmssl || true)}
if [ -z "$G" ] || ! "$G" version 2>/dev/null | grep -q "GmSSL 3"; then
    echo "SKIPPED: no GmSSL 3 gmssl binary (set GMSSL=/path/to/gmssl)"
    exit 77 # CTest: skipped (SKIP_RETURN_CODE)
fi
echo "using $G: $("$G" version | head -1)"
PW=P@ssw0rd
P="$W/pki"
"$TLCP" certgen --out "$P" --client >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }

# A GmSSL PKI (root -> CA -> server sign/enc and client sign/enc), GmSSL key format.
M="$W/gm"
mkdir -p "$M"
(
    set -e
    cd "$M"
    "$G" sm2keygen -pass $PW -out root.key
    "$G" certgen -C CN -O GmSSL -CN "GmSSL Root" -days 30 -key root.key -pass $PW -out root.pem \
        -key_usage keyCertSign -key_usage cRLSign -ca
    "$G" sm2keygen -pass $PW -out ca.key
    "$G" reqgen -C CN -O GmSSL -CN "GmSSL CA" -key ca.key -pass $PW -out ca.req
    "$G" reqsign -in ca.req -days 30 -key_usage keyCertSign -key_usage cRLSign -path_len_constraint 0 \
        -cacert root.pem -key root.key -pass $PW -out ca.pem -ca
    for k in sign enc csign cenc; do
        "$G" sm2keygen -pass $PW -out $k.key
        "$G" reqgen -C CN -O GmSSL -CN "GmSSL $k" -key $k.key -pass $PW -out $k.req
    done
    "$G" reqsign -in sign.req -days 30 -key_usage digitalSignature -subject_dns_name localhost \
        -cacert ca.pem -key ca.key -pass $PW -out sign.pem
    "$G" reqsign -in enc.req -days 30 -key_usage keyEncipherment -subject_dns_name localhost \
        -cacert ca.pem -key ca.key -pass $PW -out enc.pem
    "$G" reqsign -in csign.req -days 30 -key_usage digitalSignature -cacert ca.pem -key ca.key \
        -pass $PW -out csign.pem
    "$G" reqsign -in cenc.req -days 30 -key_usage keyEncipherment -cacert ca.pem -key ca.key \
        -pass $PW -out cenc.pem
    cat sign.pem enc.pem ca.pem >certs.pem
    cat sign.key enc.key >keys.pem
    cat csign.pem cenc.pem ca.pem >ccerts2.pem
    cat csign.key cenc.key >ckeys2.pem
    cat csign.pem ca.pem >ccerts1.pem
    cp csign.key ckeys1.pem
) >"$W/gmpki.log" 2>&1 || { bad "GmSSL PKI"; cat "$W/gmpki.log"; finish; exit 1; }
echo "payload" >"$W/in.txt"

# 1. tlcp client -> gmssl tlcp_server (client certificates from tlcp certgen)
GPORT=$((20000 + RANDOM % 20000))
for s in ECC_SM4_CBC_SM3 ECC_SM4_GCM_SM3 ECDHE_SM4_CBC_SM3 ECDHE_SM4_GCM_SM3; do
    GPORT=$((GPORT + 1))
    "$G" tlcp_server -port $GPORT -cert "$M/certs.pem" -key "$M/keys.pem" -pass $PW \
        -cipher_suite TLS_$s -cert_request -cacert "$P/ca.pem" >"$W/gsrv.log" 2>&1 &
    GP=$!
    for _ in $(seq 50); do # wait until it listens: retry while refused
        timeout 30 "$TLCP" client "localhost:$GPORT" --ca "$M/root.pem" --suites $s --compat gmssl3 \
            --sign-cert "$P/client-sign.pem" --sign-key "$P/client-sign.key" \
            --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key" <"$W/in.txt" >"$W/out" 2>"$W/err"
        rc=$?
        [ $rc = 4 ] && grep -q "connection refused" "$W/err" || break
        sleep 0.1
    done
    [ $rc = 0 ] && [ "$(cat "$W/out")" = payload ] && ok "tlcp client -> gmssl server, $s" ||
        { bad "tlcp client -> gmssl server, $s: rc $rc"; cat "$W/err"; }
    kill $GP 2>/dev/null
    wait $GP 2>/dev/null
done

# without --compat gmssl3 the 69-byte ECDHE ClientKeyExchange is refused by GmSSL 3
GPORT=$((GPORT + 1))
"$G" tlcp_server -port $GPORT -cert "$M/certs.pem" -key "$M/keys.pem" -pass $PW \
    -cipher_suite TLS_ECDHE_SM4_GCM_SM3 -cert_request -cacert "$P/ca.pem" >"$W/gsrv.log" 2>&1 &
GP=$!
for _ in $(seq 50); do
    timeout 30 "$TLCP" client "localhost:$GPORT" --ca "$M/root.pem" --suites ECDHE_SM4_GCM_SM3 \
        --sign-cert "$P/client-sign.pem" --sign-key "$P/client-sign.key" \
        --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key" <"$W/in.txt" >"$W/out" 2>"$W/err"
    rc=$?
    [ $rc = 4 ] && grep -q "connection refused" "$W/err" || break
    sleep 0.1
done
expect_rc 5 $rc "ECDHE without --compat gmssl3"
expect_grep "$W/err" "peer sent alert decode_error" "GmSSL 3 rejects the unprefixed ClientKeyExchange"
kill $GP 2>/dev/null
wait $GP 2>/dev/null

# 2. gmssl tlcp_client -> tlcp server (server certificates from tlcp certgen)
start_server "$W/srv.log" --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --verify require --ca "$M/root.pem" \
    --suites ECDHE_SM4_GCM_SM3,ECDHE_SM4_CBC_SM3,ECC_SM4_GCM_SM3,ECC_SM4_CBC_SM3 --accept 4 ||
    { bad "server did not start"; finish; exit 1; }
# ECC: [sign, CA] (GmSSL's tlcp_client refuses to load [sign, enc, CA] for ECC
# suites; the server's acceptance of that list is shown by the Tongsuo client).
for s in ECC_SM4_CBC_SM3 ECC_SM4_GCM_SM3 ECDHE_SM4_CBC_SM3 ECDHE_SM4_GCM_SM3; do
    n=1
    case $s in ECDHE*) n=2 ;; esac
    timeout 30 "$G" tlcp_client -host localhost -port "$PORT" -cacert "$P/ca.pem" \
        -cert "$M/ccerts$n.pem" -key "$M/ckeys$n.pem" -pass $PW -cipher_suite TLS_$s \
        -in "$W/in.txt" >"$W/out" 2>&1 </dev/null
    grep -qx payload "$W/out" && ok "gmssl client -> tlcp server, $s" ||
        { bad "gmssl client -> tlcp server, $s"; tail -5 "$W/out"; }
done
wait_server
expect_rc 0 $? "tlcp server: four GmSSL handshakes"
n=$(grep -c "handshake ok: .*client C=CN, O=GmSSL, CN=GmSSL csign" "$W/srv.log")
[ "$n" = 4 ] && ok "server logged 4 client-authenticated handshakes" || { bad "$n logged"; cat "$W/srv.log"; }

# 3. ALPN both ways, SNI to our server (GmSSL 3 echoes an empty server_name
# and has one certificate pair)
GPORT=$((GPORT + 1))
"$G" tlcp_server -port $GPORT -cert "$M/certs.pem" -key "$M/keys.pem" -pass $PW \
    -cipher_suite TLS_ECC_SM4_GCM_SM3 -alpn http/1.1 >"$W/gsrv.log" 2>&1 &
GP=$!
for _ in $(seq 50); do
    timeout 30 "$TLCP" client "localhost:$GPORT" --ca "$M/root.pem" --suites ECC_SM4_GCM_SM3 \
        --alpn h2,http/1.1 --servername localhost <"$W/in.txt" >"$W/out" 2>"$W/err"
    rc=$?
    [ $rc = 4 ] && grep -q "connection refused" "$W/err" || break
    sleep 0.1
done
expect_rc 0 $rc "tlcp client --alpn h2,http/1.1 -> gmssl server -alpn http/1.1"
expect_grep "$W/err" "ALPN: http/1.1" "GmSSL 3 selected http/1.1"
[ "$(cat "$W/out")" = payload ] && ok "data with ALPN" || bad "got '$(cat "$W/out")'"
kill $GP 2>/dev/null
wait $GP 2>/dev/null

"$TLCP" certgen --out "$W/named" --cn tlcp.test >/dev/null 2>&1 || bad "certgen --cn tlcp.test"
cat "$P/ca.pem" "$W/named/ca.pem" >"$W/both-ca.pem"
N="$W/named"
start_server "$W/srv2.log" --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --alpn http/1.1,h2 \
    --cert-for "tlcp.test:$N/server-sign.pem:$N/server-sign.key:$N/server-enc.pem:$N/server-enc.key" \
    --accept 2 || { bad "server did not start"; finish; exit 1; }
timeout 30 "$G" tlcp_client -host 127.0.0.1 -port "$PORT" -cacert "$W/both-ca.pem" -server_name tlcp.test \
    -alpn h2 -alpn http/1.1 -cipher_suite TLS_ECC_SM4_GCM_SM3 -in "$W/in.txt" >"$W/out" 2>&1 </dev/null
expect_grep "$W/out" "ALPN protocol: http/1.1" "gmssl client: our server selected http/1.1 (its preference)"
expect_grep "$W/out" "commonName: tlcp.test" "gmssl client got the pair for SNI tlcp.test"
# -host localhost: GmSSL 3 checks DNS names only (not IP:127.0.0.1), and sends
# no server_name without -server_name
timeout 30 "$G" tlcp_client -host localhost -port "$PORT" -cacert "$W/both-ca.pem" -alpn spdy/3 \
    -cipher_suite TLS_ECC_SM4_GCM_SM3 -in "$W/in.txt" >"$W/out" 2>&1 </dev/null
grep -qx payload "$W/out" && ok "gmssl client without SNI or a common protocol: default pair, no ALPN" ||
    { bad "gmssl client without SNI"; tail -5 "$W/out"; }
wait_server
expect_rc 0 $? "tlcp server: two GmSSL handshakes"
expect_grep "$W/srv2.log" "server name tlcp.test, ALPN: http/1.1" "server logged the name and the protocol"
finish
