#!/usr/bin/python3
# memscan.py PID FILE - count the copies of a secret (read from FILE, so
# that it is never in an argument) in the memory of process PID, apart
# by kind of mapping: "ordinary" (what a core dump holds) and "secure"
# (VmFlags "dd": MADV_DONTDUMP, the secure heap and secmem).  Prints
# "ordinary N" and "secure M", never the secret nor where it is.  Needs
# to be allowed to read /proc/PID/mem (root: the process is not dumpable).
import re
import sys

pid = int(sys.argv[1])
with open(sys.argv[2], "rb") as f:
    sec = f.read().rstrip(b"\n")
regions, cur = [], None
with open(f"/proc/{pid}/smaps") as f:
    for line in f:
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            cur = [line.split()[0], set()]
            regions.append(cur)
        elif line.startswith("VmFlags:") and cur:
            cur[1] = set(line.split()[1:])
count = {"ordinary": 0, "secure": 0}
with open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for span, flags in regions:
        lo, hi = (int(x, 16) for x in span.split("-"))
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except (OSError, OverflowError, ValueError):
            continue
        count["secure" if "dd" in flags else "ordinary"] += data.count(sec)
print(f"ordinary {count['ordinary']}")
print(f"secure {count['secure']}")
