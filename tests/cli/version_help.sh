#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tlcp version / help / --help, and the exit status of a bad command line.
# $1: the tlcp binary.
set -uo pipefail

tlcp="${1:?usage: version_help.sh <tlcp binary>}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="$(sed -n 's/^project(libtlcp VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")"
failures=0
errfile="$(mktemp)"
trap 'rm -f "$errfile"' EXIT

check() { # check <description> <expected status> <pattern or ""> <stream: out|err> -- cmd...
    local what="$1" want="$2" pattern="$3" stream="$4"
    shift 5
    local out err status
    out="$("$@" 2>"$errfile")"
    status=$?
    err="$(cat "$errfile")"
    if [ "$status" != "$want" ]; then
        echo "FAIL: $what: exit $status, expected $want" >&2
        failures=$((failures + 1))
        return
    fi
    local text="$out"
    [ "$stream" = err ] && text="$err"
    if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$text"; then
        echo "FAIL: $what: output does not match /$pattern/:" >&2
        echo "$text" >&2
        failures=$((failures + 1))
        return
    fi
    echo "ok: $what"
}

check "tlcp version" 0 "^tlcp $version .*0x0101" out -- "$tlcp" version
check "tlcp --version" 0 "^tlcp $version" out -- "$tlcp" --version
check "tlcp version --help" 0 "usage: tlcp version" out -- "$tlcp" version --help
check "tlcp help lists commands" 0 "usage: tlcp <command>" out -- "$tlcp" help
for cmd in version selftest help; do
    check "tlcp help lists $cmd" 0 "^  $cmd " out -- "$tlcp" help
done
check "tlcp --help" 0 "usage: tlcp <command>" out -- "$tlcp" --help
check "tlcp -h" 0 "usage: tlcp <command>" out -- "$tlcp" -h
check "tlcp selftest --help" 0 "usage: tlcp selftest" out -- "$tlcp" selftest --help
check "tlcp selftest -h" 0 "usage: tlcp selftest" out -- "$tlcp" selftest -h
check "unknown command exits 2" 2 "unknown command 'no-such-command'" err -- "$tlcp" no-such-command
check "unknown command prints usage" 2 "usage: tlcp <command>" err -- "$tlcp" no-such-command
check "no command exits 2" 2 "usage: tlcp <command>" err -- "$tlcp"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
