#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target of a fuzz build for a fixed time on a scratch
# copy of its seed corpus, and fails on any crash, leak, timeout (> 1 s per
# input) or out-of-memory (> 512 MB). Prints one summary line per target.
#
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS [target ...]
#   FUZZ_JOBS=n       run n targets at once (default 1)
#   FUZZ_RUNS=n       also stop a target after n executions (the long run's
#                     "10 minutes or 5 million executions, whichever first")
#   FUZZ_KEEP=dir     keep each target's grown corpus and log under dir
#   FUZZ_ARTIFACTS=d  where crash inputs are copied (default BUILD_DIR/fuzz-artifacts);
#                     a target's old ones there are removed when it runs again
#   FUZZ_MERGE=1      after a clean run, add the inputs that reach new coverage to
#                     tests/fuzz/corpus/<target>/ as found-<sha1> (libFuzzer -merge=1)
#   TLCP_FUZZ_STRICT_ALLOC=0  turn off the record and endpoint targets' check that no
#                     allocation is sized by a length field before its bytes arrived
#   TLCP_FUZZ_DATA_DIR=d  read the fixtures from d instead of tests/data (the
#                     setup-failure test, tests/cli/fuzz_setup.sh, uses a damaged copy)
#   FUZZ_NO_PRECHECK=1  skip the fixture check below (that test, to reach the
#                     targets' own setup check)
#
# Before any target runs, every file listed in tests/data/interop.sha256 must be
# present: a missing fixture is reported as such, not as 4 crashing targets.
# The targets that read fixtures load them in LLVMFuzzerInitialize and exit 1
# with "fuzz setup failed: ..." when they cannot; that is reported as SETUP
# FAILED and leaves no crash-* file.
set -uo pipefail
cd "$(dirname "$0")/.."

build=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [target ...]}
seconds=${2:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [target ...]}
shift 2
bindir="$build/tests/fuzz"
artifacts=${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
jobs=${FUZZ_JOBS:-1}

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in tests/fuzz/fuzz_*.c; do
        t=$(basename "$f" .c)
        targets+=("${t#fuzz_}")
    done
fi

data=${TLCP_FUZZ_DATA_DIR:-tests/data}
if [ "${FUZZ_NO_PRECHECK:-0}" != 1 ]; then
    inventory="$data/interop.sha256"
    if [ ! -f "$inventory" ]; then
        echo "fuzz: $inventory is missing: the fixtures under $data are incomplete; nothing was run" >&2
        exit 1
    fi
    missing=$(cut -c67- "$inventory" | while read -r f; do [ -f "$data/interop/$f" ] || echo "$f"; done)
    if [ -n "$missing" ]; then
        echo "fuzz: fixture files missing under $data/interop (listed in $inventory); nothing was run:" >&2
        sed 's/^/    /' <<<"$missing" | head -10 >&2
        exit 1
    fi
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tlcp-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"

# ASan's quarantine would otherwise hold 256 MB of freed memory and make the
# 512 MB RSS limit flaky; 64 MB still catches use-after-free across inputs.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=64:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# On by default since finding F2 is fixed (the harness also defaults to on).
export TLCP_FUZZ_STRICT_ALLOC=${TLCP_FUZZ_STRICT_ALLOC:-1}

# Keeps the committed seeds and adds the smallest set of grown inputs that
# covers what they do not; prints how many files were added.
merge_back() {
    local t=$1 exe=$2 work=$3 dest="tests/fuzz/corpus/$1" n=0 have name
    mkdir -p "$work/merged" "$dest"
    "$exe" -merge=1 "$work/merged" "$dest" "$work/corpus" >"$work/merge.log" 2>&1 || return 0
    have=$(cd "$dest" && find . -type f -exec sha1sum {} + | cut -c1-40)
    for f in "$work/merged/"*; do
        [ -e "$f" ] || continue
        name=$(sha1sum "$f" | cut -c1-40)
        if ! grep -qx "$name" <<<"$have"; then
            cp "$f" "$dest/found-$name"
            n=$((n + 1))
        fi
    done
    echo "$n"
}

run_one() {
    local t=$1 exe="$bindir/fuzz_$1" work="$scratch/$1"
    mkdir -p "$work/corpus" "$work/artifacts"
    if [ ! -x "$exe" ]; then
        echo "fuzz: $exe missing (build with: make fuzz)" >"$work/result"
        return 1
    fi
    if [ -d "tests/fuzz/corpus/$t" ]; then
        cp -r "tests/fuzz/corpus/$t/." "$work/corpus/"
    fi
    rm -f "$artifacts/$t-"*
    local seeds
    seeds=$(find "$work/corpus" -type f | wc -l)
    "$exe" -max_total_time="$seconds" -timeout=1 -rss_limit_mb=512 -malloc_limit_mb=512 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} \
        "$work/corpus" >"$work/log" 2>&1
    local rc=$?
    local done_line execs cov ft
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
    local corp
    corp=$(find "$work/corpus" -type f | wc -l)
    if [ -n "${FUZZ_KEEP:-}" ]; then
        mkdir -p "$FUZZ_KEEP/$t"
        cp -r "$work/corpus/." "$FUZZ_KEEP/$t/"
        cp "$work/log" "$FUZZ_KEEP/$t.log"
    fi
    if grep -q '^fuzz setup failed: ' "$work/log"; then
        # Setup ends the process before any input, so libFuzzer wrote no crash
        # file (tests/cli/fuzz_setup.sh checks that); none is copied either.
        {
            printf '%-22s SETUP FAILED (exit %d), no input was run:\n' "$t" "$rc"
            grep -E '^fuzz setup' "$work/log" | head -10 | sed 's/^/    /'
            if [ -n "$(ls -A "$work/artifacts")" ]; then
                echo "    and libFuzzer wrote $(ls "$work/artifacts" | tr '\n' ' ')(not kept)"
            fi
        } >"$work/result"
        return 1
    fi
    if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
        for a in "$work/artifacts/"*; do
            [ -e "$a" ] && cp "$a" "$artifacts/$t-$(basename "$a")"
        done
        {
            printf '%-22s FAILED (exit %d); input: %s/%s-*\n' "$t" "$rc" "$artifacts" "$t"
            grep -E 'ERROR|SUMMARY|fuzz property|Test unit written|==[0-9]+==' "$work/log" | head -20
        } >"$work/result"
        return 1
    fi
    local added=""
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        added=$(merge_back "$t" "$exe" "$work")
    fi
    printf '%-22s %10s execs  cov %5s  ft %6s  corpus %4d -> %4d\n' "$t" "${execs:-?}" \
        "${cov:-?}" "${ft:-?}" "$seeds" "$corp" >"$work/result"
    [ -z "$added" ] || echo "$(printf '%-22s' '') merged $added new inputs into tests/fuzz/corpus/$t" >>"$work/result"
    return 0
}

echo "fuzz: ${#targets[@]} targets x ${seconds}s (jobs $jobs)"
failed=0
pids=()
names=()
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=($!)
    names+=("$t")
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}" || failed=1
        cat "$scratch/${names[0]}/result"
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    fi
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed=1
    cat "$scratch/${names[$i]}/result"
done
if [ $failed -ne 0 ]; then
    echo "fuzz: FAILED"
    exit 1
fi
echo "fuzz: all targets clean"
