#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Live interop with Tongsuo (its `openssl s_server -ntls` / `s_client -ntls`),
# both directions, all four suites, then session tickets, ALPN and SNI both
# ways; the PKI comes from tlcp certgen, so this also shows Tongsuo accepts
# it. Runs only when $TONGSUO names a Tongsuo `openssl` binary; otherwise it
# says so and passes.
. "$(dirname "$0")/lib/common.bash"
TS=${TONGSUO:-}
if [ -z "$TS" ] || ! "$TS" version 2>/dev/null | grep -q Tongsuo; then
    echo "SKIPPED: no Tongsuo openssl binary (set TONGSUO=/path/to/tongsuo/apps/openssl)"
    exit 77 # CTest: skipped (SKIP_RETURN_CODE)
fi
echo "using $TS: $("$TS" version | head -1)"
P="$W/pki"
"$TLCP" certgen --out "$P" --client >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
TS_SERVER=(-enable_ntls -ntls -sign_cert "$P/server-sign.pem" -sign_key "$P/server-sign.key"
    -enc_cert "$P/server-enc.pem" -enc_key "$P/server-enc.key")
TS_CLIENT_PAIR=(-sign_cert "$P/client-sign.pem" -sign_key "$P/client-sign.key"
    -enc_cert "$P/client-enc.pem" -enc_key "$P/client-enc.key")
CLIENT_PAIR=(--sign-cert "$P/client-sign.pem" --sign-key "$P/client-sign.key"
    --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key")
ts_name() { # ECDHE_SM4_GCM_SM3 -> ECDHE-SM2-SM4-GCM-SM3
    echo "$1" | sed 's/_SM4_/-SM2-SM4-/; s/_/-/g'
}

# 1. tlcp client -> Tongsuo s_server (-rev answers each line reversed).
# auth 1: -Verify 1, the client sends [sign, enc, CA] (Tongsuo refuses a
# list without its enc certificate: "no certificates returned"); auth 0: no
# CertificateRequest (ECC only: Tongsuo always asks for ECDHE).
tongsuo_server_run() { # suite auth [tlcp client options...]
    local s=$1 auth=$2
    shift 2
    TPORT=$((TPORT + 1))
    local extra=()
    [ "$auth" = 1 ] && extra=(-Verify 1 -CAfile "$P/ca.pem" -verify_return_error)
    "$TS" s_server -accept $TPORT "${TS_SERVER[@]}" -cipher "$(ts_name $s)" "${extra[@]}" -rev \
        >"$W/tsrv.log" 2>&1 &
    TP=$!
    for _ in $(seq 50); do
        echo "hello tongsuo" | timeout 30 "$TLCP" client "localhost:$TPORT" --ca "$P/ca.pem" --suites $s \
            "$@" >"$W/out" 2>"$W/err"
        rc=$?
        [ $rc = 4 ] && grep -q "connection refused" "$W/err" || break
        sleep 0.1
    done
    kill $TP 2>/dev/null
    wait $TP 2>/dev/null
}
TPORT=$((20000 + RANDOM % 20000))
for s in ECC_SM4_CBC_SM3 ECC_SM4_GCM_SM3 ECDHE_SM4_CBC_SM3 ECDHE_SM4_GCM_SM3; do
    for auth in 1 0; do
        case $s$auth in ECDHE*0) continue ;; esac
        tongsuo_server_run $s $auth "${CLIENT_PAIR[@]}"
        what="tlcp client -> tongsuo server, $s, client auth $auth"
        [ $rc = 0 ] && [ "$(cat "$W/out")" = "ousgnot olleh" ] && ok "$what" ||
            { bad "$what: rc $rc, got '$(cat "$W/out")'"; cat "$W/err" "$W/tsrv.log"; }
    done
done
# The GmSSL 3 form of the ECC client list (sign only) is what Tongsuo refuses.
tongsuo_server_run ECC_SM4_CBC_SM3 1 "${CLIENT_PAIR[@]}" --compat gmssl3
[ $rc != 0 ] && grep -q "no certificates returned" "$W/tsrv.log" &&
    ok "tongsuo server refuses the sign-only ECC client list (--compat gmssl3)" ||
    { bad "sign-only list to tongsuo: rc $rc"; cat "$W/err" "$W/tsrv.log"; }

# 2. Tongsuo s_client -> tlcp server (client certificates offered every time)
start_server "$W/srv.log" --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --verify optional --ca "$P/ca.pem" \
    --suites ECDHE_SM4_GCM_SM3,ECDHE_SM4_CBC_SM3,ECC_SM4_GCM_SM3,ECC_SM4_CBC_SM3 --accept 4 ||
    { bad "server did not start"; finish; exit 1; }
for s in ECC_SM4_CBC_SM3 ECC_SM4_GCM_SM3 ECDHE_SM4_CBC_SM3 ECDHE_SM4_GCM_SM3; do
    (echo "from tongsuo"; sleep 1) | timeout 30 "$TS" s_client -connect "127.0.0.1:$PORT" -enable_ntls \
        -ntls -cipher "$(ts_name $s)" -CAfile "$P/ca.pem" -verify_return_error -quiet \
        "${TS_CLIENT_PAIR[@]}" >"$W/out" 2>&1
    grep -qx "from tongsuo" "$W/out" && ok "tongsuo client -> tlcp server, $s" ||
        { bad "tongsuo client -> tlcp server, $s"; tail -5 "$W/out"; }
done
wait_server
expect_rc 0 $? "tlcp server: four Tongsuo handshakes"
for s in ECC_SM4_CBC_SM3 ECC_SM4_GCM_SM3 ECDHE_SM4_CBC_SM3 ECDHE_SM4_GCM_SM3; do
    expect_grep "$W/srv.log" "handshake ok: $s, " "server logged $s"
done
n=$(grep -c "client C=CN, O=libtlcp, OU=client, CN=TLCP client" "$W/srv.log")
[ "$n" = 4 ] && ok "Tongsuo sent the client certificates each time" || bad "$n client-authenticated"

# 3. Session tickets (Tongsuo issues them by default; -no_cache leaves only
# the ticket to resume with), ALPN and SNI, both directions.
SRV_PAIR=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")
TPORT=$((TPORT + 1))
"$TS" s_server -accept 127.0.0.1:$TPORT "${TS_SERVER[@]}" -cipher ECC-SM2-SM4-GCM-SM3 -no_cache \
    -alpn http/1.1 -rev >"$W/tsrv.log" 2>&1 &
TP=$!
for _ in $(seq 50); do
    echo "ticket" | timeout 30 "$TLCP" client "localhost:$TPORT" --ca "$P/ca.pem" --suites ECC_SM4_GCM_SM3 \
        --tickets --reconnect --alpn h2,http/1.1 --servername localhost >"$W/out" 2>"$W/err"
    rc=$?
    [ $rc = 4 ] && grep -q "connection refused" "$W/err" || break
    sleep 0.1
done
expect_rc 0 $rc "tlcp client --tickets --reconnect -> tongsuo server"
expect_grep "$W/err" "reconnected: session resumed (abbreviated handshake)" "resumed with Tongsuo's ticket"
expect_grep "$W/err" "ALPN: http/1.1" "Tongsuo selected http/1.1 from h2,http/1.1"
[ "$(cat "$W/out")" = "tekcit" ] && ok "data after the ticket resumption" || bad "got '$(cat "$W/out")'"
echo "no overlap" | timeout 30 "$TLCP" client "localhost:$TPORT" --ca "$P/ca.pem" --suites ECC_SM4_GCM_SM3 \
    --alpn h2 >"$W/out" 2>"$W/err"
expect_rc 5 $? "tlcp client --alpn h2 -> tongsuo server with http/1.1 only"
expect_grep "$W/err" "peer sent alert no_application_protocol" "Tongsuo refuses with alert 120"
kill $TP 2>/dev/null
wait $TP 2>/dev/null

certgen_out="$W/pki-named"
"$TLCP" certgen --out "$certgen_out" --cn tlcp.test >/dev/null 2>&1 || bad "certgen --cn tlcp.test"
cat "$P/ca.pem" "$certgen_out/ca.pem" >"$W/both-ca.pem"
start_server "$W/srv3.log" "${SRV_PAIR[@]}" --tickets --sessions 0 --alpn http/1.1,h2 \
    --cert-for "tlcp.test:$certgen_out/server-sign.pem:$certgen_out/server-sign.key:$certgen_out/server-enc.pem:$certgen_out/server-enc.key" \
    --accept 3 || { bad "server did not start"; finish; exit 1; }
ts_client() { # name: s_client to our server with SNI tlcp.test and ALPN h2,http/1.1
    (echo "$1"; sleep 1) | timeout 30 "$TS" s_client -connect "127.0.0.1:$PORT" -enable_ntls -ntls \
        -cipher ECC-SM2-SM4-GCM-SM3 -CAfile "$W/both-ca.pem" -verify_return_error \
        -servername tlcp.test -alpn h2,http/1.1 "${@:2}" >"$W/out" 2>&1
}
ts_client first -sess_out "$W/ts-sess.pem"
grep -q "^New, " "$W/out" && grep -q "TLS session ticket lifetime hint: 7200" "$W/out" &&
    ok "tongsuo client: full handshake, our ticket received" || { bad "first s_client"; tail -20 "$W/out"; }
expect_grep "$W/out" "ALPN protocol: http/1.1" "our server selected http/1.1 (its preference)"
expect_grep "$W/out" "subject=C=CN, O=libtlcp, CN=tlcp.test" "the pair for SNI tlcp.test was sent"
ts_client second -sess_in "$W/ts-sess.pem"
expect_grep "$W/out" "Reused, " "tongsuo client resumed with our ticket (-sess_in)"
ts_client third -sess_in "$W/ts-sess.pem" -no_ticket
expect_grep "$W/out" "New, " "without the ticket extension: full handshake"
wait_server
expect_rc 0 $? "tlcp server: three Tongsuo handshakes"
n=$(grep -c "handshake ok: ECC_SM4_GCM_SM3, resumed, .*server name tlcp.test, ALPN: http/1.1" "$W/srv3.log")
[ "$n" = 1 ] && ok "server logged one resumed handshake with SNI and ALPN" || { bad "$n resumed"; cat "$W/srv3.log"; }
finish
