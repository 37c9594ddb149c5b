#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp server / client: --alpn (both sides print or log the agreed
# protocol; --alpn-required refuses with no_application_protocol) and
# --cert-for (a pair per server name, exact and wildcard, the default pair
# for other names, unrecognized_name without one), with the trace lines.
. "$(dirname "$0")/lib/common.bash"

for d in def a w; do
    cn=localhost
    [ "$d" = a ] && cn=a.example
    [ "$d" = w ] && cn='*.w.example'
    args=(--out "$W/$d" --cn "$cn")
    [ "$d" = w ] && args+=(--san 'DNS:*.w.example')
    "$TLCP" certgen "${args[@]}" >/dev/null 2>&1 || { echo "certgen $d failed"; exit 1; }
done
pair() { echo "--sign-cert $W/$1/server-sign.pem --sign-key $W/$1/server-sign.key --enc-cert $W/$1/server-enc.pem --enc-key $W/$1/server-enc.key"; }
cert_for() { echo "$1:$W/$2/server-sign.pem:$W/$2/server-sign.key:$W/$2/server-enc.pem:$W/$2/server-enc.key"; }
client() { timeout 30 "$TLCP" client "$@"; }

# --- usage errors ---
"$TLCP" server --port 0 --cert-for a.example:x:y:z 2>"$W/err"
expect_rc 2 $? "--cert-for with four fields"
expect_grep "$W/err" "--cert-for wants NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY" "--cert-for message"
"$TLCP" server --port 0 $(pair def) --alpn-required 2>"$W/err"
expect_rc 2 $? "--alpn-required without --alpn"
"$TLCP" server --port 0 $(pair def) --alpn 'h2,,x' 2>"$W/err"
expect_rc 3 $? "--alpn with an empty name"
expect_grep "$W/err" "--alpn: ALPN protocol names have 1 to 255 bytes" "--alpn message"
"$TLCP" server --port 0 $(pair def) --cert-for "$(cert_for 'a.*.example' a)" 2>"$W/err"
expect_rc 3 $? "--cert-for with a bad name"
expect_grep "$W/err" "--cert-for a.*.example: server name" "--cert-for bad name message"

# --- ALPN and pairs by name on one server ---
# shellcheck disable=SC2046
start_server "$W/srv.log" $(pair def) --cert-for "$(cert_for a.example a)" \
    --cert-for "$(cert_for '*.w.example' w)" --alpn h2,http/1.1 --accept 4 --trace ||
    { bad "server did not start: $(cat "$W/srv.log")"; finish; exit 1; }
echo hi | client "127.0.0.1:$PORT" --ca "$W/a/ca.pem" --servername A.Example --alpn http/1.1,h2 >"$W/out" 2>"$W/c1"
expect_rc 0 $? "exact name (any case), ALPN agreed"
expect_grep "$W/c1" "server sign certificate: C=CN, O=libtlcp, CN=a.example" "a.example pair served"
expect_grep "$W/c1" "ALPN: h2" "client prints the server's preference"
echo hi | client "127.0.0.1:$PORT" --ca "$W/w/ca.pem" --servername x.w.example --alpn spdy/1 >"$W/out" 2>"$W/c2"
expect_rc 0 $? "wildcard name, no ALPN overlap"
expect_grep "$W/c2" "CN=*.w.example" "wildcard pair served"
expect_grep "$W/c2" "ALPN: none" "client prints none"
echo hi | client "127.0.0.1:$PORT" --ca "$W/def/ca.pem" --servername localhost >"$W/out" 2>"$W/c3"
expect_rc 0 $? "unknown name, no ALPN"
expect_grep "$W/c3" "CN=localhost" "default pair for an unknown name"
echo hi | client "127.0.0.1:$PORT" --ca "$W/def/ca.pem" >"$W/out" 2>"$W/c4"
expect_rc 0 $? "no SNI"
wait_server
expect_rc 0 $? "server after four clients"
expect_grep "$W/srv.log" "[conn 1] certificate pair \"a.example\" for server name \"A.Example\"" "trace: exact pair"
expect_grep "$W/srv.log" "[conn 1] ALPN selected \"h2\" (server preference)" "trace: ALPN selected"
expect_grep "$W/srv.log" "server name A.Example, ALPN: h2" "log line names the protocol"
expect_grep "$W/srv.log" "[conn 2] certificate pair \"*.w.example\" for server name \"x.w.example\"" "trace: wildcard pair"
expect_grep "$W/srv.log" "[conn 2] ALPN: no protocol in common" "trace: no overlap"
expect_grep "$W/srv.log" "[conn 3] certificate pair: default (no pair for server name \"localhost\")" "trace: default pair"
expect_grep "$W/srv.log" "[conn 4] certificate pair: default (no server name)" "trace: no SNI"

# --- --alpn-required; no default pair ---
# shellcheck disable=SC2046
start_server "$W/srv2.log" --cert-for "$(cert_for a.example a)" --alpn http/1.1 --alpn-required --accept 3 ||
    { bad "server 2 did not start: $(cat "$W/srv2.log")"; finish; exit 1; }
echo hi | client "127.0.0.1:$PORT" --ca "$W/a/ca.pem" --servername a.example --alpn h2 >"$W/out" 2>"$W/c5"
expect_rc 5 $? "required ALPN, no overlap"
expect_grep "$W/c5" "peer sent alert no_application_protocol" "client sees alert 120"
echo hi | client "127.0.0.1:$PORT" --ca "$W/def/ca.pem" --servername other.example --alpn http/1.1 >"$W/out" 2>"$W/c6"
expect_rc 5 $? "unknown name without a default pair"
expect_grep "$W/c6" "peer sent alert unrecognized_name" "client sees alert 112"
echo hi | client "127.0.0.1:$PORT" --ca "$W/a/ca.pem" --servername a.example --alpn http/1.1 >"$W/out" 2>"$W/c7"
expect_rc 0 $? "required ALPN matched, named pair without a default"
wait_server
expect_grep "$W/srv2.log" "no ALPN protocol offered by the client is enabled" "server log: reason"
expect_grep "$W/srv2.log" "no certificate pair for server name \"other.example\" and no default pair" "server log: unknown name"
finish
