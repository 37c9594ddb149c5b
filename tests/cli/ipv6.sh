#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# IPv6: without --bind the server listens on [::] with IPV6_V6ONLY off, so
# IPv6 and IPv4 clients reach the same port; the client takes [v6addr]:PORT
# and verifies the certificate's IP:::1 SAN. Skipped (77) only on a machine
# without an IPv6 loopback address.
. "$(dirname "$0")/lib/common.bash"

if ! grep -q "^00000000000000000000000000000001 .* lo$" /proc/net/if_inet6 2>/dev/null; then
    echo "skip: no IPv6 loopback address (::1) on this machine"
    exit 77
fi

P="$W/pki"
"$TLCP" certgen --out "$P" >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")
client() { timeout 60 "$TLCP" client "$@"; }

start_any "$W/srv.log" "${PAIRS[@]}" --accept 3 || { bad "server without --bind did not start"; cat "$W/srv.log"; finish; exit 1; }
expect_grep "$W/srv.log" "listening on * port $PORT" "server without --bind listens on every address"
echo "over v6" | client "[::1]:$PORT" --ca "$P/ca.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "client [::1]:PORT round trip (certificate checked against IP:::1)"
[ "$(cat "$W/out")" = "over v6" ] && ok "echo over IPv6" || bad "IPv6 echo got: $(cat "$W/out") / $(cat "$W/err")"
echo "over v4" | client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >"$W/out" 2>&1
expect_rc 0 $? "IPv4 client on the same (dual-stack) port"
[ "$(cat "$W/out")" = "over v4" ] && ok "echo over IPv4" || bad "IPv4 echo got: $(cat "$W/out")"
echo "by name" | client "localhost:$PORT" --ca "$P/ca.pem" --quiet >"$W/out" 2>&1
expect_rc 0 $? "client localhost:PORT"
wait_server
expect_rc 0 $? "server exits 0 after --accept 3"
grep -q "\[conn [0-9]\] \[::1\]:[0-9]* handshake ok" "$W/srv.log" && ok "server logs the IPv6 peer as [::1]:port" ||
    bad "no IPv6 peer in: $(cat "$W/srv.log")"
grep -q "\[conn [0-9]\] 127\.0\.0\.1:[0-9]* handshake ok" "$W/srv.log" &&
    ok "an IPv4 client of the dual-stack socket is logged as 127.0.0.1" || bad "no IPv4 peer in: $(cat "$W/srv.log")"

# --bind ::1 is IPv6 only
start_any "$W/srv2.log" --bind ::1 "${PAIRS[@]}" --accept 1 || bad "server --bind ::1 did not start"
expect_grep "$W/srv2.log" "listening on ::1 port" "--bind ::1"
client "127.0.0.1:$PORT" --ca "$P/ca.pem" </dev/null >/dev/null 2>"$W/err"
expect_rc 4 $? "an IPv4 client cannot reach a server bound to ::1"
echo x | client "[::1]:$PORT" --ca "$P/ca.pem" --servername localhost --quiet >/dev/null 2>&1
expect_rc 0 $? "client [::1]:PORT with --servername"
wait_server
finish
