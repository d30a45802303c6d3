# file-assert.sh - negative searches that cannot pass by accident.
# Sourced by tests/cli/lib.sh, tests/e2e/lib.sh and tests/net/sshd-lib.sh.
#
# "FILE does not hold X" proves nothing when FILE is missing or empty (a
# command that failed, a path that moved): grep finds nothing there either.
# So each negative search first requires the file to exist and hold bytes.

# file_lacks [-E|-f] PATTERN FILE: status 0 when FILE exists, is not empty
# and holds no PATTERN (a fixed string; -E an extended regexp; -f a file of
# fixed strings, one a line).  Binary files are searched as text.  Says
# why on stderr otherwise (never the pattern: it may be a secret).
file_lacks() {
	local mode=-F
	case $1 in -E | -f) mode=$1; shift ;; esac
	if [ ! -e "$2" ]; then
		echo "# $2 does not exist" >&2
		return 1
	fi
	if [ ! -s "$2" ]; then
		echo "# $2 is empty" >&2
		return 1
	fi
	if [ "$mode" = -f ]; then
		! grep -qaF -f "$1" -- "$2"
	else
		! grep -qa "$mode" -- "$1" "$2"
	fi
}

# refute_in_file [-E|-f] PATTERN FILE DESCRIPTION: ok when file_lacks holds,
# not_ok (saying whether the file was missing, empty or matched) otherwise.
refute_in_file() {
	local opt=
	case $1 in -E | -f) opt=$1; shift ;; esac
	local why
	if why=$(file_lacks ${opt:+"$opt"} "$1" "$2" 2>&1); then
		ok "$3"
	elif [ -n "$why" ]; then
		not_ok "$3: ${why#\# }"
	else
		not_ok "$3: $(basename "$2") holds it"
	fi
}

# golden_json NAME DESCRIPTION [JQ]: the JSON in $T/out, normalised, equals
# tests/golden/json/NAME.json as a whole (keys, order, values, types).
# Normalised: times ("2026-01-31 12:00:00Z" and ISO forms) become "<TIME>",
# the test's private directory "<T>", the audit actor "<ACTOR>", the audit
# chain's "hash" values "<HASH>"; JQ (optional) is applied after that, for
# what only one output varies in (a backup's bytes, a window's id).
# PASSTORE_REGOLD=1 writes the golden file instead (review the diff).
GOLDEN_JSON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/golden" && pwd)/json
golden_json() {
	local name=$1 what=$2 extra=${3:-.} want got
	want=$GOLDEN_JSON_DIR/$name.json
	got=$T/$name.got.json
	if ! jq --arg t "$T" '
		def w(f): if type == "object" then with_entries(.value |= w(f)) | f
			elif type == "array" then map(w(f)) | f else f end;
		def time_like: test("^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?");
		w(if type == "string" then
			(if time_like then "<TIME>" else (if ($t | length) > 0 then
				gsub($t | gsub("[.]"; "\\."); "<T>") else . end) end)
		elif type == "object" then
			(if has("actor") then .actor = "<ACTOR>" else . end)
			| (if has("hash") and (.hash | type) == "string" then .hash = "<HASH>" else . end)
		else . end)
		| '"$extra" "$T/out" >"$got" 2>"$T/jq.err"; then
		not_ok "$what: not JSON: $(head -c 200 "$T/jq.err") $(head -c 300 "$T/out")"
		return
	fi
	if [ "${PASSTORE_REGOLD:-}" = 1 ]; then
		mkdir -p "$GOLDEN_JSON_DIR" && cp "$got" "$want"
	fi
	if [ ! -s "$want" ]; then
		not_ok "$what: no golden file $name.json (PASSTORE_REGOLD=1 writes it)"
	elif diff -u "$want" "$got" >"$T/json.diff"; then
		ok "$what"
	else
		not_ok "$what: differs from $name.json: $(head -c 1500 "$T/json.diff")"
	fi
}

# dump_lacks_secret PID SECRETFILE NAME WHAT DESCRIPTION: gcore PID and
# check (DESCRIPTION) that the dump holds no copy of SECRETFILE's content,
# and (the control that the dump is real) that it holds NAME, which the
# process has in memory; WHAT says what was dumped.  Needs ok, not_ok, same, $T and $MEMSCAN
# (tests/memscan.py).  Not in a sanitizer build: gdb writes the
# sanitizer's reservations too (PROT_NONE, terabytes: a 6 TB sparse file
# with 24 GB of zeros, minutes to write and to read), and what a dump can
# hold is what the caller's live scan read (the readable mappings without
# "dd").  The plain build's run dumps.
dump_lacks_secret() {
	local pid=$1 secret=$2 name=$3 what=$4 desc=$5 core n
	if [ "${PASSTORE_SANITIZERS:-no}" = yes ]; then
		echo "# sanitizer build: gcore not run (the live scan covers its memory)"
		return 0
	fi
	core=$T/core.$pid
	gcore -o "$T/core" "$pid" >"$T/gcore.log" 2>&1
	[ -s "$core" ] && ok "gcore dumped $what" || not_ok "gcore: $(tail -3 "$T/gcore.log")"
	same "$(python3 "$MEMSCAN" --file "$core" "$secret")" "file 0" "$desc"
	printf '%s\n' "$name" >"$T/dump-name"
	n=$(python3 "$MEMSCAN" --file "$core" "$T/dump-name")
	[ "${n#file }" -ge 1 ] 2>/dev/null && ok "control: the dump holds $name" ||
		not_ok "control: $name is not in the dump ($n)"
	rm -f "$core"
}
