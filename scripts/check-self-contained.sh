#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The repository stands on its own: no tracked file may name the project's
# shared folder beside the clone (dot-dot-slash "shared") or the old CMake
# variable that pointed there. CI has such a folder beside its clone, so a
# reference to it would pass there and fail for everyone else; .ci/run runs
# this first. The patterns below are spelt so that this file does not match
# itself, so nothing is excluded.
# Usage: scripts/check-self-contained.sh [REPO_DIR]
set -euo pipefail
repo=${1:-"$(dirname "$0")/.."}
patterns=(-e '\.\./shared' -e 'TLCP_SHARED[_]DIR')
if ! git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    echo "check-self-contained: $repo is not a git checkout; cannot list its tracked files" >&2
    exit 2
fi
if hits=$(git -C "$repo" grep -n "${patterns[@]}"); then
    echo "check-self-contained: FAILED: tracked files refer to the folder outside the repository" >&2
    echo "(test data lives in tests/data/, see tests/data/README.md and docs/DEVELOPMENT.md):" >&2
    sed 's/^/    /' <<<"$hits" >&2
    exit 1
fi
echo "check-self-contained: no tracked file refers to a folder outside the repository"
