#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/deps.sh compares the cmake version (>= 3.20, field by field) and
# says which cmake is too old; a new enough one passes.
. "$(dirname "$0")/lib/common.bash"
SRC="$(cd "$(dirname "$0")/../.." && pwd)"

# Everything else deps.sh looks for must already be here for this test to mean anything.
if ! "$SRC/scripts/deps.sh" >"$W/out" 2>&1; then
    echo "SKIPPED: scripts/deps.sh fails on this machine already:"
    cat "$W/out"
    exit 77
fi
ok "deps.sh passes with the real cmake ($(cmake --version | head -1))"
mkdir -p "$W/bin"
with_cmake() { # VERSION: deps.sh with a stand-in cmake reporting VERSION
    printf '#!/bin/sh\necho "cmake version %s"\n' "$1" >"$W/bin/cmake"
    chmod +x "$W/bin/cmake"
    PATH="$W/bin:$PATH" "$SRC/scripts/deps.sh" >"$W/out" 2>&1
}
for v in 3.18.4 3.9.6 2.8.12 3.19.99; do
    with_cmake "$v"
    expect_rc 1 $? "cmake $v is refused"
    expect_grep "$W/out" "cmake $v found ($W/bin/cmake), libtlcp needs cmake >= 3.20" \
        "cmake $v: the message names the version and the minimum"
done
for v in 3.20.0 3.25.1 3.100.2 4.0.0-rc1; do
    with_cmake "$v"
    expect_rc 0 $? "cmake $v is accepted"
done
printf '#!/bin/sh\necho "something else"\n' >"$W/bin/cmake"
PATH="$W/bin:$PATH" "$SRC/scripts/deps.sh" >"$W/out" 2>&1
expect_rc 1 $? "an unreadable cmake version is refused"
expect_grep "$W/out" "cannot read the version" "and said so"
finish
