# shellcheck shell=bash disable=SC2034
# topology.sh - a throwaway test network in network namespaces (source it).
#
#   station --veth-- gw --veth-- target
#                     \--veth-- operator
#
# station: its link DOWN, IPv6 disabled on it, iptables-legacy policies DROP
#          on INPUT/OUTPUT/FORWARD, loopback up.  With TOPO_FIREWALL=nftables
#          instead: no legacy rule, passtore's boot table loaded with nft -f
#          from the file TOPO_NFT_BOOT (passtore firewall boot-config).
# gw:      the station's neighbour: ip_forward=1, MASQUERADE towards target
#          and operator (they have no route back to the station's network).
# target, operator: one host each behind gw (sshd servers are started there
#          by another script).
#
# Every name carries a per-run prefix (default "pt$$"), so that runs can
# overlap; the 10.231.x.0/24 addresses exist only inside these namespaces.
# Use:  . tests/net/topology.sh; trap topo_down EXIT; topo_up || exit 99
# The root namespace's links and firewall are never touched.

: "${TOPO_PREFIX:=pt$$}"
if [ "${#TOPO_PREFIX}" -gt 11 ]; then
	echo "topology.sh: TOPO_PREFIX '$TOPO_PREFIX' longer than 11 characters" >&2
	TOPO_PREFIX=pt$$
fi

# Namespaces.
TOPO_NS_STATION=${TOPO_PREFIX}st
TOPO_NS_GW=${TOPO_PREFIX}gw
TOPO_NS_TARGET=${TOPO_PREFIX}tg
TOPO_NS_OPERATOR=${TOPO_PREFIX}op
TOPO_NAMESPACES="$TOPO_NS_STATION $TOPO_NS_GW $TOPO_NS_TARGET $TOPO_NS_OPERATOR"

# Interfaces (<= 15 characters): station side and gw side of each veth.
TOPO_IF_STATION=${TOPO_PREFIX}s0
TOPO_IF_GW_STATION=${TOPO_PREFIX}g0
TOPO_IF_GW_TARGET=${TOPO_PREFIX}g1
TOPO_IF_TARGET=${TOPO_PREFIX}t0
TOPO_IF_GW_OPERATOR=${TOPO_PREFIX}g2
TOPO_IF_OPERATOR=${TOPO_PREFIX}o0

# Addresses.
TOPO_NET_STATION=10.231.1.0/24
TOPO_ADDR_STATION=10.231.1.2
TOPO_ADDR_GW=10.231.1.1             # the station's neighbour (its gateway)
TOPO_NET_TARGET=10.231.2.0/24
TOPO_ADDR_GW_TARGET=10.231.2.1
TOPO_ADDR_TARGET=10.231.2.2
TOPO_NET_OPERATOR=10.231.3.0/24
TOPO_ADDR_GW_OPERATOR=10.231.3.1
TOPO_ADDR_OPERATOR=10.231.3.2

: "${TOPO_IPTABLES:=iptables-legacy}"
: "${TOPO_FIREWALL:=iptables}"

# Run a command in one of the namespaces: topo_in station|gw|target|operator CMD...
topo_in() {
	local ns
	case $1 in
	station) ns=$TOPO_NS_STATION ;;
	gw) ns=$TOPO_NS_GW ;;
	target) ns=$TOPO_NS_TARGET ;;
	operator) ns=$TOPO_NS_OPERATOR ;;
	*) ns=$1 ;;
	esac
	shift
	ip netns exec "$ns" "$@"
}

# sysctl inside a namespace without needing the sysctl program.
topo_sysctl() {  # NS KEY(with /) VALUE
	ip netns exec "$1" sh -c "echo $3 > /proc/sys/$2"
}

# Wait (bounded: TRIES x 50 ms, default 100) until IF in NS has carrier.
topo_wait_carrier() {  # NS IF [TRIES]
	local i=0 tries=${3:-100}
	while [ "$i" -lt "$tries" ]; do
		case $(ip -n "$1" -o link show dev "$2" 2>/dev/null) in
		*LOWER_UP*) return 0 ;;
		esac
		sleep 0.05
		i=$((i + 1))
	done
	echo "topology.sh: $2 in $1 has no carrier after $tries tries" >&2
	return 1
}

# Whether this machine can run the topology at all (root, ip netns,
# iptables-legacy in a namespace).  Quiet; 0 if it can.
topo_supported() {
	local probe=${TOPO_PREFIX}ck rc=0
	[ "$(id -u)" -eq 0 ] || return 1
	command -v ip >/dev/null 2>&1 || return 1
	command -v "$TOPO_IPTABLES" >/dev/null 2>&1 || return 1
	ip netns add "$probe" >/dev/null 2>&1 || return 1
	ip netns exec "$probe" "$TOPO_IPTABLES" -w 5 -S >/dev/null 2>&1 || rc=1
	ip netns exec "$probe" "$TOPO_IPTABLES" -w 5 -t nat -S >/dev/null 2>&1 || rc=1
	ip netns del "$probe" >/dev/null 2>&1
	return $rc
}

topo_up() {
	local ns ch ifc
	topo_down
	for ns in $TOPO_NAMESPACES; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done

	# station: the link is created down and stays down; no IPv6 on it, ever.
	ip -n "$TOPO_NS_STATION" link add "$TOPO_IF_STATION" type veth \
		peer name "$TOPO_IF_GW_STATION" netns "$TOPO_NS_GW" || return 1
	topo_sysctl "$TOPO_NS_STATION" "net/ipv6/conf/$TOPO_IF_STATION/disable_ipv6" 1 || return 1
	ip -n "$TOPO_NS_STATION" addr add "$TOPO_ADDR_STATION/24" dev "$TOPO_IF_STATION" || return 1
	if [ "$TOPO_FIREWALL" = nftables ]; then
		topo_in station nft -f "${TOPO_NFT_BOOT:?the boot-config file}" || return 1
	else
		for ch in INPUT OUTPUT FORWARD; do
			topo_in station "$TOPO_IPTABLES" -w 5 -P "$ch" DROP || return 1
		done
	fi

	# gw: forwarding + masquerade towards target and operator.
	ip -n "$TOPO_NS_GW" link add "$TOPO_IF_GW_TARGET" type veth \
		peer name "$TOPO_IF_TARGET" netns "$TOPO_NS_TARGET" || return 1
	ip -n "$TOPO_NS_GW" link add "$TOPO_IF_GW_OPERATOR" type veth \
		peer name "$TOPO_IF_OPERATOR" netns "$TOPO_NS_OPERATOR" || return 1
	ip -n "$TOPO_NS_GW" addr add "$TOPO_ADDR_GW/24" dev "$TOPO_IF_GW_STATION" || return 1
	ip -n "$TOPO_NS_GW" addr add "$TOPO_ADDR_GW_TARGET/24" dev "$TOPO_IF_GW_TARGET" || return 1
	ip -n "$TOPO_NS_GW" addr add "$TOPO_ADDR_GW_OPERATOR/24" dev "$TOPO_IF_GW_OPERATOR" || return 1
	for ifc in "$TOPO_IF_GW_STATION" "$TOPO_IF_GW_TARGET" "$TOPO_IF_GW_OPERATOR"; do
		ip -n "$TOPO_NS_GW" link set "$ifc" up || return 1
	done
	topo_sysctl "$TOPO_NS_GW" net/ipv4/ip_forward 1 || return 1
	topo_in gw "$TOPO_IPTABLES" -w 5 -t nat -A POSTROUTING -o "$TOPO_IF_GW_TARGET" -j MASQUERADE || return 1
	topo_in gw "$TOPO_IPTABLES" -w 5 -t nat -A POSTROUTING -o "$TOPO_IF_GW_OPERATOR" -j MASQUERADE || return 1

	# target and operator.
	ip -n "$TOPO_NS_TARGET" addr add "$TOPO_ADDR_TARGET/24" dev "$TOPO_IF_TARGET" || return 1
	ip -n "$TOPO_NS_TARGET" link set "$TOPO_IF_TARGET" up || return 1
	ip -n "$TOPO_NS_OPERATOR" addr add "$TOPO_ADDR_OPERATOR/24" dev "$TOPO_IF_OPERATOR" || return 1
	ip -n "$TOPO_NS_OPERATOR" link set "$TOPO_IF_OPERATOR" up || return 1

	topo_wait_carrier "$TOPO_NS_TARGET" "$TOPO_IF_TARGET" || return 1
	topo_wait_carrier "$TOPO_NS_OPERATOR" "$TOPO_IF_OPERATOR" || return 1
	topo_wait_carrier "$TOPO_NS_GW" "$TOPO_IF_GW_TARGET" || return 1
	topo_wait_carrier "$TOPO_NS_GW" "$TOPO_IF_GW_OPERATOR" || return 1
	return 0
}

# Idempotent; safe from an EXIT trap.  Ends the processes still running in
# our own namespaces (only ours: the names are unique to this run), then
# deletes the namespaces, which takes their links with them.
topo_down() {
	local ns pids i
	for ns in $TOPO_NAMESPACES; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		if [ -n "$pids" ]; then
			# shellcheck disable=SC2086  # one pid per word
			kill $pids 2>/dev/null
			i=0
			while [ -n "$(ip netns pids "$ns" 2>/dev/null)" ] && [ "$i" -lt 40 ]; do
				sleep 0.05
				i=$((i + 1))
			done
			pids=$(ip netns pids "$ns" 2>/dev/null)
			# shellcheck disable=SC2086
			[ -z "$pids" ] || kill -9 $pids 2>/dev/null
		fi
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
