#!/bin/bash
# bench/bench_unlock.sh - the unlock time of the data-key format against
# the format before it: the time of `passtore host list` (Argon2id, page
# check, unwrap) on a store made with the same fixed KDF cost, median of
# RUNS runs.  Prints figures, asserts nothing.
#
#   bench/bench_unlock.sh [NEW_BINARY [OLD_BINARY]]
#
# NEW_BINARY defaults to ./passtore.  OLD_BINARY, a passtore built from
# a revision before data keys, is optional: without it only the new time
# is printed.  KDF cost: KDF_MEMORY (default 128M), KDF_TIME (3), RUNS (7).
set -euo pipefail
new=${1:-./passtore}
old=${2:-}
mem=${KDF_MEMORY:-128M}
tcost=${KDF_TIME:-3}
runs=${RUNS:-7}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass="bench passphrase"

ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
make_store() { # BINARY DB
	"$1" --db "$2" --passphrase-fd 3 init --kdf-memory "$mem" --kdf-time "$tcost" \
		--kdf-lanes 2 3<<<"$pass" >/dev/null 2>&1
	"$1" --db "$2" --passphrase-fd 3 host list 3<<<"$pass" >/dev/null # warm up
}
once() { # BINARY DB: one unlock, in ms
	local t0
	t0=$(ms)
	"$1" --db "$2" --passphrase-fd 3 host list 3<<<"$pass" >/dev/null
	echo $(($(ms) - t0))
}
# the runs of both alternate, so that the machine's load weighs on both alike
make_store "$new" "$dir/new.db"
[ -z "$old" ] || make_store "$old" "$dir/old.db"
for i in $(seq 1 "$runs"); do
	once "$new" "$dir/new.db" >>"$dir/new.ms"
	[ -z "$old" ] || once "$old" "$dir/old.db" >>"$dir/old.ms"
done
n=$(median <"$dir/new.ms")
echo "unlock (host list), Argon2id m=$mem t=$tcost p=2, median of $runs: data-key format $n ms"
if [ -n "$old" ]; then
	o=$(median <"$dir/old.ms")
	echo "unlock (host list), same cost, median of $runs: format 2 (before data keys) $o ms"
	awk -v n="$n" -v o="$o" 'BEGIN { printf "difference: %+.1f%%\n", (n - o) * 100 / o }'
fi
