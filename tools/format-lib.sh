# tools/format-lib.sh - what tools/format and tools/check-format share:
# the clang-format binary and the list of files.  Sourced, never run.

# clang-format 14 is what the style was tuned with (Debian's
# clang-format package); another version may format a little otherwise.
CLANG_FORMAT=${CLANG_FORMAT:-}
if [ -z "$CLANG_FORMAT" ]; then
	for c in clang-format clang-format-14; do
		command -v "$c" >/dev/null 2>&1 && { CLANG_FORMAT=$c; break; }
	done
fi
[ -n "$CLANG_FORMAT" ] && command -v "$CLANG_FORMAT" >/dev/null 2>&1 || {
	echo "$0: no clang-format${CLANG_FORMAT:+ \"$CLANG_FORMAT\"} (apt-get install clang-format)" >&2
	exit 2
}

# format_files [FILE...]: the files given, or every tracked .c/.h of the
# project's code (every one under those folders outside git), less the
# generated ones
format_files() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@"
	elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -- 'src/*.[ch]' 'cli/*.[ch]' 'ui/*.[ch]' 'demo/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]'
	else
		find src cli ui demo tests bench -name '*.[ch]' | sort
	fi | grep -vE '^(data/schema\.h|src/grid/voms_asn1_tab\.c)$' || true
}
