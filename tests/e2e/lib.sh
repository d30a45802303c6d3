# lib.sh - console tests: the real binary inside tmux, driven with
# send-keys and read back with capture-pane.  Sourced, never run.
#
# Each test runs its scenario once per terminal type (TERMS), on a private
# tmux socket with a config file (status off, remain-on-exit on,
# escape-time 0); the program's exit code lands in $T/rc from a wrapper.
# Waits poll every 20 ms with a bound: never a fixed sleep.
set -u
# shellcheck source=tests/file-assert.sh
. "$(dirname "${BASH_SOURCE[0]}")/../file-assert.sh"

: "${PASSTORE:?run through make check}"
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is missing"; exit 77; }

T=$(mktemp -d /tmp/passtore-e2e.XXXXXX)
export TMPDIR=$T            # the demo store's directory lands here
# one socket per start (tmux.N.sock): a new session never reaches a
# server of the previous start that is still shutting down ("server
# exited unexpectedly" on a loaded machine)
SOCK_N=0
SOCK=$T/tmux.$SOCK_N.sock
TERMS=${E2E_TERMS:-"linux xterm-256color"}
WAIT=${E2E_WAIT:-10}        # seconds any one wait may take
failures=0
checks=0
cleanup() {
	local s
	for s in "$T"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap cleanup EXIT
unset PASSTORE_PASSPHRASE 2>/dev/null || true

printf 'set -g status off\nset -g remain-on-exit on\nset -g escape-time 0\nset -g history-limit 0\n' \
	>"$T/tmux.conf"

ok() { checks=$((checks + 1)); echo "ok - $*"; }
not_ok() {
	checks=$((checks + 1)); failures=$((failures + 1)); echo "not ok - $*"
	echo "# screen:"; screen | sed 's/^/#  |/'
}

# stop_server: the current server asked to exit, then waited for
# (bounded, 5 s): gone, or a zombie nobody reaped yet, it serves no one.
stop_server() {
	local pid
	pid=$(tmux -S "$SOCK" display-message -p '#{pid}' 2>/dev/null) || return 0
	tmux -S "$SOCK" kill-server >/dev/null 2>&1
	for _ in $(seq 1 250); do
		case $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) in '' | Z*) return 0 ;; esac
		sleep 0.02
	done
}

# start TERM COLS ROWS ARGS...: a fresh server, on a fresh socket,
# running passtore ARGS.
start() {
	local term=$1 cols=$2 rows=$3
	shift 3
	CUR_TERM=$term
	stop_server
	SOCK_N=$((SOCK_N + 1))
	SOCK=$T/tmux.$SOCK_N.sock
	rm -f "$T/rc"
	printf '%q ' "$PASSTORE" "$@" >"$T/cmd"
	cat >"$T/run.sh" <<RUN
export TERM=$term TMPDIR=$T LC_ALL=C
$(cat "$T/cmd")
echo \$? >"$T/rc"
RUN
	tmux -S "$SOCK" -f "$T/tmux.conf" new-session -d -x "$cols" -y "$rows" "bash $T/run.sh"
}

screen() { tmux -S "$SOCK" capture-pane -p 2>/dev/null; }
screen_e() { tmux -S "$SOCK" capture-pane -p -e 2>/dev/null; }
# keys KEY...: tmux's own names, except that cursor, paging and function
# keys are sent as the pane's terminal (terminfo of $CUR_TERM) spells them:
# tmux would encode them for its own terminal type, and the Linux console
# spells F1 "\e[[A" where tmux says "\eOP".
keys() {
	local k cap
	for k in "$@"; do
		case $k in
		Up) cap=kcuu1 ;; Down) cap=kcud1 ;; Left) cap=kcub1 ;; Right) cap=kcuf1 ;;
		PageUp|PPage) cap=kpp ;; PageDown|NPage) cap=knp ;; Home) cap=khome ;; End) cap=kend ;;
		BTab) cap=kcbt ;; F[0-9]|F1[0-2]) cap=kf${k#F} ;;
		*) cap= ;;
		esac
		if [ -n "$cap" ]; then
			tmux -S "$SOCK" send-keys -l -- "$(tput -T "$CUR_TERM" "$cap")"
		else
			tmux -S "$SOCK" send-keys "$k"
		fi
	done
}
type_text() { tmux -S "$SOCK" send-keys -l -- "$1"; }

# wait_for TEXT [SECONDS]: true once the screen shows TEXT.
wait_for() {
	local end=$(( $(date +%s%N) / 1000000 + ${2:-$WAIT} * 1000 ))
	while :; do
		screen | grep -qF -- "$1" && return 0
		[ $(( $(date +%s%N) / 1000000 )) -ge "$end" ] && return 1
		sleep 0.02
	done
}
# wait_gone TEXT [SECONDS]: true once the screen no longer shows TEXT.
wait_gone() {
	local end=$(( $(date +%s%N) / 1000000 + ${2:-$WAIT} * 1000 ))
	while :; do
		screen | grep -qF -- "$1" || return 0
		[ $(( $(date +%s%N) / 1000000 )) -ge "$end" ] && return 1
		sleep 0.02
	done
}
# wait_exit: true once the program has exited; its code in $RC.
wait_exit() {
	local end=$(( $(date +%s%N) / 1000000 + WAIT * 1000 ))
	while [ ! -s "$T/rc" ]; do
		[ $(( $(date +%s%N) / 1000000 )) -ge "$end" ] && { RC=timeout; return 1; }
		sleep 0.02
	done
	RC=$(cat "$T/rc")
}

expect_screen() { if wait_for "$1" "${3:-$WAIT}"; then ok "$2"; else not_ok "$2: no '$1' on screen"; fi; }
expect_gone() { if wait_gone "$1" "${3:-$WAIT}"; then ok "$2"; else not_ok "$2: '$1' still on screen"; fi; }
lacks() { if screen | grep -qF -- "$1"; then not_ok "$2: '$1' on screen"; else ok "$2"; fi; }
same() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3: '$1' != '$2'"; fi; }

# unlock_demo: type the demo passphrase and wait for the dashboard.
unlock() {
	wait_for "Passphrase:" || { not_ok "unlock screen shown"; return 1; }
	type_text "$1"
	keys Enter
	wait_for "passtore - Dashboard"
}

# quit: F10 from the dashboard, wait for the exit code.
quit() {
	keys F2
	wait_for "passtore - Dashboard" 2
	keys F10
	if wait_exit && [ "$RC" = 0 ]; then ok "quits with exit 0 ($1)"; else not_ok "quit ($1): rc $RC"; fi
}

finish() {
	echo "# $checks checks, $failures failed"
	[ "$failures" -eq 0 ]
}
