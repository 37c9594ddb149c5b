#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A fuzz target whose setup fails (a fixture missing) fails with a clear message
# and leaves no crash-* file, and scripts/fuzz.sh says so instead of reporting
# crashes.
#   Always (CTest, no clang needed): scripts/fuzz.sh against stand-in targets:
#   its fixture pre-check, its SETUP FAILED report, no artifact copied, stale
#   artifacts of the target removed.
#   With TLCP_FUZZ_BUILD=<fuzz build dir> (`make fuzz` runs it so): the real
#   libFuzzer targets that read fixtures, with TLCP_FUZZ_DATA_DIR pointing at an
#   empty folder, run directly and through scripts/fuzz.sh.
. "$(dirname "$0")/lib/common.bash"
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
FUZZ_TARGETS_WITH_SETUP="sm2 x509_verify server client"

no_crash_files() { # DIR WHAT
    local found
    found=$(find "$1" -name 'crash-*' -o -name '*-crash-*' | head -5)
    if [ -z "$found" ]; then ok "$2: no crash-* file"; else bad "$2: crash files left: $found"; fi
}

# ---- stand-in targets: scripts/fuzz.sh's own behaviour ----
fake="$W/fake-build"
mkdir -p "$fake/tests/fuzz" "$W/art"
cat >"$fake/tests/fuzz/fuzz_sm2" <<EOF
#!/bin/sh
# Like a target whose LLVMFuzzerInitialize cannot load its fixture.
touch "$W/fake-ran"
echo "fuzz setup: cannot open /nowhere/server-enc.key: No such file or directory" >&2
echo "fuzz setup failed: sm2: the target cannot run (see the line above); no input was tried" >&2
exit 1
EOF
chmod +x "$fake/tests/fuzz/fuzz_sm2"
touch "$W/art/sm2-crash-from-an-earlier-run"
FUZZ_NO_PRECHECK=1 FUZZ_ARTIFACTS="$W/art" "$SRC/scripts/fuzz.sh" "$fake" 1 sm2 >"$W/out" 2>&1
expect_rc 1 $? "fuzz.sh with a target whose setup fails"
expect_grep "$W/out" "SETUP FAILED (exit 1), no input was run" "fuzz.sh reports SETUP FAILED"
expect_grep "$W/out" "fuzz setup failed: sm2" "fuzz.sh shows the target's message"
expect_grep "$W/out" "cannot open /nowhere/server-enc.key" "fuzz.sh shows which file is missing"
expect_grep "$W/out" "fuzz: FAILED" "fuzz.sh ends with FAILED"
[ -z "$(ls -A "$W/art")" ] && ok "no artifact kept, the stale crash file removed" ||
    bad "artifacts left: $(ls "$W/art")"

# The pre-check: a copy of tests/data with one recording file gone.
cp -r "$SRC/tests/data" "$W/data"
rm "$W/data/interop/gmssl3-ecc-sm4-cbc-sm3/server-enc.key"
rm -f "$W/fake-ran"
TLCP_FUZZ_DATA_DIR="$W/data" FUZZ_ARTIFACTS="$W/art" "$SRC/scripts/fuzz.sh" "$fake" 1 sm2 \
    >"$W/out" 2>&1
expect_rc 1 $? "fuzz.sh with a fixture file missing"
expect_grep "$W/out" "fixture files missing under $W/data/interop" "fuzz.sh names the missing fixtures"
expect_grep "$W/out" "gmssl3-ecc-sm4-cbc-sm3/server-enc.key" "fuzz.sh names the missing file"
expect_grep "$W/out" "nothing was run" "fuzz.sh says nothing was run"
[ ! -e "$W/fake-ran" ] && ok "no target started" || bad "a target ran despite the missing fixture"
no_crash_files "$W/art" "pre-check"
rm -rf "$W/data"
mkdir "$W/data"
TLCP_FUZZ_DATA_DIR="$W/data" "$SRC/scripts/fuzz.sh" "$fake" 1 sm2 >"$W/out" 2>&1
expect_rc 1 $? "fuzz.sh without the fixture inventory"
expect_grep "$W/out" "interop.sha256 is missing" "fuzz.sh names the missing inventory"

# ---- the real libFuzzer targets (fuzz build) ----
if [ -z "${TLCP_FUZZ_BUILD:-}" ]; then
    echo "note: the real libFuzzer targets are checked by 'make fuzz' (TLCP_FUZZ_BUILD unset)"
    finish
    exit
fi
build=$(cd "$TLCP_FUZZ_BUILD" && pwd)
mkdir -p "$W/empty" "$W/run" "$W/art2"
for t in $FUZZ_TARGETS_WITH_SETUP; do
    exe="$build/tests/fuzz/fuzz_$t"
    if [ ! -x "$exe" ]; then
        bad "$exe missing (make fuzz-build)"
        continue
    fi
    # Control: with the repository's fixtures the target runs.
    (cd "$W/run" && "$exe" -runs=20 -artifact_prefix="$W/run/" >"$W/log" 2>&1)
    expect_rc 0 $? "fuzz_$t with the fixtures"
    (cd "$W/run" && TLCP_FUZZ_DATA_DIR="$W/empty" "$exe" -runs=20 -artifact_prefix="$W/run/" \
        >"$W/log" 2>&1)
    expect_rc 1 $? "fuzz_$t with no fixtures"
    expect_grep "$W/log" "fuzz setup failed: $t: the target cannot run" "fuzz_$t: clear message"
    # "cannot open <path>" (harness) or "cannot open certificate file <path>" (library).
    expect_grep "$W/log" "$W/empty/interop/gmssl3-" "fuzz_$t names the missing file"
    expect_grep "$W/log" "No such file or directory" "fuzz_$t says why"
    if grep -q 'deadly signal\|ERROR: libFuzzer\|AddressSanitizer' "$W/log"; then
        bad "fuzz_$t: the setup failure looks like a crash:"
        sed 's/^/    | /' "$W/log" | head -20
    else
        ok "fuzz_$t: no crash report"
    fi
    no_crash_files "$W/run" "fuzz_$t run directly"
done
TLCP_FUZZ_DATA_DIR="$W/empty" FUZZ_NO_PRECHECK=1 FUZZ_ARTIFACTS="$W/art2" \
    "$SRC/scripts/fuzz.sh" "$build" 2 $FUZZ_TARGETS_WITH_SETUP >"$W/out" 2>&1
expect_rc 1 $? "fuzz.sh on the real targets with no fixtures"
for t in $FUZZ_TARGETS_WITH_SETUP; do
    expect_grep "$W/out" "$(printf '%-22s' "$t") SETUP FAILED" "fuzz.sh: $t SETUP FAILED"
done
if grep -q "libFuzzer wrote" "$W/out"; then bad "libFuzzer wrote artifacts on a setup failure"; else
    ok "libFuzzer wrote no artifact on a setup failure"
fi
no_crash_files "$W/art2" "fuzz.sh on the real targets"
finish
