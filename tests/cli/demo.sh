#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp demo: a full traced handshake; both sides walk every state in order;
# the data goes both ways; the temporary PKI is removed.
. "$(dirname "$0")/lib/common.bash"

states() { # side file -> the states the trace enters, space separated
    grep "^$1 | " "$2" |
        sed -n 's/.*\(TRANSITION\|READ_STATE_HEADER\|handshake done\): .* -> \(TLS_ST_[A-Z_]*\).*/\2/p' |
        tr '\n' ' ' | sed 's/ $//'
}

check_demo() { # suite expected-client expected-server
    TMPDIR="$W" timeout 60 "$TLCP" demo --suite "$1" >"$W/demo.out" 2>&1
    expect_rc 0 $? "tlcp demo --suite $1"
    local c s
    c=$(states client "$W/demo.out")
    s=$(states server "$W/demo.out")
    [ "$c" = "$2" ] && ok "$1: client states in order" || bad "$1: client states: $c"
    [ "$s" = "$3" ] && ok "$1: server states in order" || bad "$1: server states: $s"
    expect_grep "$W/demo.out" "cipher suite       $1" "$1: summary names the suite"
    expect_grep "$W/demo.out" "server received \"hello from the TLCP client\"" "$1: client to server data"
    expect_grep "$W/demo.out" "client received \"hello from the TLCP server\"" "$1: server to client data"
    expect_grep "$W/demo.out" "server sign cert   C=CN, O=libtlcp, CN=localhost" "$1: sign subject"
    expect_grep "$W/demo.out" "client | received close_notify" "$1: clean close"
    # message fields are traced with hex
    expect_grep "$W/demo.out" "client |   version: 01 01 (TLCP)" "$1: hello version field"
    expect_grep "$W/demo.out" "server |   header: 0b 00" "$1: certificate header bytes"
    if ls "$W"/tlcp-demo-* >/dev/null 2>&1; then bad "$1: temporary PKI left behind"; else
        ok "$1: temporary PKI removed"
    fi
}

ECC_C="TLS_ST_CW_CLNT_HELLO TLS_ST_CR_SRVR_HELLO TLS_ST_CR_CERT TLS_ST_CR_KEY_EXCH TLS_ST_CR_SRVR_DONE TLS_ST_CW_KEY_EXCH TLS_ST_CW_CHANGE TLS_ST_CW_FINISHED TLS_ST_CR_CHANGE TLS_ST_CR_FINISHED TLS_ST_OK"
ECC_S="TLS_ST_SR_CLNT_HELLO TLS_ST_SW_SRVR_HELLO TLS_ST_SW_CERT TLS_ST_SW_KEY_EXCH TLS_ST_SW_SRVR_DONE TLS_ST_SR_KEY_EXCH TLS_ST_SR_CHANGE TLS_ST_SR_FINISHED TLS_ST_SW_CHANGE TLS_ST_SW_FINISHED TLS_ST_OK"
DHE_C="TLS_ST_CW_CLNT_HELLO TLS_ST_CR_SRVR_HELLO TLS_ST_CR_CERT TLS_ST_CR_KEY_EXCH TLS_ST_CR_CERT_REQ TLS_ST_CR_SRVR_DONE TLS_ST_CW_CERT TLS_ST_CW_KEY_EXCH TLS_ST_CW_CERT_VRFY TLS_ST_CW_CHANGE TLS_ST_CW_FINISHED TLS_ST_CR_CHANGE TLS_ST_CR_FINISHED TLS_ST_OK"
DHE_S="TLS_ST_SR_CLNT_HELLO TLS_ST_SW_SRVR_HELLO TLS_ST_SW_CERT TLS_ST_SW_KEY_EXCH TLS_ST_SW_CERT_REQ TLS_ST_SW_SRVR_DONE TLS_ST_SR_CERT TLS_ST_SR_KEY_EXCH TLS_ST_SR_CERT_VRFY TLS_ST_SR_CHANGE TLS_ST_SR_FINISHED TLS_ST_SW_CHANGE TLS_ST_SW_FINISHED TLS_ST_OK"

check_demo ECC_SM4_GCM_SM3 "$ECC_C" "$ECC_S"
check_demo ECC_SM4_CBC_SM3 "$ECC_C" "$ECC_S"
check_demo ECDHE_SM4_GCM_SM3 "$DHE_C" "$DHE_S"

# --resume: the second connection runs the abbreviated handshake
TMPDIR="$W" timeout 60 "$TLCP" demo --resume --suite ECC_SM4_CBC_SM3 >"$W/res.out" 2>&1
expect_rc 0 $? "tlcp demo --resume"
sed -n '/second connection, offering the session/,$p' "$W/res.out" >"$W/res2.out"
c=$(states client "$W/res2.out")
s=$(states server "$W/res2.out")
RES_C="TLS_ST_CW_CLNT_HELLO TLS_ST_CR_SRVR_HELLO TLS_ST_CR_CHANGE TLS_ST_CR_FINISHED TLS_ST_CW_CHANGE TLS_ST_CW_FINISHED TLS_ST_OK"
RES_S="TLS_ST_SR_CLNT_HELLO TLS_ST_SW_SRVR_HELLO TLS_ST_SW_CHANGE TLS_ST_SW_FINISHED TLS_ST_SR_CHANGE TLS_ST_SR_FINISHED TLS_ST_OK"
[ "$c" = "$RES_C" ] && ok "resumed: client states in order" || bad "resumed: client states: $c"
[ "$s" = "$RES_S" ] && ok "resumed: server states in order" || bad "resumed: server states: $s"
expect_grep "$W/res.out" "resumed            yes (abbreviated handshake)" "demo reports the resumption"

# the default run is the GCM suite; --no-trace prints only the summary
TMPDIR="$W" timeout 60 "$TLCP" demo --no-trace >"$W/quiet.out" 2>&1
expect_rc 0 $? "tlcp demo --no-trace"
grep -q "TLS_ST_" "$W/quiet.out" && bad "--no-trace still traces" || ok "--no-trace prints no states"
expect_grep "$W/quiet.out" "cipher suite       ECC_SM4_GCM_SM3" "default suite is ECC_SM4_GCM_SM3"
finish
