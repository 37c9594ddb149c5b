#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The interop recordings are complete and unchanged: every file listed in
# tests/data/interop.sha256 is there with its hash, nothing unlisted was added,
# and there are exactly 31 fixture folders, each with manifest.json. Then the
# same check must refuse damaged copies (a fixture gone, a file gone, a file
# changed, a file added), so it cannot pass on an incomplete tree.
. "$(dirname "$0")/lib/common.bash"
DATA="$(cd "$(dirname "$0")/../data" && pwd)"
EXPECTED=31

# check_set DIR INVENTORY: prints why and returns 1 when the set is not intact.
check_set() {
    local dir=$1 inv=$2 n listed present
    if [ ! -d "$dir" ]; then
        echo "fixture folder $dir is missing (the repository is incomplete)"
        return 1
    fi
    if ! (cd "$dir" && sha256sum --quiet --strict -c "$inv") >"$W/sum.log" 2>&1; then
        echo "fixture files missing or changed (listed in $(basename "$inv")):"
        grep -v '^sha256sum: WARNING' "$W/sum.log" | sed 's/^/    /' | head -20
        return 1
    fi
    listed=$(cut -c67- "$inv" | LC_ALL=C sort)
    present=$(cd "$dir" && find . -type f -printf '%P\n' | LC_ALL=C sort)
    if [ "$listed" != "$present" ]; then
        echo "files not in $(basename "$inv") (add them with sha256sum):"
        comm -13 <(echo "$listed") <(echo "$present") | sed 's/^/    /'
        return 1
    fi
    n=$(find "$dir" -mindepth 2 -maxdepth 2 -name manifest.json | wc -l)
    if [ "$n" -ne "$EXPECTED" ]; then
        echo "$dir holds $n fixtures, expected $EXPECTED"
        return 1
    fi
    return 0
}

if check_set "$DATA/interop" "$DATA/interop.sha256" >"$W/why"; then
    ok "tests/data/interop: $EXPECTED fixtures, $(wc -l <"$DATA/interop.sha256") files, hashes match"
else
    bad "tests/data/interop is not intact:"
    sed 's/^/    | /' "$W/why"
fi

# damaged NAME COMMAND...: a fresh copy, damaged by COMMAND inside it, must be refused.
damaged() {
    local what=$1 want=$2
    shift 2
    rm -rf "$W/copy"
    cp -r "$DATA/interop" "$W/copy"
    (cd "$W/copy" && "$@")
    if check_set "$W/copy" "$DATA/interop.sha256" >"$W/why"; then
        bad "a copy with $what was accepted"
    else
        expect_grep "$W/why" "$want" "a copy with $what is refused"
    fi
}
damaged "a fixture folder removed" "gmssl3-ecdhe-sm4-gcm-sm3/c2s.bin: FAILED open or read" \
    rm -rf gmssl3-ecdhe-sm4-gcm-sm3
damaged "one key removed" "tongsuo-rsa-sm4-cbc-sm3/server-enc.key: FAILED open or read" \
    rm tongsuo-rsa-sm4-cbc-sm3/server-enc.key
damaged "a byte changed" "gmssl3-ecc-sm4-cbc-sm3/s2c.bin: FAILED" \
    sh -c 'printf "\377" | dd of=gmssl3-ecc-sm4-cbc-sm3/s2c.bin bs=1 seek=100 conv=notrunc 2>/dev/null'
damaged "an unlisted file" "new-fixture/manifest.json" \
    sh -c 'mkdir new-fixture && echo "{}" >new-fixture/manifest.json'
rm -rf "$W/copy"
if check_set "$W/copy" "$DATA/interop.sha256" >"$W/why"; then
    bad "a missing fixture folder was accepted"
else
    expect_grep "$W/why" "is missing (the repository is incomplete)" "a missing fixture folder is refused"
fi
finish
