# lib.sh - shared by the shell tests: a private directory, a cheap store,
# and assertions that print TAP-like lines.  Sourced, never run.
set -u
# shellcheck source=tests/file-assert.sh
. "$(dirname "${BASH_SOURCE[0]}")/../file-assert.sh"

: "${PASSTORE:?run through make check}"
T=$(mktemp -d /tmp/passtore-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
DB=$T/store.db
PASS="correct horse battery"
export PASSTORE_DB=$DB
unset PASSTORE_PASSPHRASE 2>/dev/null || true
failures=0
checks=0

ok() { checks=$((checks + 1)); echo "ok - $*"; }
not_ok() { checks=$((checks + 1)); failures=$((failures + 1)); echo "not ok - $*"; }

# pt ARGS...: run passtore with the passphrase on fd 3; output in $T/out, $T/err.
pt() {
	"$PASSTORE" --passphrase-fd 3 "$@" 3<<<"$PASS" >"$T/out" 2>"$T/err"
}

# expect RC DESCRIPTION -- ARGS...: run pt and check its exit code.
expect() {
	local want=$1 what=$2 rc
	shift 3
	pt "$@"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$what (exit $rc)"
	else
		not_ok "$what: exit $rc, wanted $want; stderr: $(head -c 300 "$T/err")"
	fi
}

# out_has / err_has / out_lacks TEXT DESCRIPTION
out_has() { if grep -qF -- "$1" "$T/out"; then ok "$2"; else not_ok "$2: stdout lacks '$1': $(head -c 400 "$T/out")"; fi; }
err_has() { if grep -qF -- "$1" "$T/err"; then ok "$2"; else not_ok "$2: stderr lacks '$1': $(head -c 400 "$T/err")"; fi; }
# out_lacks: stdout was not empty and lacks TEXT (an empty stdout is a
# failure: a command that printed nothing proves nothing).
out_lacks() { refute_in_file "$1" "$T/out" "$2"; }
# out_is DESCRIPTION <<EOF: stdout, whole, is the text on stdin.
out_is() {
	if diff -u - "$T/out" >"$T/out.diff"; then ok "$1"; else not_ok "$1: $(head -c 1200 "$T/out.diff")"; fi
}
same() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3: '$1' != '$2'"; fi; }

new_store() {
	rm -f "$DB"
	"$PASSTORE" --passphrase-fd 3 init --kdf-memory 8M --kdf-time 1 --kdf-lanes 1 \
		3<<<"$PASS" >/dev/null 2>&1 || { echo "Bail out! cannot create a store"; exit 99; }
}

filehash() { sha256sum "$1" | cut -d' ' -f1; }

# unchanged DESCRIPTION: the store's bytes equal those saved by `snapshot`.
snapshot() { SNAP=$(filehash "$DB")$([ -e "$DB.key" ] && filehash "$DB.key"); }
unchanged() { same "$(filehash "$DB")$([ -e "$DB.key" ] && filehash "$DB.key")" "$SNAP" "$1: store file unchanged"; }

finish() {
	echo "# $checks checks, $failures failed"
	[ "$failures" -eq 0 ]
}
