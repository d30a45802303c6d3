# lib.sh - shared by the attack campaigns (tests/attack/*.test): the
# shell-test library of tests/cli, plus the campaign's count of cases
# tried and held, printed at the end.  Sourced, never run.
# shellcheck source=tests/cli/lib.sh
. "$TESTLIB"
tried=0
held=0

# case_held DESCRIPTION / case_broke DESCRIPTION: one case of the campaign
case_held() { tried=$((tried + 1)); held=$((held + 1)); ok "$1"; }
case_broke() { tried=$((tried + 1)); not_ok "$1"; }

# storesum: the store's bytes and its key record's, as one word
storesum() { echo "$(filehash "$DB")$([ -e "$DB.key" ] && filehash "$DB.key")"; }

# refused DESCRIPTION -- ARGS...: a hostile input is refused: a non-zero
# exit below 128 (no crash), a message on stderr, the store's bytes and
# key record unchanged.
refused() {
	local what=$1 before rc
	shift 2
	before=$(storesum)
	pt "$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		case_broke "$what: accepted"
	elif [ "$rc" -ge 128 ]; then
		case_broke "$what: killed by signal $((rc - 128))"
	elif [ ! -s "$T/err" ]; then
		case_broke "$what: exit $rc without a message"
	elif [ "$(storesum)" != "$before" ]; then
		case_broke "$what: exit $rc but the store changed"
	else
		case_held "$what (exit $rc: $(head -c 100 "$T/err" | head -1))"
	fi
}

# wait_for TRIES CMD...: bounded wait (TRIES x 20 ms) until CMD succeeds
wait_for() {
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.02
		n=$((n - 1))
	done
	return 1
}

# verified WHAT: the store opens and its audit chain verifies
verified() {
	pt audit verify
	local rc=$?
	[ "$rc" -eq 0 ] && ok "$1: audit verify passes" ||
		not_ok "$1: audit verify exit $rc: $(head -c 300 "$T/err")"
}

# campaign_end NAME: the figure line, then the TAP summary
campaign_end() {
	echo "# $1: $tried cases tried, $held held, in ${SECONDS} s"
	[ "$tried" -gt 0 ] || not_ok "$1: no case tried"
	finish
}
