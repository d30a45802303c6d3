#!/bin/bash
# bench/bench_gridmap.sh - the figure of the grid-mapfile build:
#   gridmap build from 50k members in 20 VOs with 200 rules and 100 FQAN
#   mappings, every file a host gets                           (target <= 200 ms)
#
#   bench/bench_gridmap.sh [MEMBERS [VOS [RULES [FQANS]]]]    defaults 50000 20 200 100
#
# Builds bench/bench_gridmap (on src/libpasstore.a) with an explicit gcc
# line; run from anywhere after `make`.  The build is timed in process
# (bench_gridmap: the store opened, then gridstore_build alone, from the
# store: member lists read, rules parsed, ACL, bans, local entries, sort,
# .lsc files, sha256); beside it the whole `passtore gridmap build`
# command, unlock included, median of 5.  The store goes to a mktemp -d
# directory removed at the end.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
MEMBERS=${1:-50000}
VOS=${2:-20}
RULES=${3:-200}
FQANS=${4:-100}

[[ -f src/libpasstore.a && -x passtore ]] || make src/libpasstore.a passtore >&2
deps="sqlcipher gnutls libargon2 jansson"
cflags="-std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
-Wstrict-prototypes -Wmissing-prototypes -Wvla -fno-common -Werror"
if [[ ! -x bench/bench_gridmap || bench/bench_gridmap.c -nt bench/bench_gridmap ||
      src/libpasstore.a -nt bench/bench_gridmap ]]; then
	# shellcheck disable=SC2086,SC2046
	gcc $cflags -I. -Isrc -Idata -DSQLITE_HAS_CODEC $(pkg-config --cflags $deps) \
		bench/bench_gridmap.c src/libpasstore.a $(make -s --no-print-directory print-core-libs | tail -1) \
		-o bench/bench_gridmap
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/passtore-bench-gridmap.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
PASS="bench passphrase"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

echo "# making a store with $MEMBERS members in $VOS VOs, $RULES rules, $FQANS FQAN mappings (not timed)..."
bench/bench_gridmap "$tmp/grid.db" "$MEMBERS" "$VOS" "$RULES" "$FQANS"
runs=()
for _ in 1 2 3 4 5; do
	t0=$(date +%s%N)
	./passtore --db "$tmp/grid.db" --passphrase-fd 3 gridmap build ce01.bench.example.org \
		3<<<"$PASS" >"$tmp/cli.gmf" 2>/dev/null
	runs+=("$(ms "$t0")")
done
cmp -s "$tmp/cli.gmf" "$tmp/grid.db.gmf" || { echo "the command's grid-mapfile differs from the in-process one" >&2; exit 1; }
echo "passtore gridmap build (whole command, unlock included), median of 5: $(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p) ms"
