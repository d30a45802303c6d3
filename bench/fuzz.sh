#!/bin/bash
# bench/fuzz.sh - run every libFuzzer target for SECONDS each and print, per
# target, the executions and the crashes (a crash, a leak, a sanitizer
# report or a timeout all count; their inputs are kept under OUT).
#
#   bench/fuzz.sh [SECONDS [OUT [TARGET[:SECONDS]]...]]
#
# SECONDS defaults to 60, OUT to a mktemp -d directory; TARGETs (default
# all) run in the order given, each for its own SECONDS when it names one
# (a slow target needs longer for the same executions).  FUZZ_RUNS=N
# stops a target once it has run N inputs (libFuzzer's -runs), so that
# SECONDS is only its bound.  FUZZ_TIMEOUT (default 10) is the seconds
# one input may take before it counts as a hang: raise it on a loaded
# machine, where a stall of the whole process is not the target's.
#
# Needs the targets (`make fuzz`, or ./configure --enable-fuzzing).  Each
# target starts from its seeds in tests/fuzz/corpus/TARGET and grows a
# corpus of its own under OUT (the seed directory is never written).  Not
# part of `make check`, which only replays the seeds.  FUZZ_JOBS (default
# 1) runs that many targets at once.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${1:-60}
OUT=${2:-$(mktemp -d "${TMPDIR:-/tmp}/passtore-fuzz.XXXXXX")}
JOBS=${FUZZ_JOBS:-1}
RUNS=${FUZZ_RUNS:--1}
HANG=${FUZZ_TIMEOUT:-10}
shift 2 2>/dev/null || shift $#
cd "$top" || exit 1
targets=()
declare -A secs
if [[ $# -eq 0 ]]; then
	for f in tests/fuzz/fuzz_*.c; do
		t=$(basename "$f" .c)
		set -- "$@" "${t#fuzz_}"
	done
fi
for a in "$@"; do
	t=${a%%:*}
	[[ -x tests/fuzz/fuzz-$t ]] || { echo "fuzz.sh: no tests/fuzz/fuzz-$t (make fuzz)" >&2; exit 1; }
	secs[$t]=$SECS
	[[ $a == *:* ]] && secs[$t]=${a#*:}
	targets+=("$t")
done

one() {
	local t=$1 d=$OUT/$1
	mkdir -p "$d/corpus" "$d/crashes"
	tests/fuzz/fuzz-"$t" -max_total_time="${secs[$t]}" -runs="$RUNS" -print_final_stats=1 -timeout="$HANG" \
		-rss_limit_mb=2048 -artifact_prefix="$d/crashes/" "$d/corpus" \
		tests/fuzz/corpus/"$t" >"$d/log" 2>&1
	echo $? >"$d/rc"
}

echo "# at most $SECS s per target unless named, $JOBS at a time, runs $RUNS;" \
	"logs and any crash under $OUT"
running=0
for t in "${targets[@]}"; do
	one "$t" &
	running=$((running + 1))
	if [[ $running -ge $JOBS ]]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
printf '%-10s %14s %8s %8s\n' target executions exec/s crashes
total=0
bad=0
for t in "${targets[@]}"; do
	d=$OUT/$t
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
	r=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log" | tail -1)
	c=$(find "$d/crashes" -type f | wc -l)
	[[ $(cat "$d/rc") -ne 0 && $c -eq 0 ]] && c=1 # died without an artifact
	printf '%-10s %14s %8s %8s\n' "$t" "${n:-?}" "${r:-?}" "$c"
	total=$((total + ${n:-0}))
	bad=$((bad + c))
done
printf '%-10s %14s %8s %8s\n' total "$total" "" "$bad"
[[ $bad -eq 0 ]]
