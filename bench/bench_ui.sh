#!/bin/bash
# bench/bench_ui.sh - the console's figures (issue 5): first paint after
# unlock, page-down CPU and bytes at 80x25, a filter, resident memory, on
# a store of 100k certificates and 10k hosts.
#
#   bench/bench_ui.sh [HOSTS [CERTS [PAGES]]]     defaults 10000 100000 200
#
# Builds bench/bench_ui (on ui/libpasstore-ui.a and src/libpasstore.a)
# with an explicit gcc line; run from anywhere after `make`.  Making the
# store takes a while: it is kept in $TMPDIR/passtore-bench-ui (or /tmp),
# one file per size and version of the generator, and made again only
# when missing (BENCH_UI_FRESH=1: always).  BENCH_TERM picks the terminal
# type (default linux).  With tmux, the real ./passtore then runs on the
# same store and its peak resident memory (VmHWM) is printed too.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
HOSTS=${1:-10000}
CERTS=${2:-100000}
PAGES=${3:-200}

[[ -f src/libpasstore.a && -f ui/libpasstore-ui.a && -x passtore ]] ||
	make src/libpasstore.a ui/libpasstore-ui.a passtore >&2
deps="sqlcipher gnutls libargon2 jansson libssh"
cflags="-std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
-Wstrict-prototypes -Wmissing-prototypes -Wvla -fno-common -Werror"
curses=$(sed -n 's/^CURSES_LIBS = //p' Makefile)
if [[ ! -x bench/bench_ui || bench/bench_ui.c -nt bench/bench_ui ||
      src/libpasstore.a -nt bench/bench_ui || ui/libpasstore-ui.a -nt bench/bench_ui ]]; then
	# shellcheck disable=SC2086,SC2046
	gcc $cflags -I. -Isrc -Iui -Idata -DSQLITE_HAS_CODEC $(pkg-config --cflags $deps) \
		bench/bench_ui.c ui/libpasstore-ui.a demo/libpasstore-demo.a src/libpasstore.a $curses \
		$(make -s --no-print-directory print-core-libs | tail -1) -lutil -o bench/bench_ui
fi

cache=${TMPDIR:-/tmp}/passtore-bench-ui
mkdir -p "$cache"
gen_version=$(sha256sum bench/bench_ui.c data/*.sql | sha256sum | cut -c1-12)
db=$cache/ui-$HOSTS-$CERTS-$gen_version.db
# a store is two files: the database and its key record (DB.key)
if [[ ! -f $db || ! -f $db.key || ${BENCH_UI_FRESH:-0} = 1 ]]; then
	rm -f "$cache"/ui-"$HOSTS"-"$CERTS"-*.db "$cache"/ui-"$HOSTS"-"$CERTS"-*.db.key
	echo "# generating $HOSTS hosts, $CERTS certificates into $db (not timed)..."
	t0=$(date +%s%N)
	rm -f "$db.tmp" "$db.tmp.key"
	bench/bench_ui gen "$db.tmp" "$HOSTS" "$CERTS"
	mv "$db.tmp.key" "$db.key"
	mv "$db.tmp" "$db"
	echo "# generated in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
fi
echo "# store: $HOSTS hosts, $CERTS certificates, $(du -m "$db" | cut -f1) MiB"
bench/bench_ui run "$db" "$PAGES"

# The real console on the same store, in tmux at 80x25: its peak resident
# memory after the dashboard, a walk through the hosts (page-downs, End,
# a filter) and the audit trail.
if command -v tmux >/dev/null 2>&1; then
	sock=$cache/tmux.sock
	tmux -S "$sock" kill-server >/dev/null 2>&1 || true
	tmux -S "$sock" -f /dev/null new-session -d -x 80 -y 25 \
		"TERM=linux LC_ALL=C exec ./passtore --db '$db' --lock-after 0"
	pid=$(tmux -S "$sock" display -p '#{pane_pid}')
	waitfor() { # TEXT: poll the screen, at most 30 s
		for _ in $(seq 1500); do
			tmux -S "$sock" capture-pane -p | grep -qF -- "$1" && return 0
			sleep 0.02
		done
		echo "# the console never showed '$1'" >&2
		return 1
	}
	key() { tmux -S "$sock" send-keys -l -- "$(tput -T linux "$1")"; }
	if waitfor "Passphrase:"; then
		tmux -S "$sock" send-keys -l -- "bench passphrase"
		tmux -S "$sock" send-keys Enter
		waitfor "Audit chain: intact" &&
		tmux -S "$sock" send-keys h && waitfor "passtore - Hosts" &&
		for _ in $(seq 50); do key knp; done && key kend && waitfor "h009999" &&
		tmux -S "$sock" send-keys / && tmux -S "$sock" send-keys -l -- "h00999" &&
		tmux -S "$sock" send-keys Enter && waitfor "/h00999" &&
		key kf6 && waitfor "passtore - Audit trail" && key kend && sleep 0.5 &&
		hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status") &&
		awk -v k="$hwm" 'BEGIN { over = k > 65536 ? "  OVER" : ""
			printf("%-40s %10.2f %-4s (target <= 64 MiB)%s\n",
			       "resident memory, peak: real console", k / 1024, "MiB", over) }'
	fi
	tmux -S "$sock" kill-server >/dev/null 2>&1 || true
fi
