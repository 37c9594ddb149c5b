# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the tests/cli/*.sh scripts (sourced, not run by CTest).
# Each script gets the tlcp binary as $1.
set -u
TLCP=${1:?usage: $0 path/to/tlcp}
W=$(mktemp -d "${TMPDIR:-/tmp}/tlcp-cli-test.XXXXXX")
FAILS=0
CHECKS=0
SRV_PID=""

cleanup() {
    if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
        kill "$SRV_PID" 2>/dev/null
        wait "$SRV_PID" 2>/dev/null
    fi
    rm -rf "$W"
}
trap cleanup EXIT

ok() { CHECKS=$((CHECKS + 1)); echo "ok   $*"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL $*"; }

# expect_rc WANT GOT WHAT
expect_rc() {
    if [ "$2" -eq "$1" ]; then ok "$3 (exit $2)"; else bad "$3: exit $2, expected $1"; fi
}

# expect_grep FILE PATTERN WHAT (fixed string)
expect_grep() {
    if grep -qF -- "$2" "$1"; then ok "$3"; else
        bad "$3: '$2' not found in:"; sed 's/^/    | /' "$1"
    fi
}

finish() {
    echo "$CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
}

# wait_listening LOG: waits for the "listening" line of the server started
# last (SRV_PID) and sets PORT from it; fails when the server died first.
wait_listening() {
    PORT=""
    for _ in $(seq 1 300); do
        PORT=$(sed -n 's/.*listening on .* port \([0-9][0-9]*\).*/\1/p' "$1")
        [ -n "$PORT" ] && return 0
        kill -0 "$SRV_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# start_any LOG ARGS...: tlcp server ARGS (all addresses unless ARGS has
# --bind) on a free port; sets SRV_PID and PORT.
start_any() {
    local log=$1
    shift
    "$TLCP" server --port 0 "$@" 2>"$log" &
    SRV_PID=$!
    wait_listening "$log"
}

# start_server LOG ARGS...: tlcp server on 127.0.0.1, a free port chosen by
# the kernel (--port 0); sets SRV_PID and PORT from the "listening" line.
start_server() {
    local log=$1
    shift
    start_any "$log" --bind 127.0.0.1 "$@"
}

# wait_server: exit status of the server started last (it must end by itself).
wait_server() {
    local rc=0
    timeout 60 tail --pid="$SRV_PID" -f /dev/null || { kill "$SRV_PID"; rc=124; }
    wait "$SRV_PID" || rc=$?
    SRV_PID=""
    return $rc
}
