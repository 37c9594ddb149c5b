#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy configuration: every error class names the file, the line and
# the key (exit 3), command-line errors exit 2, --check accepts a good file.
. "$(dirname "$0")/lib/common.bash"

P="$W/pki"
"$TLCP" certgen --out "$P" >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
PAIR="pair = $P/server-sign.pem $P/server-sign.key $P/server-enc.pem $P/server-enc.key"

# conf_error NAME EXPECTED-MESSAGE: the file $W/c.conf (written before) fails.
conf_error() {
    "$TLCP" proxy --config "$W/c.conf" --check >"$W/out" 2>"$W/err"
    local rc=$?
    if [ $rc -eq 3 ] && grep -qF -- "$2" "$W/err"; then ok "$1"; else
        bad "$1: exit $rc, expected 3 and '$2' in:"; sed 's/^/    | /' "$W/err"
    fi
}
good_service() {
    printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\n%s\n' "$PAIR"
}

# --- a good file ---
{ echo "# comment"; echo "workers = 2"; echo "; another comment"; echo; good_service
  echo "handshake_timeout = 500ms"; echo "idle_timeout = 2m"; echo "proxy_protocol = v2"
  echo "[out]"; echo "direction = originate"; echo "accept = [::1]:0"
  echo "connect = 127.0.0.1:4433"; echo "ca = $P/ca.pem"; echo "server_name = localhost"
  echo "compat = gmssl3"; echo "suites = ECC_SM4_CBC_SM3,0xE053"; } >"$W/c.conf"
"$TLCP" proxy --config "$W/c.conf" --check >"$W/out" 2>"$W/err"
expect_rc 0 $? "--check accepts a good file"
expect_grep "$W/out" "configuration ok: 2 services" "--check counts the services"

# --- syntax ---
printf 'workers = 2\n[web\n' >"$W/c.conf"
conf_error "bad section header" "c.conf:2: a section header is '[name]'"
printf 'workers 2\n' >"$W/c.conf"
conf_error "line without =" "c.conf:1: expected 'key = value'"
printf ' = 2\n' >"$W/c.conf"
conf_error "key missing" "c.conf:1: a key is missing"
{ good_service; good_service; } >"$W/c.conf"
conf_error "service defined twice" "c.conf:6: service [web] defined twice (first at line 1)"
printf 'workers = 2\n' >"$W/c.conf"
conf_error "no service" "c.conf: no [service] section"
{ printf 'workers = 1\n#%05000d\n' 0; } >"$W/c.conf"
conf_error "line too long" "c.conf:2: line longer than 4096 characters"

# --- unknown keys and bad values ---
{ echo "colour = blue"; good_service; } >"$W/c.conf"
conf_error "unknown global key" "c.conf:1: key 'colour': unknown global key"
{ good_service; echo "colour = blue"; } >"$W/c.conf"
conf_error "unknown service key" "c.conf:6: key 'colour': unknown key in a service section"
{ echo "workers = many"; good_service; } >"$W/c.conf"
conf_error "bad number" "c.conf:1: key 'workers': wants a whole number from 1 to 256, not 'many'"
{ good_service; echo "max_conns = -1"; } >"$W/c.conf"
conf_error "number out of range" "c.conf:6: key 'max_conns': wants a whole number from 0"
{ good_service; echo "direction = sideways"; } >"$W/c.conf"
conf_error "bad enum" "c.conf:6: key 'direction': wants terminate or originate, not 'sideways'"
{ good_service; echo "proxy_protocol = v3"; } >"$W/c.conf"
conf_error "bad proxy_protocol" "c.conf:6: key 'proxy_protocol': wants none, v1 or v2, not 'v3'"
{ good_service; echo "handshake_timeout = soon"; } >"$W/c.conf"
conf_error "bad duration" "c.conf:6: key 'handshake_timeout': wants a duration"
{ good_service; echo "accept = localhost"; } >"$W/c.conf"
conf_error "bad address" "c.conf:6: key 'accept': wants ADDRESS:PORT"
{ good_service; echo "accept = 127.0.0.1:70000"; } >"$W/c.conf"
conf_error "port out of range" "c.conf:6: key 'accept': wants ADDRESS:PORT"
{ good_service; echo "accept = unix:/tmp/x"; } >"$W/c.conf"
conf_error "unix accept" "c.conf:6: key 'accept': a unix socket is allowed for 'connect' only"
{ good_service; echo "connect = unix:relative"; } >"$W/c.conf"
conf_error "relative unix path" "c.conf:6: key 'connect': unix:PATH wants an absolute path"
{ good_service; echo "verify = maybe"; } >"$W/c.conf"
conf_error "bad verify" "c.conf:6: key 'verify': wants none, optional or require"
{ good_service; echo "suites = ECC_RC4"; } >"$W/c.conf"
conf_error "bad suite" "c.conf:6: key 'suites': unknown cipher suite 'ECC_RC4'"
{ good_service; echo "pair = a b c"; } >"$W/c.conf"
conf_error "pair of three" "c.conf:6: key 'pair': wants four files"
# the shared session store's keys (a build without hiredis refuses redis itself)
{ echo "redis = 127.0.0.1:6379"; good_service; } >"$W/c.conf"
if "$TLCP" proxy --config "$W/c.conf" --check 2>&1 | grep -q "without hiredis"; then
    conf_error "redis without hiredis" "c.conf:1: key 'redis': this tlcp was built without hiredis"
else
    conf_error "redis without session_key" "c.conf: redis needs session_key"
    { echo "redis = 127.0.0.1:6379"; echo "session_key = 0011"; good_service; } >"$W/c.conf"
    conf_error "short session_key" "c.conf:2: key 'session_key': wants 32 hex digits"
    { echo "redis = 127.0.0.1:6379"; echo "session_key = 000102030405060708090a0b0c0d0e0g"; good_service; } >"$W/c.conf"
    conf_error "non-hex session_key" "c.conf:2: key 'session_key': wants 32 hex digits"
    { echo "redis_timeout_ms = 0"; good_service; } >"$W/c.conf"
    conf_error "redis_timeout_ms 0" "c.conf:1: key 'redis_timeout_ms': wants a whole number from 1 to 10000"
    { echo "redis = localhost"; good_service; } >"$W/c.conf"
    conf_error "bad redis address" "c.conf:1: key 'redis': wants ADDRESS:PORT"
    { echo "redis_flavour = x"; good_service; } >"$W/c.conf"
    conf_error "unknown redis key" "c.conf:1: key 'redis_flavour': unknown global key"
fi

# --- required keys and combinations (named with the section's line) ---
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\n%s\n' "$PAIR" >"$W/c.conf"
conf_error "connect missing" "c.conf:1: [web]: key 'connect' missing"
printf '[web]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\n' >"$W/c.conf"
conf_error "direction missing" "c.conf:1: [web]: key 'direction' missing"
printf '[web]\ndirection = terminate\nconnect = 127.0.0.1:9\n' >"$W/c.conf"
conf_error "accept missing" "c.conf:1: [web]: key 'accept' missing"
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\n' >"$W/c.conf"
conf_error "certificates missing" "c.conf:1: [web]: key 'pair' (or sign_cert, sign_key, enc_cert, enc_key) missing"
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\nsign_cert = %s\nsign_key = %s\n' \
    "$P/server-sign.pem" "$P/server-sign.key" >"$W/c.conf"
conf_error "partial single pair" "c.conf:1: [web]: key 'enc_cert' missing"
{ good_service; echo "verify = require"; } >"$W/c.conf"
conf_error "verify without ca" "key 'verify' asks for client certificates: key 'ca' missing"
printf '[o]\ndirection = originate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\nca = %s\nproxy_protocol = v1\n' \
    "$P/ca.pem" >"$W/c.conf"
conf_error "proxy_protocol on originate" "c.conf:1: [o]: key 'proxy_protocol' applies to terminate only"
printf '[o]\ndirection = originate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\n' >"$W/c.conf"
conf_error "originate without ca" "c.conf:1: [o]: key 'ca' missing"
printf '[a]\ndirection = terminate\naccept = 127.0.0.1:4433\nconnect = 127.0.0.1:9\n%s\n' "$PAIR" >"$W/c.conf"
printf '[b]\ndirection = terminate\naccept = 127.0.0.1:4433\nconnect = 127.0.0.1:9\n%s\n' "$PAIR" >>"$W/c.conf"
conf_error "accept used twice" "c.conf:6: [b]: key 'accept': 127.0.0.1:4433 already used by [a]"

# --- files that do not load (line of the key) ---
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\npair = %s %s %s %s\n' \
    "$W/none.pem" "$P/server-sign.key" "$P/server-enc.pem" "$P/server-enc.key" >"$W/c.conf"
conf_error "missing certificate file" "c.conf:5: key 'sign_cert': signing pair $W/none.pem"
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\npair = %s %s %s %s\n' \
    "$P/server-sign.pem" "$P/server-enc.key" "$P/server-enc.pem" "$P/server-enc.key" >"$W/c.conf"
conf_error "key does not match" "c.conf:5: key 'sign_cert': signing pair"
{ good_service; echo "ca = $W/none.pem"; } >"$W/c.conf"
conf_error "missing CA file" "c.conf:6: key 'ca': $W/none.pem"
"$TLCP" proxy --config "$W/nothere.conf" >"$W/out" 2>"$W/err"
expect_rc 3 $? "config file missing"
expect_grep "$W/err" "nothere.conf: cannot open" "missing file named"

# --- command line ---
"$TLCP" proxy --accept 127.0.0.1:0 --connect 127.0.0.1:9 --terminate --colour blue >"$W/out" 2>"$W/err"
expect_rc 2 $? "unknown option"
expect_grep "$W/err" "--colour: unknown key" "unknown option named"
"$TLCP" proxy --accept nowhere --connect 127.0.0.1:9 --terminate >"$W/out" 2>"$W/err"
expect_rc 2 $? "bad --accept"
expect_grep "$W/err" "--accept: wants ADDRESS:PORT" "--accept error names the option"
"$TLCP" proxy --accept 127.0.0.1:0 --connect 127.0.0.1:9 --terminate >"$W/out" 2>"$W/err"
expect_rc 3 $? "command line without certificates"
expect_grep "$W/err" "command line: key 'pair'" "missing certificates named"
"$TLCP" proxy --accept 127.0.0.1:0 --connect 127.0.0.1:9 --terminate --sign-cert "$W/none.pem" \
    --sign-key "$P/server-sign.key" --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --check \
    >"$W/out" 2>"$W/err"
expect_rc 3 $? "command line with a missing file"
expect_grep "$W/err" "key 'sign_cert': signing pair $W/none.pem" "missing file named"
"$TLCP" proxy --accept 127.0.0.1:0 --connect 127.0.0.1:9 --terminate --sign-cert "$P/server-sign.pem" \
    --sign-key "$P/server-sign.key" --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --check \
    >"$W/out" 2>"$W/err"
expect_rc 0 $? "command line --check"
"$TLCP" proxy --config "$W/c.conf" --accept 127.0.0.1:0 >"$W/out" 2>"$W/err"
expect_rc 2 $? "--config with service options"
"$TLCP" proxy >"$W/out" 2>"$W/err"
expect_rc 2 $? "no arguments"
"$TLCP" proxy --help >"$W/out" 2>&1
expect_rc 0 $? "--help"
expect_grep "$W/out" "docs/PROXY.md" "--help points to docs/PROXY.md"
finish
