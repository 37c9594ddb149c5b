#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Session tickets with the tools: tlcp server --tickets / --ticket-keys F and
# tlcp client --tickets. The servers run with --sessions 0 (no session-ID
# cache), so a resumption can only come from the ticket.
. "$(dirname "$0")/lib/common.bash"

P="$W/pki"
"$TLCP" certgen --out "$P" >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
SERVER_PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key" --sessions 0)
client() { timeout 60 "$TLCP" client "$@"; }

# --- --tickets: --reconnect resumes with the ticket; without --tickets it cannot ---
start_server "$W/srv1.log" "${SERVER_PAIRS[@]}" --tickets --accept 4 ||
    { bad "server --tickets did not start"; cat "$W/srv1.log"; finish; exit 1; }
echo one | client "localhost:$PORT" --ca "$P/ca.pem" --tickets --reconnect --trace >"$W/out" 2>"$W/err"
expect_rc 0 $? "client --tickets --reconnect"
expect_grep "$W/err" "received a session ticket" "client trace: the server sent a ticket"
expect_grep "$W/err" "offering a session ticket of" "client trace: the second connection offers it"
expect_grep "$W/err" "reconnected: session resumed (abbreviated handshake)" "resumed with the ticket"
expect_grep "$W/out" "one" "data after the resumed handshake"
echo two | client "localhost:$PORT" --ca "$P/ca.pem" --reconnect >"$W/out" 2>"$W/err"
expect_rc 0 $? "client --reconnect without --tickets"
expect_grep "$W/err" "reconnected: full handshake (the server gave no session ID)" \
    "no ticket offered, no session ID: full handshake"
wait_server
expect_rc 0 $? "server --tickets exits 0 after --accept 4"
n=$(grep -c "handshake ok: ECC_SM4_GCM_SM3, resumed, " "$W/srv1.log")
[ "$n" = 1 ] && ok "server logs one resumed handshake" || bad "server logged $n resumed handshakes"

# --- --ticket-keys F: a second server process opens the first one's ticket ---
cat >"$W/keys" <<'EOF'
# oldest first; the last key seals
key 00112233445566778899aabbccddeeff 000102030405060708090a0b0c0d0e0f
key ffeeddccbbaa99887766554433221100 f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f
lifetime 600
EOF
start_server "$W/srv2.log" "${SERVER_PAIRS[@]}" --ticket-keys "$W/keys" --accept 1 ||
    { bad "server --ticket-keys did not start"; cat "$W/srv2.log"; }
echo three | client "localhost:$PORT" --ca "$P/ca.pem" --tickets --sess-out "$W/sess.pem" >/dev/null 2>"$W/err"
expect_rc 0 $? "client --tickets --sess-out"
wait_server
expect_rc 0 $? "first --ticket-keys server exits 0"
[ -s "$W/sess.pem" ] && ok "session file written" || bad "no session file"
start_server "$W/srv3.log" "${SERVER_PAIRS[@]}" --ticket-keys "$W/keys" --accept 2 ||
    { bad "second --ticket-keys server did not start"; cat "$W/srv3.log"; }
echo four | client "localhost:$PORT" --ca "$P/ca.pem" --tickets --sess-in "$W/sess.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "client --tickets --sess-in against another server process"
expect_grep "$W/err" "session: resumed" "the other process resumed the ticket (same keys)"
expect_grep "$W/out" "four" "data after the resumption"
# a server with other keys cannot open it: a full handshake, not an error
sed 's/^key ffee[0-9a-f]* /key 0123456789abcdef0123456789abcdef /' "$W/keys" >"$W/keys-other"
echo five | client "localhost:$PORT" --ca "$P/ca.pem" --tickets --sess-in "$W/sess.pem" >/dev/null 2>"$W/err"
expect_rc 0 $? "client --sess-in again (same server)"
wait_server
start_server "$W/srv4.log" "${SERVER_PAIRS[@]}" --ticket-keys "$W/keys-other" --accept 1 --trace ||
    { bad "server with other keys did not start"; cat "$W/srv4.log"; }
echo six | client "localhost:$PORT" --ca "$P/ca.pem" --tickets --sess-in "$W/sess.pem" >"$W/out" 2>"$W/err"
expect_rc 0 $? "client --sess-in against a server with other keys"
expect_grep "$W/err" "session: new (the server did not resume the offered session)" \
    "a ticket under an unknown key: full handshake"
expect_grep "$W/out" "six" "data after the full handshake"
wait_server
expect_grep "$W/srv4.log" "not accepted (ticket under an unknown key): full handshake" \
    "server trace says why the ticket was not used"

# --- errors ---
"$TLCP" server "${SERVER_PAIRS[@]}" --tickets --ticket-keys "$W/keys" --port 0 >/dev/null 2>"$W/err"
expect_rc 2 $? "--tickets with --ticket-keys"
expect_grep "$W/err" "choose one of --tickets and --ticket-keys" "usage error names both"
printf 'key 0011 00\n' >"$W/badkeys"
"$TLCP" server "${SERVER_PAIRS[@]}" --ticket-keys "$W/badkeys" --port 0 >/dev/null 2>"$W/err"
rc=$?
[ "$rc" -ne 0 ] && ok "malformed key file refused (exit $rc)" || bad "malformed key file accepted"
expect_grep "$W/err" "badkeys:1:" "the error names the file and line"
finish
