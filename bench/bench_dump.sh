#!/bin/bash
# bench/bench_dump.sh - how many copies of a revealed secret the console
# still holds in its memory once the secret is masked again: a store with
# one unique random secret, the console (in tmux) reveals it, waits until
# it is masked, then every readable region of /proc/PID/mem is searched.
# Prints the copies in ordinary memory (target 0: what a core dump of
# the process would hold) apart from those in secure memory (the store's
# page cache, wiped when it closes or locks), and the region of each;
# asserts nothing.  Needs
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
import re, sys
pid, sec = int(sys.argv[1]), sys.argv[2].encode()
# each mapping with its VmFlags: "dd" is left out of core dumps
# (MADV_DONTDUMP), "lo" is locked; the secure heap's chunks carry both
regions, cur = [], None
for line in open(f"/proc/{pid}/smaps"):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        cur = [line.rstrip("\n"), set()]
        regions.append(cur)
    elif line.startswith("VmFlags:"):
        cur[1] = set(line.split()[1:])
dumped = hidden = locked = 0
with open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for head, flags in regions:
        lo, hi = (int(x, 16) for x in head.split()[0].split("-"))
        if "dd" in flags and "lo" in flags:
            locked += hi - lo
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except (OSError, OverflowError, ValueError):
            continue
        i = data.find(sec)
        while i >= 0:
            where = "secure (not dumped" + (", locked)" if "lo" in flags else ")")
            if "dd" in flags:
                hidden += 1
            else:
                dumped += 1
                where = "ORDINARY"
            print(f"  copy at {lo + i:#x}, {where}: {head}")
            i = data.find(sec, i + 1)
print(f"copies of a revealed, masked-again secret in ordinary memory (a core dump holds them): {dumped}")
print(f"copies in secure memory (locked where allowed, never dumped, wiped when the store closes): {hidden}")
print(f"memory both locked and kept out of dumps: {locked // 1024} KiB")
PY
keys F10
wait_exit
