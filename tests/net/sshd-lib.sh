# sshd-lib.sh - run a real OpenSSH sshd inside a network namespace.  Source it.
#
# Each instance has a name and a private directory.  Its sshd runs in the given
# network namespace and in a mount namespace of its own, where /run and
# /etc/grid-security are fresh tmpfs and /etc/passwd, /etc/shadow, /etc/group
# are bind-mounted copies that add a throwaway account and set a root password.
# Nothing of the machine's own files or accounts changes.  When the machine has
# no /etc/grid-security, /etc is overlaid (upper layer in the instance
# directory) inside that mount namespace only, so that the directory exists
# there.
#
#   sshd_start NAME NS ADDR [PORT]   start; sets SSHD_PID and SSHD_FP (the host
#                                    key's "SHA256:..." as ssh-keygen -lf prints it)
#                                    and prints "PID FP"; returns 1 on failure
#   sshd_swap_hostkey NAME           new host key through SIGHUP (same pid, the
#                                    served files stay); sets SSHD_FP
#   sshd_stop NAME                   stop sshd and its session processes
#   sshd_stop_all                    stop every instance and remove their files
#   sshd_pid NAME / sshd_fp NAME     read back
#   sshd_children NAME               pids of sshd's descendants (sessions)
#   sshd_log NAME                    path of its log (LogLevel DEBUG1)
#   sshd_exec NAME CMD...            run CMD in its mount namespace
#   sshd_cat NAME PATH               file content as the sshd sees it
#   sshd_stat NAME PATH              "MODE USER:GROUP" as the sshd sees it
#   sshd_authorize NAME USER PUBFILE allow a public key for USER
#
# Settings (environment, before sourcing or before sshd_start):
#   SSHD_USER (default pttest), SSHD_UID/SSHD_GID (default 47001),
#   SSHD_PASSWORD (default: a random one, readable as $SSHD_PASSWORD after
#   sourcing; it is also root's password inside the instance).

# shellcheck source=tests/file-assert.sh
. "$(dirname "${BASH_SOURCE[0]}")/../file-assert.sh"

: "${SSHD_USER:=pttest}"
: "${SSHD_UID:=47001}"
: "${SSHD_GID:=47001}"
: "${SSHD_PASSWORD:=pt-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')}"
: "${SSHD_BIN:=/usr/sbin/sshd}"
SSHD_LIB_ROOT=${SSHD_LIB_ROOT:-}
SSHD_PID=
SSHD_FP=

# Not in a subshell: it sets SSHD_LIB_ROOT for the calling shell.
_sshd_root_init() {
	if [ -z "$SSHD_LIB_ROOT" ]; then
		SSHD_LIB_ROOT=$(mktemp -d /tmp/sshd-lib.XXXXXX) || return 1
		chmod 755 "$SSHD_LIB_ROOT"
	fi
}

_sshd_dir() {
	[ -n "$SSHD_LIB_ROOT" ] || return 1
	printf '%s/%s\n' "$SSHD_LIB_ROOT" "$1"
}

sshd_pid() { local d; d=$(_sshd_dir "$1") && cat "$d/pid" 2>/dev/null; }
sshd_fp() { local d; d=$(_sshd_dir "$1") && cat "$d/fp" 2>/dev/null; }
sshd_log() { printf '%s/sshd.log\n' "$(_sshd_dir "$1")"; }

# Accounts: copies of the machine's files plus the throwaway user and a root
# password, for bind mounts inside the instance only.
_sshd_accounts() {
	local d=$1 hash
	hash=$(printf '%s' "$SSHD_PASSWORD" | openssl passwd -6 -stdin) || return 1
	mkdir -p "$d/home/$SSHD_USER"
	chown "$SSHD_UID:$SSHD_GID" "$d/home/$SSHD_USER"
	chmod 755 "$d/home"
	grep -v "^$SSHD_USER:" /etc/passwd >"$d/passwd"
	printf '%s:x:%s:%s::%s:/bin/sh\n' "$SSHD_USER" "$SSHD_UID" "$SSHD_GID" \
		"$d/home/$SSHD_USER" >>"$d/passwd"
	grep -v "^$SSHD_USER:" /etc/group >"$d/group"
	printf '%s:x:%s:\n' "$SSHD_USER" "$SSHD_GID" >>"$d/group"
	grep -v "^$SSHD_USER:" /etc/shadow |
		awk -F: -v OFS=: -v h="$hash" '$1 == "root" { $2 = h } { print }' >"$d/shadow"
	printf '%s:%s:19000:0:99999:7:::\n' "$SSHD_USER" "$hash" >>"$d/shadow"
	chmod 644 "$d/passwd" "$d/group"
	chmod 600 "$d/shadow"
}

_sshd_config() {
	local d=$1 addr=$2 port=$3
	mkdir -p "$d/authorized_keys"
	cat >"$d/sshd_config" <<-EOF
	Port $port
	ListenAddress $addr
	AddressFamily inet
	HostKey $d/hostkey
	PidFile $d/sshd.pid
	PasswordAuthentication yes
	KbdInteractiveAuthentication no
	PubkeyAuthentication yes
	AuthorizedKeysFile $d/authorized_keys/%u
	StrictModes no
	PermitRootLogin yes
	UsePAM no
	UseDNS no
	PrintMotd no
	LogLevel DEBUG1
	MaxAuthTries 3
	LoginGraceTime 30
	Subsystem sftp internal-sftp
	EOF
}

_sshd_inner() {
	local d=$1
	cat >"$d/inner.sh" <<-EOF
	set -e
	mount -t tmpfs -o mode=755 sshd-run /run
	mkdir -m 755 /run/sshd
	if [ -d /etc/grid-security ]; then
		mount -t tmpfs -o mode=755 sshd-grid /etc/grid-security
	else
		mkdir -p "$d/etc.up" "$d/etc.work" "$d/etc.copy"
		if ! mount -t overlay sshd-etc \
			-o "lowerdir=/etc,upperdir=$d/etc.up,workdir=$d/etc.work" /etc; then
			# no overlay here (e.g. /tmp itself on overlayfs): a copy on tmpfs
			mount -t tmpfs -o mode=755 sshd-etc "$d/etc.copy"
			cp -a /etc/. "$d/etc.copy/"
			mount --bind "$d/etc.copy" /etc
		fi
		mkdir -p -m 755 /etc/grid-security
		mount -t tmpfs -o mode=755 sshd-grid /etc/grid-security
	fi
	mount --bind "$d/passwd" /etc/passwd
	mount --bind "$d/group" /etc/group
	mount --bind "$d/shadow" /etc/shadow
	exec "$SSHD_BIN" -D -f "$d/sshd_config" -E "$d/sshd.log"
	EOF
}

# Poll until ADDR:PORT listens in NS: at most 100 x 50 ms.
_sshd_wait_port() {
	local ns=$1 addr=$2 port=$3 pid=$4 i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		if ip netns exec "$ns" ss -Hltn "src $addr:$port" 2>/dev/null | grep -q LISTEN; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

_sshd_launch() {
	local d=$1 ns addr port pid
	read -r ns addr port <"$d/where"
	: >>"$d/sshd.log"
	ip netns exec "$ns" unshare --mount --propagation private \
		bash "$d/inner.sh" </dev/null >>"$d/stdout.log" 2>&1 &
	pid=$!
	if ! _sshd_wait_port "$ns" "$addr" "$port" "$pid"; then
		echo "sshd-lib: sshd in $ns did not listen on $addr:$port; its log:" >&2
		tail -n 20 "$d/stdout.log" "$d/sshd.log" >&2
		kill -KILL "$pid" 2>/dev/null
		return 1
	fi
	SSHD_PID=$pid
	SSHD_FP=$(ssh-keygen -lf "$d/hostkey.pub" | awk '{ print $2 }')
	echo "$SSHD_PID" >"$d/pid"
	echo "$SSHD_FP" >"$d/fp"
	printf '%s %s\n' "$SSHD_PID" "$SSHD_FP"
}

sshd_start() {
	local name=$1 ns=$2 addr=$3 port=${4:-22} d
	_sshd_root_init || return 1
	d=$(_sshd_dir "$name") || return 1
	mkdir -p "$d" && chmod 755 "$d"
	printf '%s %s %s\n' "$ns" "$addr" "$port" >"$d/where"
	rm -f "$d/hostkey" "$d/hostkey.pub"
	ssh-keygen -q -t ed25519 -N '' -C "sshd-lib-$name" -f "$d/hostkey" || return 1
	_sshd_accounts "$d" || return 1
	_sshd_config "$d" "$addr" "$port"
	_sshd_inner "$d"
	_sshd_launch "$d"
}

# SIGHUP makes sshd re-exec itself with the same pid and mount namespace, so
# the files it serves (tmpfs) survive; it loads the new key at start.
sshd_swap_hostkey() {
	local name=$1 d pid before i ns addr port
	d=$(_sshd_dir "$name") || return 1
	pid=$(sshd_pid "$name")
	[ -n "$pid" ] || return 1
	read -r ns addr port <"$d/where"
	rm -f "$d/hostkey" "$d/hostkey.pub"
	ssh-keygen -q -t ed25519 -N '' -C "sshd-lib-$name-$RANDOM" -f "$d/hostkey" || return 1
	before=$(grep -c 'Server listening on' "$d/sshd.log")
	kill -HUP "$pid" || return 1
	for ((i = 0; i < 100; i++)); do
		if [ "$(grep -c 'Server listening on' "$d/sshd.log")" -gt "$before" ] &&
			_sshd_wait_port "$ns" "$addr" "$port" "$pid"; then
			SSHD_PID=$pid
			SSHD_FP=$(ssh-keygen -lf "$d/hostkey.pub" | awk '{ print $2 }')
			echo "$SSHD_FP" >"$d/fp"
			printf '%s %s\n' "$SSHD_PID" "$SSHD_FP"
			return 0
		fi
		sleep 0.05
	done
	echo "sshd-lib: sshd $name did not come back after SIGHUP" >&2
	return 1
}

# One pass over /proc builds parent -> children (no process started per
# entry: on a loaded machine that pass used to take seconds), then a walk
# down from sshd.
sshd_children() {
	local pid=$1 p stat rest ppid q todo next
	local -A kids=()
	[[ $pid =~ ^[0-9]+$ ]] || pid=$(sshd_pid "$1")
	[ -n "$pid" ] || return 0
	for p in /proc/[0-9]*; do
		read -r stat 2>/dev/null <"$p/stat" || continue
		rest=${stat##*) }   # "STATE PPID ...": the name may hold spaces
		ppid=${rest#* }
		ppid=${ppid%% *}
		kids[$ppid]+=" ${p#/proc/}"
	done
	todo=$pid
	while [ -n "$todo" ]; do
		next=
		for q in $todo; do
			for p in ${kids[$q]:-}; do
				echo "$p"
				next="$next $p"
			done
		done
		todo=$next
	done
}

sshd_stop() {
	local name=$1 pid kids i
	pid=$(sshd_pid "$name")
	[ -n "$pid" ] || return 0
	kids=$(sshd_children "$pid")
	kill -TERM "$pid" 2>/dev/null
	for k in $kids; do kill -KILL "$k" 2>/dev/null; done
	for ((i = 0; i < 40; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$(_sshd_dir "$name")/pid"
	return 0
}

sshd_stop_all() {
	local d
	[ -n "$SSHD_LIB_ROOT" ] && [ -d "$SSHD_LIB_ROOT" ] || return 0
	for d in "$SSHD_LIB_ROOT"/*/; do
		[ -f "$d/where" ] && sshd_stop "$(basename "$d")"
	done
	rm -rf "$SSHD_LIB_ROOT"
	SSHD_LIB_ROOT=
}

sshd_exec() {
	local name=$1 pid
	shift
	pid=$(sshd_pid "$name")
	[ -n "$pid" ] || return 1
	nsenter -t "$pid" -m -- "$@"
}

sshd_cat() { sshd_exec "$1" cat -- "$2"; }
sshd_stat() { sshd_exec "$1" stat -c '%a %U:%G' -- "$2"; }

sshd_authorize() {
	local name=$1 user=$2 pub=$3 d
	d=$(_sshd_dir "$name")
	mkdir -p "$d/authorized_keys"
	cat "$pub" >>"$d/authorized_keys/$user"
	chmod 644 "$d/authorized_keys/$user"
}
