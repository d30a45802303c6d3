#!/bin/bash
# bench/bench_dump.sh - how many copies of a revealed secret the console
# still holds in its memory once the secret is masked again: a store with
# one unique random secret, the console (in tmux) reveals it, waits until
# it is masked, then every readable region of /proc/PID/mem is searched.
# Prints the count and the region of each copy; asserts nothing.  Needs
# root (the process is not dumpable), tmux and python3.
#
#   bench/bench_dump.sh [BINARY]        BINARY defaults to ./passtore
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PASSTORE=$(readlink -f "${1:-./passtore}")
export PASSTORE
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
SEC="Zq$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PASS="bench passphrase"
export PASSTORE_DB=$T/s.db
p() { "$PASSTORE" --passphrase-fd 3 "$@" 3<<<"$PASS" >/dev/null 2>&1; }
p init --kdf-memory 8M --kdf-time 1 --kdf-lanes 1
p host add h1.example.org
"$PASSTORE" --passphrase-fd 3 pw add root@h1.example.org:ssh --secret-fd 4 \
	3<<<"$PASS" 4<<<"$SEC" >/dev/null 2>&1
start xterm-256color 100 30 --reveal-seconds 2
unlock "$PASS" >/dev/null || { echo "bench_dump: the console did not unlock" >&2; exit 1; }
keys F3
wait_for "h1.example.org" || { echo "bench_dump: no host list" >&2; exit 1; }
keys g Tab r
wait_for "$SEC" || { echo "bench_dump: the secret was not revealed" >&2; exit 1; }
wait_gone "$SEC" || { echo "bench_dump: the secret stayed on screen" >&2; exit 1; }
pid=$(pgrep -P "$(tmux -S "$SOCK" display-message -p '#{pane_pid}')" | head -1)
python3 - "$pid" "$SEC" <<'PY'
import sys
pid, sec = int(sys.argv[1]), sys.argv[2].encode()
n = 0
with open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in open(f"/proc/{pid}/maps").read().splitlines():
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except (OSError, OverflowError, ValueError):
            continue
        i = data.find(sec)
        while i >= 0:
            n += 1
            print(f"  copy at {lo + i:#x} in {line}")
            i = data.find(sec, i + 1)
print(f"copies of a revealed, masked-again secret in the console's memory: {n}")
PY
keys F10
wait_exit
