#!/bin/bash
# bench/bench_inventory.sh - figures for the console's certificate list:
# one page of 25 rows at the start and 90% deep into N certificates
# (target: a page in <= 2 ms CPU), keyset against OFFSET, and the query
# plan of each order.
#
#   bench/bench_inventory.sh [N]      default 100000
#
# Builds bench_inventory on src/libpasstore.a with an explicit gcc line,
# into a mktemp -d directory that also holds the store and is removed at
# the end; run from anywhere after `make`.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
N=${1:-100000}

[[ -f src/libpasstore.a ]] || make src/libpasstore.a >&2
# the core library also holds the SSH and firewall code: linked with what
# configure found for it (make print-core-libs)
deps="sqlcipher gnutls libargon2 jansson libssh"
cflags="-std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
-Wstrict-prototypes -Wmissing-prototypes -Wvla -fno-common -Werror"
# built into the temporary directory: nothing is left in the tree
tmp=$(mktemp -d "${TMPDIR:-/tmp}/passtore-bench-inv.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086,SC2046
gcc $cflags -I. -Isrc -Idata -DSQLITE_HAS_CODEC $(pkg-config --cflags $deps) \
	bench/bench_inventory.c src/libpasstore.a $(make -s --no-print-directory print-core-libs | tail -1) \
	-o "$tmp/bench_inventory"
"$tmp/bench_inventory" "$tmp/inv.db" "$N"
