#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs libtlcp into a temporary prefix and builds a small program against
# it twice: through pkg-config (shared library) and through
# find_package(libtlcp) in a CMake project (libtlcp::tlcp, static). Both must
# run and print the library version.
#
# $1 (the tlcp binary) is not used: the .pc file's prefix is fixed at
# configure time, so the install comes from a fresh configure of the source
# tree with its own CMAKE_INSTALL_PREFIX (tests off, only the installed targets).
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/tlcp-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/p"
jobs=2

fail() {
    echo "install test: $*" >&2
    exit 1
}

expected="$(sed -n 's/^project(libtlcp VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")"
[ -n "$expected" ] || fail "cannot read the project version from CMakeLists.txt"

# Keep the sanitizer flags of the surrounding build out of this one: the
# consumer programs are plain builds.
unset CFLAGS LDFLAGS

cmake -S "$src" -B "$tmp/b" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DTLCP_BUILD_TESTS=OFF >"$tmp/configure.log" 2>&1 || {
    cat "$tmp/configure.log" >&2
    fail "configure failed"
}
cmake --build "$tmp/b" -j "$jobs" --target tlcp_static tlcp_shared tlcp >"$tmp/build.log" 2>&1 || {
    tail -50 "$tmp/build.log" >&2
    fail "build failed"
}
cmake --install "$tmp/b" >"$tmp/install.log" 2>&1 || {
    cat "$tmp/install.log" >&2
    fail "install failed"
}

# What an installed package must contain.
pc="$(find "$prefix" -name libtlcp.pc -print -quit)"
[ -n "$pc" ] || fail "no libtlcp.pc installed"
libdir="$(dirname "$(dirname "$pc")")"
for f in "$prefix/include/tlcp/tlcp.h" "$libdir/libtlcp.a" "$libdir/libtlcp.so" \
    "$libdir/cmake/libtlcp/libtlcpConfig.cmake" "$libdir/cmake/libtlcp/libtlcpConfigVersion.cmake" \
    "$prefix/bin/tlcp"; do
    [ -e "$f" ] || fail "missing after install: ${f#"$prefix"/}"
done
# Capture first, then match: with pipefail, `cmd | grep -q` fails at random
# when grep exits early and cmd dies of SIGPIPE.
version_out="$("$prefix/bin/tlcp" version)"
grep -q "$expected" <<<"$version_out" || fail "installed tlcp does not report $expected"

cat >"$tmp/app.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <tlcp/tlcp.h>

int main(void)
{
    /* The header and the library must agree. */
    if (strcmp(tlcp_version(), TLCP_VERSION_STRING) != 0)
        return 1;
    printf("%s\n", tlcp_version());
    return 0;
}
EOF

# 1. pkg-config, shared library.
export PKG_CONFIG_PATH="$(dirname "$pc")"
pkg-config --exists libtlcp || fail "pkg-config does not find libtlcp"
[ "$(pkg-config --modversion libtlcp)" = "$expected" ] || fail "pkg-config reports the wrong version"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "$tmp/app.c" -o "$tmp/app_pc" $(pkg-config --cflags --libs libtlcp) ||
    fail "cannot compile against pkg-config libtlcp"
out="$(LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/app_pc")" ||
    fail "pkg-config program failed to run"
[ "$out" = "$expected" ] || fail "pkg-config program printed '$out', expected '$expected'"
ldd_out="$(LD_LIBRARY_PATH="$libdir" ldd "$tmp/app_pc")"
grep -qF "$libdir/libtlcp.so" <<<"$ldd_out" ||
    fail "pkg-config program is not linked to the installed libtlcp.so"
echo "pkg-config: $out"

# 2. CMake find_package(libtlcp), libtlcp::tlcp (static).
mkdir -p "$tmp/consumer"
cp "$tmp/app.c" "$tmp/consumer/app.c"
cat >"$tmp/consumer/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(libtlcp 0.1 REQUIRED)
add_executable(app app.c)
target_link_libraries(app PRIVATE libtlcp::tlcp)
EOF
cmake -S "$tmp/consumer" -B "$tmp/consumer/b" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$tmp/consumer.log" 2>&1 || {
    cat "$tmp/consumer.log" >&2
    fail "find_package(libtlcp) failed"
}
cmake --build "$tmp/consumer/b" >>"$tmp/consumer.log" 2>&1 || {
    cat "$tmp/consumer.log" >&2
    fail "cannot build against libtlcp::tlcp"
}
out="$("$tmp/consumer/b/app")" || fail "find_package program failed to run"
[ "$out" = "$expected" ] || fail "find_package program printed '$out', expected '$expected'"
echo "find_package: $out"
echo "install test: ok"
