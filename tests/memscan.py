#!/usr/bin/python3
# memscan.py PID FILE - count the copies of a secret (read from FILE, so
# that it is never in an argument) in the memory of process PID, apart
# by kind of mapping: "ordinary" (what a core dump holds) and "secure"
# (VmFlags "dd": MADV_DONTDUMP, the secure heap and secmem).  Prints
# "ordinary N" and "secure M", never the secret nor where it is.  Needs
# to be allowed to read /proc/PID/mem (root: the process is not dumpable).
#
# memscan.py --file PATH FILE - the same count in a file (a core dump):
# prints "file N".
#
# Both read in bounded chunks (a sanitizer build's dump is gigabytes, and
# grep -a buffers a "line" of it whole).  Regions with nothing resident
# are skipped, and so are reservations of 64 GiB and more (AddressSanitizer's
# shadow and allocator space: terabytes mapped, never a copy of data).
import re
import sys

CHUNK = 16 << 20
HUGE = 64 << 30


def count_in(f, lo, hi, sec):
    """Occurrences of sec in f[lo:hi], read CHUNK bytes at a time."""
    n, tail, pos = 0, b"", lo
    while pos < hi:
        step = min(CHUNK, hi - pos)
        try:
            f.seek(pos)
            data = f.read(step)
        except (OSError, OverflowError, ValueError):
            data = None  # an unreadable stretch (a guard page): the next one
        if not data:
            tail, pos = b"", pos + step
            continue
        buf = tail + data
        n += buf.count(sec)
        # the bytes that could begin a match across the boundary (too few
        # to hold a whole one: nothing is counted twice)
        tail = buf[-(len(sec) - 1):] if len(sec) > 1 else b""
        pos += len(data)
    return n


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--file":
        with open(sys.argv[3], "rb") as f:
            sec = f.read().rstrip(b"\n")
        with open(sys.argv[2], "rb") as f:
            f.seek(0, 2)
            print(f"file {count_in(f, 0, f.tell(), sec)}")
        return
    pid = int(sys.argv[1])
    with open(sys.argv[2], "rb") as f:
        sec = f.read().rstrip(b"\n")
    regions, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                cur = {"span": line.split()[0], "flags": set(), "rss": None}
                regions.append(cur)
            elif line.startswith("Rss:") and cur:
                cur["rss"] = int(line.split()[1])
            elif line.startswith("VmFlags:") and cur:
                cur["flags"] = set(line.split()[1:])
    count = {"ordinary": 0, "secure": 0}
    with open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for r in regions:
            lo, hi = (int(x, 16) for x in r["span"].split("-"))
            if r["rss"] == 0 or hi - lo >= HUGE:
                continue
            n = count_in(mem, lo, hi, sec)
            count["secure" if "dd" in r["flags"] else "ordinary"] += n
    print(f"ordinary {count['ordinary']}")
    print(f"secure {count['secure']}")


main()
