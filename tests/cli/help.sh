#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every command answers --help on stdout with exit 0; bad command lines exit 2
# with a sentence on stderr.
. "$(dirname "$0")/lib/common.bash"

for cmd in demo certgen server client proxy keyserver selftest version help; do
    "$TLCP" "$cmd" --help >"$W/out" 2>"$W/err"
    expect_rc 0 $? "tlcp $cmd --help"
    if [ "$cmd" != help ]; then
        expect_grep "$W/out" "usage: tlcp $cmd" "tlcp $cmd --help shows its usage"
    fi
    [ -s "$W/err" ] && bad "tlcp $cmd --help wrote to stderr" || ok "tlcp $cmd --help: stderr empty"
    "$TLCP" help "$cmd" >"$W/out2" 2>&1
    expect_rc 0 $? "tlcp help $cmd"
done

"$TLCP" help >"$W/out" 2>&1
expect_rc 0 $? "tlcp help"
for cmd in demo certgen server client proxy keyserver selftest version; do
    expect_grep "$W/out" "  $cmd " "tlcp help lists $cmd"
done
expect_grep "$W/out" "exit status" "tlcp help documents exit codes"

"$TLCP" --help >/dev/null 2>&1
expect_rc 0 $? "tlcp --help"
"$TLCP" version >"$W/out" 2>&1
expect_rc 0 $? "tlcp version"
expect_grep "$W/out" "TLCP" "version names the protocol"

"$TLCP" >/dev/null 2>"$W/err"
expect_rc 2 $? "tlcp without a command"
"$TLCP" frobnicate >/dev/null 2>"$W/err"
expect_rc 2 $? "unknown command"
expect_grep "$W/err" "unknown command 'frobnicate'" "unknown command is named"
"$TLCP" help frobnicate >/dev/null 2>&1
expect_rc 2 $? "tlcp help of an unknown command"

"$TLCP" server --sign-cert a --sign-key b --enc-cert c --enc-key d 2>"$W/err"
expect_rc 2 $? "server without --port"
expect_grep "$W/err" "--port is required" "server says --port is required"
"$TLCP" server --port 1 2>"$W/err"
expect_rc 2 $? "server without certificates"
expect_grep "$W/err" "needs --sign-cert" "server names the missing certificates"
"$TLCP" server --port 1 --sign-cert a --sign-key b --enc-cert c --enc-key d --echo --www 2>"$W/err"
expect_rc 2 $? "server with two modes"
"$TLCP" server --port 1 --sign-cert a --sign-key b --enc-cert c --enc-key d --suites NOPE 2>"$W/err"
expect_rc 2 $? "server with an unknown suite"
expect_grep "$W/err" "unknown cipher suite 'NOPE'" "unknown suite is named"
"$TLCP" server --port 1 --sign-cert a --sign-key b --enc-cert c --enc-key d --verify maybe 2>"$W/err"
expect_rc 2 $? "server with a bad --verify"
"$TLCP" server --port 1 --bogus 2>"$W/err"
expect_rc 2 $? "unknown option"
expect_grep "$W/err" "unknown option '--bogus'" "unknown option is named"
expect_grep "$W/err" "tlcp server --help" "usage errors point to --help"
"$TLCP" server --port 2>"$W/err"
expect_rc 2 $? "option without its value"
expect_grep "$W/err" "--port needs a value" "missing value is named"

"$TLCP" client 2>"$W/err"
expect_rc 2 $? "client without HOST:PORT"
"$TLCP" client localhost 2>"$W/err"
expect_rc 2 $? "client with a bad address"
expect_grep "$W/err" "is not HOST:PORT" "bad address is explained"
"$TLCP" client a:1 b:2 2>"$W/err"
expect_rc 2 $? "client with two addresses"
"$TLCP" client a:1 --timeout 0 2>"$W/err"
expect_rc 2 $? "client with --timeout 0"
"$TLCP" client a:1 --compat openssl 2>"$W/err"
expect_rc 2 $? "client with an unknown --compat"
expect_grep "$W/err" "--compat wants gmssl3, gmssl2 or standard" "unknown --compat is explained"
"$TLCP" certgen --days 0 2>"$W/err"
expect_rc 2 $? "certgen --days 0"
expect_grep "$W/err" "--days wants a whole number" "bad number is explained"
"$TLCP" certgen --force=yes 2>"$W/err"
expect_rc 2 $? "flag with a value"
"$TLCP" demo --suite NOPE 2>"$W/err"
expect_rc 2 $? "demo with an unknown suite"
finish
