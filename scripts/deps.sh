#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks the build dependencies; installs missing ones with apt-get when root
# on Debian/Ubuntu, otherwise prints the exact command and stops.
# Usage: scripts/deps.sh [extra-debian-package ...]
set -euo pipefail

CMAKE_MIN=3.20 # cmake_minimum_required in CMakeLists.txt
need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

have_cmd cc || have_cmd gcc || need+=(gcc)
have_cmd make || need+=(make)
have_cmd cmake || need+=(cmake)
have_cmd pkg-config || need+=(pkg-config)
if ! have_pkg libssl-dev; then
    if ! { have_cmd pkg-config && pkg-config --atleast-version=3.0 libcrypto 2>/dev/null; }; then
        need+=(libssl-dev)
    fi
fi
# The openssl command: the x509 tests check generated certificates with it.
have_cmd openssl || need+=(openssl)
if ! { have_cmd pkg-config && pkg-config --exists cmocka 2>/dev/null; }; then need+=(libcmocka-dev); fi
if ! { have_cmd pkg-config && pkg-config --exists libgcrypt 2>/dev/null; }; then need+=(libgcrypt20-dev); fi
# Optional: hiredis for the tlcp proxy's shared Redis session store (the
# library never needs it; without it the proxy refuses `redis =`).
if ! { have_cmd pkg-config && pkg-config --exists hiredis 2>/dev/null; }; then need+=(libhiredis-dev); fi
for extra in "$@"; do
    have_pkg "$extra" || need+=("$extra")
done

# version_at_least HAVE WANT: dotted versions compared field by field (sort -V).
version_at_least() {
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]
}

# cmake: present is not enough, CMakeLists.txt needs CMAKE_MIN.
check_cmake_version() {
    local have
    have=$(cmake --version 2>/dev/null | sed -n '1s/^cmake version \([0-9][0-9.]*\).*/\1/p')
    if [ -z "$have" ]; then
        echo "deps: cannot read the version of $(command -v cmake) ('cmake --version')" >&2
        exit 1
    fi
    if ! version_at_least "$have" "$CMAKE_MIN"; then
        echo "deps: cmake $have found ($(command -v cmake)), libtlcp needs cmake >= $CMAKE_MIN" >&2
        echo "deps: install cmake >= $CMAKE_MIN first (Debian 12: apt-get install cmake, which is 3.25)" >&2
        exit 1
    fi
}

if [ ${#need[@]} -ne 0 ]; then
    line="apt-get install -y ${need[*]}"
    if [ "$(id -u)" = 0 ] && have_cmd apt-get; then
        echo "deps: installing ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "deps: missing build dependencies: ${need[*]}" >&2
        echo "deps: install them with:  sudo $line" >&2
        exit 1
    fi
fi
check_cmake_version
