#!/bin/bash
# bench/bench_import.sh - the figures of imports from outside: a VO member
# list of MEMBERS lines in each format (plain, VOMS-Admin CSV, LDIF, IAM
# JSON) imported with `vo import`, and a mkgridmap rules file of RULES
# lines imported with `gridmap rules import` and then used by `gridmap
# build` (targets: 300,000 members <= 3 s, 200,000 rule lines <= 2 s, peak
# memory proportional to the file).
#
#   bench/bench_import.sh [MEMBERS [RULES]]        defaults 300000 200000
#
# Each line prints wall time, CPU time (user + system: the figure that
# holds on a loaded machine) and peak RSS, from /usr/bin/time.  PASSTORE
# names another binary to compare (e.g. one built from an older commit).
# The inputs and the store go to a mktemp -d directory removed at the end.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MEMBERS=${1:-300000}
RULES=${2:-200000}
PT=${PASSTORE:-$top/passtore}
[[ -x $PT ]] || { echo "bench_import: build passtore first (make)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench_import: needs /usr/bin/time (GNU time)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/passtore-bench-import.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export PASSTORE_DB=$tmp/store.db
PASS="bench passphrase"

echo "# generating $MEMBERS members in 4 formats and $RULES rule lines (not timed)..."
awk -v n="$MEMBERS" -v d="$tmp" 'BEGIN {
	print "DN,CA,Email" > (d "/m.csv")
	print "version: 1\n" > (d "/m.ldif")
	printf "{\"totalResults\": %d, \"Resources\": [\n", n > (d "/m.json")
	for (i = 0; i < n; i++) {
		printf "/C=IT/O=INFN/OU=Personal Certificate/L=Site%d/CN=User Number %d\n", i % 97, i > (d "/m.txt")
		printf "\"/C=IT/O=INFN/CN=User %d\",\"/C=IT/O=INFN/CN=INFN CA\",user%d@example.org\n", i, i > (d "/m.csv")
		printf "dn: cn=u%d,ou=people,o=vo\nsubject: /C=IT/O=INFN/CN=User\n  %d\nissuer: /C=IT/O=INFN/CN=INFN CA\nmail: user%d@example.org\n\n", i, i, i > (d "/m.ldif")
		printf "%s{\"id\": \"%d\", \"userName\": \"u%d\", \"emails\": [{\"value\": \"u%d@example.org\"}], \"urn:indigo-dc:scim:schemas:IndigoUser\": {\"certificates\": [{\"subjectDn\": \"CN=User %d,O=INFN,C=IT\", \"issuerDn\": \"CN=INFN CA,O=INFN,C=IT\"}]}}\n", i ? "," : "", i, i, i, i > (d "/m.json")
	}
	print "]}" > (d "/m.json")
}'
awk -v n="$RULES" 'BEGIN {
	print "default_lcluser .pool"
	for (i = 0; i < n - 1; i++) {
		k = i % 4
		if (k == 0) printf "group vomss://voms%d.example.org:8443/voms/vo%d .pool%d\n", i, i, i % 50
		else if (k == 1) printf "allow *O=Org%d*\n", i
		else if (k == 2) printf "deny */CN=Bad%d*\n", i
		else printf "# comment %d\n", i
	}
}' >"$tmp/rules.conf"

run() {
	local what=$1
	shift
	if ! /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$PT" --passphrase-fd 3 "$@" \
		3<<<"$PASS" >/dev/null 2>"$tmp/err"; then
		echo "$what: failed: $(head -c 300 "$tmp/err")" >&2
		exit 1
	fi
	read -r real user sys rss <"$tmp/time"
	printf '%-34s %7.2f s wall %7.2f s cpu %7d KiB peak RSS\n' "$what" "$real" \
		"$(echo "$user + $sys" | bc)" "$rss"
}

"$PT" --passphrase-fd 3 init --kdf-memory 8M --kdf-time 1 --kdf-lanes 1 3<<<"$PASS" >/dev/null 2>&1
"$PT" --passphrase-fd 3 host add ce01.bench.example.org 3<<<"$PASS" >/dev/null
for f in txt csv ldif json; do
	"$PT" --passphrase-fd 3 vo add "vo$f" 3<<<"$PASS" >/dev/null
	run "vo import $MEMBERS ($f, $(du -m "$tmp/m.$f" | cut -f1) MiB)" vo import "vo$f" "$tmp/m.$f"
done
run "vo import $MEMBERS again (txt: diff)" vo import votxt "$tmp/m.txt"
run "gridmap rules import $RULES lines" gridmap rules import ce01.bench.example.org "$tmp/rules.conf"
run "gridmap build ($RULES rule lines)" gridmap build ce01.bench.example.org
