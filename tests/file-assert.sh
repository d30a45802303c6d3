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
	if why=$(file_lacks $opt "$1" "$2" 2>&1); then
		ok "$3"
	elif [ -n "$why" ]; then
		not_ok "$3: ${why#\# }"
	else
		not_ok "$3: $(basename "$2") holds it"
	fi
}
