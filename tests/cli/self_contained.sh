#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/check-self-contained.sh (run first by .ci/run): passes on this
# repository and fails, naming the file, on a repository whose tracked files
# refer to the folder beside the clone or to the old CMake variable.
. "$(dirname "$0")/lib/common.bash"
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
CHECK="$SRC/scripts/check-self-contained.sh"

if ! command -v git >/dev/null || ! git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    echo "SKIPPED: not a git checkout (or no git): the check lists tracked files"
    exit 77
fi
"$CHECK" "$SRC" >"$W/out" 2>&1
expect_rc 0 $? "this repository is self-contained"

# plant REL TEXT: a scratch repository with one tracked file REL holding TEXT.
plant() {
    rm -rf "$W/repo"
    git init -q "$W/repo"
    mkdir -p "$(dirname "$W/repo/$1")"
    printf '%s\n' "$2" >"$W/repo/$1"
    git -C "$W/repo" add -A
}
dots=".."
plant tests/CMakeLists.txt "set(DATA \${CMAKE_SOURCE_DIR}/$dots/shared/interop)"
"$CHECK" "$W/repo" >"$W/out" 2>&1
expect_rc 1 $? "a path to the folder beside the clone is refused"
expect_grep "$W/out" "tests/CMakeLists.txt:1:" "the offending file and line are named"
expect_grep "$W/out" "refer to the folder outside the repository" "the reason is said"
plant docs/NOTES.md "see the recordings in $dots/shared"
"$CHECK" "$W/repo" >"$W/out" 2>&1
expect_rc 1 $? "a doc naming it is refused too"
plant CMakeLists.txt "option(TLCP_SHARED""_DIR \"\" x)"
"$CHECK" "$W/repo" >"$W/out" 2>&1
expect_rc 1 $? "the old CMake variable is refused"
expect_grep "$W/out" "CMakeLists.txt:1:" "its file is named"
plant README.md "tests/data/interop holds the recordings; libtlcp_shared.so is the library"
"$CHECK" "$W/repo" >"$W/out" 2>&1
expect_rc 0 $? "unrelated uses of 'shared' pass"
rm -rf "$W/repo"
mkdir "$W/repo"
"$CHECK" "$W/repo" >"$W/out" 2>&1
expect_rc 2 $? "a folder that is not a git checkout is an error"
finish
