#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp selftest: every primitive passes its known-answer test, one line each.
# $1: the tlcp binary.
set -uo pipefail

tlcp="${1:?usage: selftest.sh <tlcp binary>}"
expected_lines=9 # SM3, SM4, SM4-CBC, SM4-GCM, HMAC-SM3, PRF, SM2 sign, SM2 enc, SM2 KX

out="$("$tlcp" selftest 2>&1)"
status=$?
echo "$out"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[ "$status" -eq 0 ] || fail "tlcp selftest exited $status"
ok_lines="$(grep -cE '^[A-Z0-9].* \.+ ok$' <<<"$out")"
[ "$ok_lines" -eq "$expected_lines" ] || fail "$ok_lines 'ok' lines, expected $expected_lines"
! grep -q "FAILED" <<<"$out" || fail "a primitive reported FAILED"
grep -qx "selftest: all passed" <<<"$out" || fail "no 'selftest: all passed' summary"
for name in "SM3" "SM4" "SM4-CBC" "SM4-GCM" "HMAC-SM3" "PRF (SM3)" "SM2 sign/verify" \
    "SM2 encrypt/decrypt" "SM2 key exchange"; do
    grep -qF "$name ." <<<"$out" || fail "no line for $name"
done
