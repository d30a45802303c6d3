#!/bin/bash
# bench/bench_cert.sh - figures for the certificate commands:
#   cert import of 10k PEM certificates in one batch   (target <= 3 s)
#   cert import of 10k full-chain files (leaf and two intermediates each,
#     the intermediates new to the CA's bundle)       (target <= 3 s)
#   report expiry over 100k certificates                (target <= 200 ms)
# beside an `openssl x509 -enddate -noout` loop over 1k certificate files,
# each as a ratio of time per certificate.
#
#   bench/bench_cert.sh [IMPORT_N [REPORT_N [LOOP_N]]]    defaults 10000 100000 1000
#
# Builds bench/bench_cert_gen (the data generator, on src/libpasstore.a)
# with an explicit gcc line; run from anywhere after `make`.  Stores go to
# a mktemp -d directory removed at the end.  Times are wall clock of the
# whole command.  The import's "net of unlock" subtracts the median time
# of `ca list` on the same store; the report figure is measured in process
# (bench_cert_gen time-report: the store opened, then the report timed
# alone, cold, to /dev/null), beside the whole command's time.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
IMPORT_N=${1:-10000}
REPORT_N=${2:-100000}
LOOP_N=${3:-1000}

[[ -f src/libpasstore.a && -x passtore ]] || make src/libpasstore.a passtore >&2
deps="sqlcipher gnutls libargon2 jansson"
cflags="-std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
-Wstrict-prototypes -Wmissing-prototypes -Wvla -fno-common -Werror"
if [[ ! -x bench/bench_cert_gen || bench/bench_cert_gen.c -nt bench/bench_cert_gen ||
      src/libpasstore.a -nt bench/bench_cert_gen ]]; then
	# shellcheck disable=SC2086,SC2046
	gcc $cflags -I. -Isrc -Idata -DSQLITE_HAS_CODEC $(pkg-config --cflags $deps) \
		bench/bench_cert_gen.c src/libpasstore.a $(make -s --no-print-directory print-core-libs | tail -1) \
		-o bench/bench_cert_gen
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/passtore-bench-cert.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
PASS="bench passphrase"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
pt() { ./passtore --db "$1" --passphrase-fd 3 "${@:2}" 3<<<"$PASS"; }
# median of 5 runs of a command, in ms
median5() {
	local t0 runs=()
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/dev/null
		runs+=("$(ms "$t0")")
	done
	printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p
}

echo "# generating $IMPORT_N requests and certificates (not timed)..."
t0=$(date +%s%N)
bench/bench_cert_gen import "$tmp/import.db" "$IMPORT_N" "$tmp/all.pem" "$tmp" "$LOOP_N"
echo "# generated in $(ms "$t0") ms"
cp "$tmp/import.db" "$tmp/import-copy.db"; cp "$tmp/import.db.key" "$tmp/import-copy.db.key"
unlock_i=$(median5 pt "$tmp/import-copy.db" ca list)
t0=$(date +%s%N)
pt "$tmp/import.db" cert import "$tmp/all.pem" | tail -1 >"$tmp/import.out"
import_ms=$(ms "$t0")
grep -q "^$IMPORT_N certificates imported" "$tmp/import.out" || { echo "import failed: $(cat "$tmp/import.out")"; exit 1; }
echo "cert_import_${IMPORT_N}: ${import_ms} ms, net of unlock $((import_ms - unlock_i)) ms (target <= 3000 ms)"
echo "cert_import_per_cert: $(awk -v t="$import_ms" -v n="$IMPORT_N" 'BEGIN { printf "%.3f", t / n }') ms"

t0=$(date +%s%N)
for ((i = 0; i < LOOP_N; i++)); do openssl x509 -enddate -noout -in "$tmp/c$i.pem"; done >/dev/null
loop_ms=$(ms "$t0")
echo "openssl_enddate_loop_${LOOP_N}: ${loop_ms} ms ($(awk -v t="$loop_ms" -v n="$LOOP_N" 'BEGIN { printf "%.2f", t / n }') ms per certificate)"
echo "ratio_openssl_loop_per_cert_vs_import_per_cert: $(awk -v l="$loop_ms" -v ln="$LOOP_N" -v i="$import_ms" -v n="$IMPORT_N" \
	'BEGIN { printf "%.0f", (l / ln) / (i / n) }'):1 (openssl reads one file's end date in the time import stores that many certificates)"

echo "# generating $IMPORT_N full-chain files (not timed)..."
t0=$(date +%s%N)
mkdir -p "$tmp/chain"
bench/bench_cert_gen chain "$tmp/chain.db" "$IMPORT_N" "$tmp/chain"
echo "# generated in $(ms "$t0") ms"
cp "$tmp/chain.db" "$tmp/chain-copy.db"; cp "$tmp/chain.db.key" "$tmp/chain-copy.db.key"
unlock_c=$(median5 pt "$tmp/chain-copy.db" ca list)
t0=$(date +%s%N)
# CPU time beside the wall clock: on a shared machine the wall clock
# measures the neighbours too
TIMEFORMAT='%3U %3S'
{ time pt "$tmp/chain.db" cert import "$tmp"/chain/f*.pem | tail -2 >"$tmp/chain.out"; } 2>"$tmp/chain.cpu"
chain_ms=$(ms "$t0")
read -r cu cs < <(tail -1 "$tmp/chain.cpu")
grep -q "^$IMPORT_N certificates imported" "$tmp/chain.out" || { echo "chain import failed: $(cat "$tmp/chain.out")"; exit 1; }
grep -q "^2 CA certificates added" "$tmp/chain.out" || { echo "chain import: intermediates not added: $(cat "$tmp/chain.out")"; exit 1; }
echo "cert_import_fullchain_files_${IMPORT_N}: ${chain_ms} ms, net of unlock $((chain_ms - unlock_c)) ms (target <= 3000 ms; $((3 * IMPORT_N)) certificates, 2 intermediates added)"
echo "cert_import_fullchain_files_${IMPORT_N}_cpu: user ${cu} s, system ${cs} s"

echo "# generating a store with $REPORT_N certificates (not timed)..."
t0=$(date +%s%N)
bench/bench_cert_gen report "$tmp/report.db" "$REPORT_N"
echo "# generated in $(ms "$t0") ms, store $(du -m "$tmp/report.db" | cut -f1) MiB"
lines=$(pt "$tmp/report.db" report expiry | wc -l)
[[ $lines -eq $((REPORT_N + 1)) ]] || { echo "report has $lines lines, wanted $((REPORT_N + 1))"; exit 1; }
# in process: the report alone, after the store is open (median of 5)
inproc() {
	local runs=() open=()
	for _ in 1 2 3 4 5; do
		read -r o r _ < <(bench/bench_cert_gen time-report "$tmp/report.db" "$1" "$2")
		open+=("$o")
		runs+=("$r")
	done
	open_ms=$(printf '%s\n' "${open[@]}" | sort -n | sed -n 3p)
	printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p
}
for fmt in text csv json; do
	opt=()
	[[ $fmt != text ]] && opt=("--$fmt")
	t=$(median5 pt "$tmp/report.db" report expiry "${opt[@]}")
	r=$(inproc "$fmt" -1)
	echo "report_expiry_${REPORT_N}_${fmt}: ${r} ms (target <= 200 ms); whole command ${t} ms"
	[[ $fmt == text ]] && text_ms=$r
done
# the same with the fraction thresholds set (a second look at every row)
pt "$tmp/report.db" config set cert.warning_fraction 33% >/dev/null
pt "$tmp/report.db" config set cert.critical_fraction 10% >/dev/null
r=$(inproc text -1)
echo "report_expiry_${REPORT_N}_text_fractions: ${r} ms (target <= 200 ms)"
t=$(median5 pt "$tmp/report.db" report expiry --ics "$tmp/cal.ics")
echo "report_expiry_${REPORT_N}_ics: whole command ${t} ms ($(grep -c '^BEGIN:VEVENT' "$tmp/cal.ics") events)"
pt "$tmp/report.db" config unset cert.warning_fraction >/dev/null
pt "$tmp/report.db" config unset cert.critical_fraction >/dev/null
t=$(median5 pt "$tmp/report.db" report expiry --days 30)
r=$(inproc text 30)
echo "report_expiry_${REPORT_N}_days30: ${r} ms; whole command ${t} ms"
inproc text -1 >/dev/null
echo "store_open_${REPORT_N}: ${open_ms} ms (unlock + open checks, $(du -m "$tmp/report.db" | cut -f1) MiB store)"
echo "ratio_openssl_loop_per_cert_vs_report_per_cert: $(awk -v l="$loop_ms" -v ln="$LOOP_N" -v r="$text_ms" -v rn="$REPORT_N" \
	'BEGIN { printf "%.0f", (l / ln) / (r / rn) }'):1 (openssl ${LOOP_N} files ${loop_ms} ms vs report ${REPORT_N} certificates ${text_ms} ms)"
