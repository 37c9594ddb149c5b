#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/tlcp.1 formats without a warning (groff -ww, man --warnings), and it and
# docs/CLI.md name every command, every option that `tlcp <cmd> --help` prints
# and every exit code of `tlcp help`: a new option that is not documented in
# both fails here.
. "$(dirname "$0")/lib/common.bash"
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
PAGE="$SRC/docs/tlcp.1"
CLIDOC="$SRC/docs/CLI.md"

if ! command -v groff >/dev/null; then
    echo "SKIPPED: groff is not installed (Debian package groff-base)"
    exit 77
fi
groff -man -Tutf8 -ww -z "$PAGE" 2>"$W/warn"
expect_rc 0 $? "groff -man -Tutf8 -ww formats tlcp.1"
[ -s "$W/warn" ] && { bad "groff warnings:"; sed 's/^/    | /' "$W/warn"; } || ok "groff: no warning"
if command -v man >/dev/null; then
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$PAGE" >"$W/man.txt" 2>"$W/warn"
    expect_rc 0 $? "man -l renders tlcp.1"
    [ -s "$W/warn" ] && { bad "man warnings:"; sed 's/^/    | /' "$W/warn"; } || ok "man: no warning"
fi
# Plain ASCII text: roff's \- becomes '-', no overstriking.
groff -man -Tascii -P-cbou "$PAGE" >"$W/page.txt" 2>/dev/null

# The .TP tags of each "tlcp <cmd>" section, as "<cmd> <tag text>" lines.
awk '/^\.SS "tlcp /{sec=$3; gsub(/"/, "", sec)} /^\.S[SH]/ && !/^\.SS "tlcp /{sec=""}
     prev==".TP" && sec!=""{print sec, $0} {prev=$0}' "$PAGE" | sed 's/\\-/-/g' >"$W/tags"
for cmd in demo certgen server client proxy keyserver selftest version help; do
    grep -q "^   tlcp $cmd\$" "$W/page.txt" && ok "tlcp.1 has a section for tlcp $cmd" ||
        bad "tlcp.1 has no section 'tlcp $cmd'"
    "$TLCP" "$cmd" --help >"$W/help" 2>&1
    for opt in $(grep -o -- '--[a-z][a-z0-9-]*' "$W/help" | grep -vx -- --help | sort -u); do
        # Whole option names only: --client must not be satisfied by --client-cn.
        grep -q -- "^$cmd .*${opt}\([^a-z0-9-]\|\$\)" "$W/tags" &&
            ok "tlcp.1 describes $cmd $opt" ||
            bad "tlcp.1 has no entry for 'tlcp $cmd $opt' (printed by tlcp $cmd --help)"
        grep -q -- "${opt}\([^a-z0-9-]\|\$\)" "$CLIDOC" && ok "CLI.md documents $cmd $opt" ||
            bad "docs/CLI.md does not document 'tlcp $cmd $opt'"
    done
done
# Squeezed: groff spreads justified lines from alternating sides, so the
# spaces inside a phrase change whenever lines are added above it.
tr -s ' ' <"$W/page.txt" | grep -q -- "--help (or -h)" && ok "tlcp.1 documents --help" || bad "tlcp.1 lacks --help"

# Exit codes: every code `tlcp help` lists is in the EXIT STATUS section.
"$TLCP" help >"$W/help"
sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$W/page.txt" >"$W/exit.txt"
for code in $(sed -n 's/^  \([0-9]\)  .*/\1/p' "$W/help"); do
    grep -q "^       $code  " "$W/exit.txt" && ok "tlcp.1 EXIT STATUS has $code" ||
        bad "tlcp.1 EXIT STATUS lacks exit code $code"
done
[ "$(sed -n 's/^  \([0-9]\)  .*/\1/p' "$W/help" | wc -l)" -ge 6 ] && ok "tlcp help lists 6 exit codes" ||
    bad "could not read the exit codes of tlcp help"
# The version in the page header is the project's.
version=$(sed -n 's/^project(libtlcp VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
grep -q "^\.TH TLCP 1 .*\"libtlcp $version\"" "$PAGE" && ok "tlcp.1 is for libtlcp $version" ||
    bad "tlcp.1 .TH does not say libtlcp $version"
finish
