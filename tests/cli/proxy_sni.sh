#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp proxy, terminate: pairs per server name ('pair_for'). Two names get
# two different certificates, another name and no SNI get the default
# pair, and the configuration errors of the new key name file:line:key.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/proxy.bash"

for n in one two; do
    "$TLCP" certgen --out "$W/$n" --cn "$n.example" >/dev/null 2>&1 || { echo "certgen $n failed"; exit 1; }
done
files() { echo "$1/server-sign.pem $1/server-sign.key $1/server-enc.pem $1/server-enc.key"; }
start_echo plain
BACK=$ECHO_PORT
cat >"$W/p.conf" <<CONF
[web]
direction = terminate
accept = 127.0.0.1:0
connect = 127.0.0.1:$BACK
pair = $(files "$P")
pair_for = one.example $(files "$W/one")
pair_for = *.two.example $(files "$W/two")
pair_for = two.example $(files "$W/two")
CONF
start_proxy "$W/proxy.log" --config "$W/p.conf" || { bad "proxy did not start"; cat "$W/proxy.log"; finish; exit 1; }
T=$(port_of "$W/proxy.log" web)
expect_grep "$W/proxy.log" "[web]: certificate pairs for 3 server name(s) by SNI; the default pair serves other names and no SNI" "startup line"
ask() { # ask NAME CA OUT [client options]
    local name=$1 ca=$2 out=$3
    shift 3
    echo "hello $name" | client "127.0.0.1:$T" --ca "$ca" --servername "$name" "$@" >"$out.data" 2>"$out"
}
ask one.example "$W/one/ca.pem" "$W/c1"
expect_rc 0 $? "one.example through the proxy"
expect_grep "$W/c1" "server sign certificate: C=CN, O=libtlcp, CN=one.example" "one.example gets its certificate"
expect_grep "$W/c1.data" "hello one.example" "one.example: echoed by the backend"
ask two.example "$W/two/ca.pem" "$W/c2"
expect_rc 0 $? "two.example through the proxy"
expect_grep "$W/c2" "server sign certificate: C=CN, O=libtlcp, CN=two.example" "two.example gets its certificate"
# A wildcard name with verification off (the certificate names two.example only).
echo x | client "127.0.0.1:$T" --servername www.two.example >/dev/null 2>"$W/c3"
expect_rc 0 $? "www.two.example (wildcard pair)"
expect_grep "$W/c3" "CN=two.example" "wildcard name gets the two.example pair"
ask localhost "$P/ca.pem" "$W/c4"
expect_rc 0 $? "another name gets the default pair"
expect_grep "$W/c4" "CN=localhost" "default pair's certificate"
echo x | client "127.0.0.1:$T" --ca "$P/ca.pem" >/dev/null 2>"$W/c5"
expect_rc 0 $? "no SNI gets the default pair"
stop_proxy
expect_rc 0 "$PX_RC" "proxy exit after SIGTERM"

# --- configuration errors ---
conf_error() { # conf_error WHAT MESSAGE
    "$TLCP" proxy --config "$W/c.conf" --check 2>"$W/err" >/dev/null
    local rc=$?
    [ $rc -ne 0 ] && ok "$1: refused (exit $rc)" || bad "$1: accepted"
    expect_grep "$W/err" "$2" "$1: message"
}
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\npair_for = a.example %s\n' \
    "$P/server-sign.pem $P/server-sign.key $P/server-enc.pem" >"$W/c.conf"
conf_error "pair_for without a file" "c.conf:5: key 'pair_for': wants a name and four files"
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\npair_for = a.*.example %s\n' \
    "$(files "$P")" >"$W/c.conf"
conf_error "pair_for with a bad name" "c.conf:5: key 'pair_for': pair for a.*.example"
printf '[web]\ndirection = terminate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\npair = %s\npair = %s\n' \
    "$(files "$P")" "$(files "$W/one")" >"$W/c.conf"
conf_error "two default pairs" "more than one default certificate pair"
printf '[out]\ndirection = originate\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:9\nverify = none\npair_for = a.example %s\n' \
    "$(files "$P")" >"$W/c.conf"
conf_error "pair_for when originating" "key 'pair_for' applies to terminate only"
finish
