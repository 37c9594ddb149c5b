#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Port numbers and addresses on the command line: anything outside 1..65535
# (0 allowed for --port, where it picks a free port), non-numeric or a bare
# IPv6 address is a usage error (exit 2) that names the bad value.
. "$(dirname "$0")/lib/common.bash"

PAIRS=(--sign-cert a --sign-key b --enc-cert c --enc-key d)
server_usage() { # value message
    "$TLCP" server --port "$1" "${PAIRS[@]}" >/dev/null 2>"$W/err"
    expect_rc 2 $? "server --port $1"
    expect_grep "$W/err" "$2" "server --port $1: message"
}
server_usage 99999 "--port: port 99999 is out of range (0 to 65535)"
server_usage 65536 "--port: port 65536 is out of range (0 to 65535)"
server_usage 4294967297 "--port: port 4294967297 is out of range (0 to 65535)"
server_usage 000000000000080000 "--port: port 000000000000080000 is out of range"
server_usage abc "--port: 'abc' is not a port number (0 to 65535)"
server_usage -1 "--port: '-1' is not a port number"
server_usage 80x "--port: '80x' is not a port number"
server_usage "" "--port: '' is not a port number"
server_usage " 80" "--port: ' 80' is not a port number"

client_usage() { # target message
    "$TLCP" client "$1" </dev/null >/dev/null 2>"$W/err"
    expect_rc 2 $? "client $1"
    expect_grep "$W/err" "$2" "client $1: message"
}
client_usage localhost:69970 "'localhost:69970': port 69970 is out of range (1 to 65535)"
client_usage 127.0.0.1:0 "'127.0.0.1:0': port 0 is out of range (1 to 65535)"
client_usage "[::1]:65536" "'[::1]:65536': port 65536 is out of range (1 to 65535)"
client_usage localhost:abc "'localhost:abc': 'abc' is not a port number (1 to 65535)"
client_usage localhost:+443 "'localhost:+443': '+443' is not a port number"
client_usage localhost "'localhost' is not HOST:PORT"
client_usage localhost: "'localhost:' is not HOST:PORT"
client_usage ::1:4433 "'::1:4433' looks like a bare IPv6 address: write it in brackets, [ADDRESS]:PORT"
client_usage ::1 "'::1' looks like a bare IPv6 address"
client_usage "[::1]" "'[::1]' is not HOST:PORT"

# the limits themselves are fine: port 65535 and 1 get past the parser (the
# connection is then refused: exit 4, not 2)
for p in 1 65535; do
    "$TLCP" client "127.0.0.1:$p" --timeout 2 </dev/null >/dev/null 2>"$W/err"
    rc=$?
    [ $rc -ne 2 ] && ok "client 127.0.0.1:$p is accepted (exit $rc)" || bad "client 127.0.0.1:$p: usage error: $(cat "$W/err")"
done
# --port 0 picks a free port, shown in the listening line
P="$W/pki"
"$TLCP" certgen --out "$P" >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
start_server "$W/srv.log" --sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key" \
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --accept 1 ||
    { bad "server with --port 0 did not start"; finish; exit 1; }
[ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] && ok "--port 0 listens on port $PORT" || bad "port '$PORT'"
echo x | timeout 30 "$TLCP" client "127.0.0.1:$PORT" --ca "$P/ca.pem" --quiet >/dev/null 2>&1
expect_rc 0 $? "client on the picked port"
wait_server
finish
