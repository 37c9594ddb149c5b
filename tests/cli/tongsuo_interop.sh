#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Live interop with Tongsuo (its `openssl s_server -ntls` / `s_client -ntls`),
# both directions, all four suites; the PKI comes from tlcp certgen, so this
# also shows Tongsuo accepts it. Runs only when $TONGSUO names a Tongsuo
# `openssl` binary; otherwise it says so and passes.
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
finish
