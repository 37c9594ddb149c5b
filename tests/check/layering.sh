#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Layering check: each layer includes only the layers below it
# (util < crypto < x509 < suite < record < handshake < conn/API).
#   layering.sh SRC_DIR      checks SRC_DIR (exit 1 and the offending lines on a violation)
#   layering.sh --self-test  checks that a planted violation is found
set -u

check() {
    local src=$1 bad=0 hits
    # src/handshake sees the connection only through its handshake context.
    if hits=$(grep -rn '#include *"conn_internal.h"' "$src/handshake"); then
        echo "src/handshake includes conn_internal.h:"; echo "$hits"; bad=1
    fi
    # The record layer is below the handshake and the connection.
    if hits=$(grep -rnE '#include *"(handshake/|conn_internal.h)' "$src/record"); then
        echo "src/record includes a layer above it:"; echo "$hits"; bad=1
    fi
    # The suite table is below both.
    if hits=$(grep -rnE '#include *"(record/|handshake/|conn_internal.h|x509/|crypto/)' "$src/suite"); then
        echo "src/suite includes a layer above it:"; echo "$hits"; bad=1
    fi
    return $bad
}

if [ "${1:-}" = "--self-test" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/handshake" "$tmp/record" "$tmp/suite"
    echo '#include "handshake/context.h"' >"$tmp/handshake/ok.c"
    check "$tmp" >/dev/null || { echo "FAIL: a clean tree was rejected"; exit 1; }
    for planted in 'handshake/x.c:#include "conn_internal.h"' 'record/x.c:#include "handshake/table.h"' \
                   'suite/x.c:#include "record/record.h"'; do
        file=${planted%%:*}
        echo "${planted#*:}" >"$tmp/$file"
        if check "$tmp" >/dev/null; then
            echo "FAIL: planted violation in $file not found"; exit 1
        fi
        rm "$tmp/$file"
    done
    echo "ok: the layering check finds every planted violation"
    exit 0
fi

[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: $0 SRC_DIR | --self-test" >&2; exit 2; }
check "$1" || exit 1
echo "ok: src/handshake, src/record and src/suite include only layers below them"
