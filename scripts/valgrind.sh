#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the end-to-end test programs and `tlcp demo` of a NORMAL build under
# valgrind memcheck: any invalid read or write, use of uninitialised memory,
# or definite/indirect leak fails. `make valgrind` (and `make sanitize`) call
# it. The robustness test also runs the `tlcp server` it abuses under
# valgrind (TLCP_SERVER_WRAPPER), so the server's exit is leak-checked too,
# and tests/proxy/valgrind_proxy.sh runs `tlcp proxy` under it through a
# short end-to-end scenario (handshakes, resumption, relay, originate,
# garbage, metrics, reload, SIGTERM).
#
# Usage: scripts/valgrind.sh [BUILD_DIR] [JOBS]
#
# Why a normal build and not the ASan one: valgrind cannot run ASan binaries,
# and it checks what ASan does not (uninitialised reads) on the optimised
# code that ships. Under valgrind the SM4 core runs its AES-NI kernel:
# valgrind's CPUID hides GFNI and VAES, whose instructions it cannot run.
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${2:-2}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: not installed (scripts/deps.sh valgrind, or apt-get install valgrind)" >&2
    exit 1
fi

VG="valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect -q"
logs=$(mktemp -d "${TMPDIR:-/tmp}/tlcp-valgrind-XXXXXX")
trap 'rm -rf "$logs"' EXIT

progs=()
for p in "$build"/tests/e2e_test_*; do
    [ -x "$p" ] && progs+=("$p")
done
if [ ${#progs[@]} -eq 0 ]; then
    echo "valgrind: no e2e test programs in $build/tests (build first)" >&2
    exit 1
fi

run_one() { # name command...
    local name=$1
    shift
    local start=$SECONDS
    if (cd "$build" && TLCP_BUILD_DIR="$build" TLCP_SERVER_WRAPPER="$VG" timeout 600 "$@") \
        >"$logs/$name.log" 2>&1; then
        echo "valgrind: $name clean ($((SECONDS - start)) s)"
    else
        echo "valgrind: $name FAILED; its output:"
        cat "$logs/$name.log"
        return 1
    fi
}

# At most $jobs at once; every failure is reported, then the run fails.
failed=0
running=0
for p in "${progs[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
    run_one "$(basename "$p")" $VG "$p" &
    running=$((running + 1))
done
run_one "tlcp-demo" $VG "$build/tlcp" demo --no-trace || failed=1
run_one "tlcp-proxy" bash "$src/tests/proxy/valgrind_proxy.sh" "$build/tlcp" || failed=1
while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done

if [ "$failed" -ne 0 ]; then
    echo "valgrind: FAILED" >&2
    exit 1
fi
echo "valgrind: all ${#progs[@]} e2e programs, tlcp demo and tlcp proxy clean"
