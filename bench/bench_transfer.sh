#!/bin/bash
# bench/bench_transfer.sh - the transfer engine's figures on the namespace
# topology of tests/net (station -- gw -- target, real sshd):
#   exposure window  first rule added -> last rule removed   (target <= 60 ms,
#                    and >= 5x narrower than the seed's script)
#   link up time     link up -> link down
#   SSH time         connect -> last SFTP reply
#   sessions left    established sshd connections in the target's namespace
#                    after all the runs (target: 0; each window says goodbye)
# over RUNS `passtore transfer install HOST` runs on each firewall backend
# (net.firewall iptables: two libiptc rules; nftables: one timed element of
# passtore's table; figures read back from `passtore transfer log --json`),
# beside RUNS installs done the seed's way:
# a shell script in the station namespace that adds the two iptables rules,
# brings the link up, adds the route, scp's the key and the certificate to
# the target's /etc/grid-security and undoes it all, timed with date +%s%N.
# The three kinds of run alternate, so that all see the same machine state;
# between them the station's firewall is switched while it stays closed:
# passtore's boot table loaded before the legacy policies open for an
# nftables run, the legacy policies DROP again before the table goes.
#
#   bench/bench_transfer.sh [--runs N] [--gap SECONDS] [--auth password|key]
#                                            defaults 20, 1.1, password
#
# --auth: how passtore logs in.  password (the default, passtore's own
# default) is the stored password, which the peer checks with crypt(3), a
# few ms inside the window; key is the seed's own way: passtore (the key
# kept in its store, host.NAME.auth key) and the seed's scp then log in
# with the same ed25519 key, like for like.  The seed's script always
# uses the key.
#
# --gap is a pause before every run, so that each link-up starts cold as a
# real window does (windows are minutes apart).  It matters: with 1.1 s gaps
# 40-85% of the engine's runs took ~1 s more (the first ARP request for the
# gateway after link-up went unanswered and the kernel retries it after
# retrans_time_ms = 1000), with --gap 0 none did.  Per-run values are printed
# so that such a bimodal spread shows.  Run as root from the top build
# directory after `make`.
# Exit 77 without root, namespaces, sshd or iptables-legacy; 99 if the setup
# fails; 1 if a run fails; 0 after printing.  Everything (namespaces, sshd,
# temporary files) is torn down in the EXIT trap; only the namespaces'
# 10.231.x.x addresses are used.
set -u

RUNS=20
GAP=1.1
AUTH=password
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=${2:?--runs N}; shift 2 ;;
	--runs=*) RUNS=${1#--runs=}; shift ;;
	--gap) GAP=${2:?--gap SECONDS}; shift 2 ;;
	--gap=*) GAP=${1#--gap=}; shift ;;
	--auth) AUTH=${2:?--auth password|key}; shift 2 ;;
	--auth=*) AUTH=${1#--auth=}; shift ;;
	-h | --help) sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [--runs N] [--gap SECONDS]" >&2; exit 2 ;;
	esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "--runs takes a positive integer" >&2; exit 2; }
[[ $GAP =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--gap takes seconds" >&2; exit 2; }
[[ $AUTH == key || $AUTH == password ]] || { echo "--auth takes password or key" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || { echo "SKIP: no ip netns"; exit 77; }
[ -x /usr/sbin/sshd ] || { echo "SKIP: no sshd"; exit 77; }
for p in iptables-legacy nft openssl scp ssh-keygen python3 timeout; do
	command -v "$p" >/dev/null || { echo "SKIP: no $p"; exit 77; }
done

top=$(pwd)
PASSTORE=${PASSTORE:-$top/passtore}
here=$top/tests/net
# as bench_cert.sh: build what is missing or stale
if [ -f Makefile ] && ! make -q passtore >/dev/null 2>&1; then
	timeout 600 make -s passtore >&2 || { echo "make failed" >&2; exit 99; }
fi
[ -x "$PASSTORE" ] && [ -f "$here/topology.sh" ] ||
	{ echo "run from the top build directory after make (no ./passtore or tests/net)" >&2; exit 99; }

TOPO_PREFIX=pb$$
# shellcheck source=tests/net/topology.sh
. "$here/topology.sh"
# shellcheck source=tests/net/sshd-lib.sh
. "$here/sshd-lib.sh"

T=$(mktemp -d /tmp/passtore-bench-transfer.XXXXXX) || exit 99
cleanup() {
	sshd_stop_all 2>/dev/null
	topo_down
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench_transfer: $*" >&2; exit "${RC:-99}"; }

# ---- topology and the target's sshd (as in tests/net/transfer.test) ----
topo_up || die "topology"
sshd_start target "$TOPO_NS_TARGET" "$TOPO_ADDR_TARGET" >/dev/null || die "sshd target"
FP_TARGET=$SSHD_FP

DB=$T/store.db
PASS="bench passphrase"
TARGET=target.example.org
IF=$TOPO_IF_STATION
PEER=$TOPO_ADDR_TARGET
GW=$TOPO_ADDR_GW

# passtore in the station, passphrase on fd 3, bounded
pt() { timeout -k 5 60 ip netns exec "$TOPO_NS_STATION" "$PASSTORE" --db "$DB" --passphrase-fd 3 "$@" 3<<<"$PASS"; }
must() { pt "$@" >"$T/out" 2>"$T/err" || die "passtore $*: $(head -c 400 "$T/err")"; }
rules() { # legacy ACCEPT rules and elements of passtore's set
	local a e
	a=$(ip netns exec "$TOPO_NS_STATION" iptables-legacy -w 5 -S | grep -c -- '-j ACCEPT')
	e=$(ip netns exec "$TOPO_NS_STATION" nft list set inet passtore windows 2>/dev/null | grep -o 'passtore:' | wc -l)
	echo $((a + e))
}
# the station's firewall for the next run, closed at every step
fw_nftables() {
	ip netns exec "$TOPO_NS_STATION" nft -f "$T/boot.nft" || die "nft -f"
	for ch in INPUT OUTPUT FORWARD; do
		ip netns exec "$TOPO_NS_STATION" iptables-legacy -w 5 -P $ch ACCEPT || die "policy"
	done
	must config set net.firewall nftables
}
fw_iptables() {
	for ch in INPUT OUTPUT FORWARD; do
		ip netns exec "$TOPO_NS_STATION" iptables-legacy -w 5 -P $ch DROP || die "policy"
	done
	ip netns exec "$TOPO_NS_STATION" nft delete table inet passtore 2>/dev/null
	must config set net.firewall iptables
}
link_up() { ip -n "$TOPO_NS_STATION" link show "$IF" | head -1 | grep -q '[<,]UP[,>]'; }

# ---- the store and the station's settings ----
timeout 60 "$PASSTORE" --db "$DB" --passphrase-fd 3 init --kdf-memory 8M --kdf-time 1 --kdf-lanes 1 \
	3<<<"$PASS" >/dev/null 2>&1 || die "init"
must host add $TARGET --ip "$PEER"
pt pw add "root@$TARGET:ssh" --secret-fd 4 4<<<"$SSHD_PASSWORD" >/dev/null 2>&1 || die "pw add"
must config set net.interface "$IF"
must config set net.gateway "$GW"
must config set transfer.timeout 5
"$PASSTORE" firewall boot-config >"$T/boot.nft" || die "firewall boot-config"

# ---- a key, a pending request and a certificate, made by openssl ----
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$TARGET" \
	-keyout "$T/key.pem" -out "$T/req.pem" 2>/dev/null || die "openssl req"
# the pair comes in the way a site brings an existing one: cert adopt
openssl req -x509 -in "$T/req.pem" -key "$T/key.pem" -days 30 -out "$T/cert.pem" \
	-addext "subjectAltName=DNS:$TARGET" 2>/dev/null || die "openssl self-signed"
must cert adopt $TARGET --key "$T/key.pem" --cert "$T/cert.pem"

# ---- the seed's way: files named as on the target, a throwaway client key ----
mkdir -p "$T/seed"
cp "$T/key.pem" "$T/seed/hostkey.pem"
cp "$T/cert.pem" "$T/seed/hostcert.pem"
chmod 400 "$T/seed/hostkey.pem"
ssh-keygen -q -t ed25519 -N '' -C passtore-bench -f "$T/client" || die "ssh-keygen"
sshd_authorize target root "$T/client.pub"
# passtore logs in as the seed does, with the same key, kept in its store
if [ "$AUTH" = key ]; then
	pt pw add "root@$TARGET:ssh-key" --secret-fd 4 --multiline 4<"$T/client" >/dev/null 2>&1 ||
		die "pw add the key"
	must config set "host.$TARGET.auth" key
	must config set "host.$TARGET.service" ssh-key
fi
cat >"$T/seed.sh" <<EOF
# the seed's install, run in the station namespace; prints
# "exposure_ns link_ns scp_ns" on the last line
set -u
IF=$IF PEER=$PEER GW=$GW
ipt() { iptables-legacy -w 5 "\$@"; }
out_rule=(OUTPUT -o "\$IF" -d "\$PEER" -p tcp --dport 22 -j ACCEPT)
in_rule=(INPUT -i "\$IF" -s "\$PEER" -p tcp --sport 22 -m state --state ESTABLISHED -j ACCEPT)
rc=0
t_open=\$(date +%s%N)
ipt -A "\${out_rule[@]}" || rc=1
ipt -A "\${in_rule[@]}" || rc=1
t_up=\$(date +%s%N)
ip link set "\$IF" up || rc=1
ip route add "\$PEER/32" via "\$GW" dev "\$IF" || rc=1
t_ssh0=\$(date +%s%N)
timeout 20 scp -q -i "$T/client" -o IdentitiesOnly=yes -o ConnectTimeout=5 \\
	-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \\
	"$T/seed/hostkey.pem" "$T/seed/hostcert.pem" "root@\$PEER:/etc/grid-security/" || rc=1
t_ssh1=\$(date +%s%N)
ipt -D "\${out_rule[@]}" || rc=1
ipt -D "\${in_rule[@]}" || rc=1
t_close=\$(date +%s%N)
ip link set "\$IF" down || rc=1
t_down=\$(date +%s%N)
echo "\$((t_close - t_open)) \$((t_down - t_up)) \$((t_ssh1 - t_ssh0))"
exit \$rc
EOF

# ---- the runs ----
pt transfer log --json >"$T/log0.json" 2>"$T/err" || die "transfer log: $(cat "$T/err")"
first_id=$(python3 -c 'import json,sys; w=json.load(open(sys.argv[1])); print(max([x["id"] for x in w] or [0]))' \
	"$T/log0.json") || die "cannot read the window log"
: >"$T/seed.txt"
RC=1
echo "# $RUNS passtore installs on each backend and $RUNS seed-script installs, alternating," \
	"${GAP}s apart (warm-up: none); passtore logs in with $([ "$AUTH" = key ] &&
	echo "the seed's key" || echo "a password"), the seed's scp with its key"
for ((i = 1; i <= RUNS; i++)); do
	for fw in iptables nftables; do
		accept=()
		[ "$i" -eq 1 ] && [ "$fw" = iptables ] && accept=(--accept-hostkey "$FP_TARGET")
		"fw_$fw"
		sleep "$GAP"
		pt transfer install $TARGET "${accept[@]}" >"$T/out" 2>"$T/err" ||
			die "passtore ($fw) run $i failed: $(head -c 400 "$T/err")"
		[ "$(rules)" -eq 0 ] && ! link_up || die "passtore ($fw) run $i left a rule or the link up"
	done
	fw_iptables
	sleep "$GAP"
	timeout -k 5 60 ip netns exec "$TOPO_NS_STATION" bash "$T/seed.sh" >"$T/out" 2>"$T/err" ||
		die "seed run $i failed: $(head -c 400 "$T/err")"
	tail -1 "$T/out" >>"$T/seed.txt"
	[ "$(rules)" -eq 0 ] && ! link_up || die "seed run $i left a rule or the link up"
done
[ "$(sshd_cat target /etc/grid-security/hostcert.pem | sha256sum)" = "$(sha256sum <"$T/cert.pem")" ] ||
	die "the certificate did not arrive intact"
pt transfer log --json >"$T/log.json" 2>"$T/err" || die "transfer log: $(cat "$T/err")"

# ---- the sessions the runs left on the peer (established sshd sockets in
# the target's namespace; polled, bounded, as a session ends asynchronously) ----
peer_sessions() {
	ip netns exec "$TOPO_NS_TARGET" ss -Htnp state established '( sport = :22 )' | grep -c sshd
}
for ((w = 0; w < 40; w++)); do
	left=$(peer_sessions)
	[ "$left" -eq 0 ] && break
	sleep 0.05
done
echo "sessions left on peer: $left (after $RUNS passtore and $RUNS script transfers)"

# ---- the figures ----
python3 - "$T/log.json" "$first_id" "$T/seed.txt" "$RUNS" <<'PY' || die "figures"
import json, math, sys
log, first, seedf, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
win = sorted((w for w in json.load(open(log)) if w["id"] > first), key=lambda w: w["id"])
bad = [w for w in win if w.get("outcome") != "ok"]
if len(win) != 2 * runs or bad:
    sys.exit("expected %d ok windows, got %d (%d not ok)" % (2 * runs, len(win), len(bad)))
# the runs alternate: iptables, nftables, iptables, ...
backends = {"iptables": win[0::2], "nftables": win[1::2]}
pts = {b: {k: [float(w[k]) for w in ws] for k in ("exposure_ms", "link_ms", "ssh_ms")}
       for b, ws in backends.items()}
rows = [list(map(int, l.split())) for l in open(seedf) if l.strip()]
sd = {k: [r[j] / 1e6 for r in rows] for j, k in enumerate(("exposure_ms", "link_ms", "ssh_ms"))}

def median(v):
    v = sorted(v); n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2

def p90(v):  # nearest rank
    v = sorted(v)
    return v[max(0, math.ceil(0.9 * len(v)) - 1)]

def stats(v):
    return "median %7.1f  min %7.1f  p90 %7.1f  max %7.1f" % (median(v), min(v), p90(v), max(v))

names = {"exposure_ms": "exposure", "link_ms": "link up", "ssh_ms": "SSH"}
who = (("passtore/iptables", pts["iptables"]), ("passtore/nftables", pts["nftables"]),
       ("seed script", sd))
print("%-8s  %-17s  %s   (ms, n=%d each)" % ("figure", "who", "", runs))
for k in ("exposure_ms", "link_ms", "ssh_ms"):
    for name, d in who:
        print("%-8s  %-17s  %s" % (names[k], name, stats(d[k])))
for name, d in who:
    print("%-17s exposure per run: %s" % (name, " ".join("%.1f" % x for x in d["exposure_ms"])))
e_s = median(sd["exposure_ms"])
for b in ("iptables", "nftables"):
    e_p = median(pts[b]["exposure_ms"])
    ratio = e_s / e_p if e_p > 0 else float("inf")
    verdict = "met" if e_p <= 60 and ratio >= 5 else "NOT met"
    print("exposure median, %s: passtore %.1f ms, script %.1f ms, ratio %.1fx "
          "(target: passtore <= 60 ms and >= 5x narrower: %s)" % (b, e_p, e_s, ratio, verdict))
for k, what in (("link_ms", "link up median"), ("ssh_ms", "SSH median")):
    b_ = median(sd[k])
    for b in ("iptables", "nftables"):
        a = median(pts[b][k])
        print("%s, %s: passtore %.1f ms, script %.1f ms, ratio %.1fx"
              % (what, b, a, b_, b_ / a if a > 0 else float("inf")))
PY
exit 0
