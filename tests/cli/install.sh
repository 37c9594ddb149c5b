#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs libtlcp into a temporary prefix, checks what was installed (tlcp,
# tlcp(1), libtlcp.pc valid and naming the licence), then builds programs
# against it: README.md's pkg-config example exactly as written there (its C
# block and its shell block, with /opt/libtlcp replaced by the prefix: shared
# with an rpath, and static with pkg-config --static), and find_package(libtlcp)
# in a CMake project (libtlcp::tlcp, static). Every program must run.
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
man_page="$prefix/share/man/man1/tlcp.1"
for f in "$prefix/include/tlcp/tlcp.h" "$prefix/include/tlcp/pki.h" "$libdir/libtlcp.a" \
    "$libdir/libtlcp.so" "$libdir/cmake/libtlcp/libtlcpConfig.cmake" \
    "$libdir/cmake/libtlcp/libtlcpConfigVersion.cmake" "$prefix/bin/tlcp" "$man_page"; do
    [ -e "$f" ] || fail "missing after install: ${f#"$prefix"/}"
done
cmp -s "$man_page" "$src/docs/tlcp.1" || fail "installed tlcp.1 differs from docs/tlcp.1"
if command -v man >/dev/null; then
    man_out="$(MANWIDTH=80 man -l "$man_page" 2>&1)" || fail "man -l $man_page failed"
    grep -q "tlcp client" <<<"$man_out" || fail "the installed man page does not render"
fi
# Capture first, then match: with pipefail, `cmd | grep -q` fails at random
# when grep exits early and cmd dies of SIGPIPE.
version_out="$("$prefix/bin/tlcp" version)"
grep -q "$expected" <<<"$version_out" || fail "installed tlcp does not report $expected"
validate_out="$(pkg-config --validate "$pc" 2>&1)" || fail "pkg-config --validate: $validate_out"
[ -z "$validate_out" ] || fail "pkg-config --validate warns: $validate_out"
grep -q '^License: Apache-2.0$' "$pc" || fail "libtlcp.pc does not name the licence"

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

# 1. README.md's pkg-config example, as written: the ```c and the ```sh block
#    after "With pkg-config".
readme_block() { # LANG: the first ```LANG block after the "With pkg-config" line
    awk -v fence="\`\`\`$1" '/^With pkg-config/ {on = 1} on && $0 == fence {inb = 1; next}
        inb && $0 == "```" {exit} inb {print}' "$src/README.md"
}
mkdir -p "$tmp/readme"
readme_block c >"$tmp/readme/app.c"
readme_block sh >"$tmp/readme/build.sh"
[ -s "$tmp/readme/app.c" ] && [ -s "$tmp/readme/build.sh" ] ||
    fail "README.md has no pkg-config example (a c and an sh block after 'With pkg-config')"
grep -q -- '--static' "$tmp/readme/build.sh" || fail "README.md's example does not show pkg-config --static"
sed -i "s#/opt/libtlcp/lib/pkgconfig#$(dirname "$pc")#g; s#/opt/libtlcp#$prefix#g" "$tmp/readme/build.sh"
# No LD_LIBRARY_PATH: the example's own rpath must make ./app start.
readme_out="$(cd "$tmp/readme" && env -u LD_LIBRARY_PATH -u PKG_CONFIG_PATH bash -e build.sh 2>&1)" || {
    echo "$readme_out" >&2
    fail "README.md's pkg-config example failed (commands: $tmp/readme/build.sh)"
}
want="libtlcp $expected: self-test passed"
[ "$(grep -c -x "$want" <<<"$readme_out")" = 2 ] ||
    fail "README.md's programs printed '$readme_out', expected '$want' twice (app, app-static)"
ldd_out="$(env -u LD_LIBRARY_PATH ldd "$tmp/readme/app")"
grep -qF "$libdir/libtlcp.so" <<<"$ldd_out" ||
    fail "README's ./app is not linked to the installed libtlcp.so: $ldd_out"
ldd_out="$(ldd "$tmp/readme/app-static")"
if grep -qE 'libtlcp|libcrypto' <<<"$ldd_out"; then
    fail "README's ./app-static still loads a shared libtlcp or libcrypto: $ldd_out"
fi
echo "pkg-config (README): shared and static programs ran: $want"

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
