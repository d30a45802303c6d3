# share-typo.sh - sourced by the tests of recovery shares: a typo that the
# line check is sure to catch.  The check is 10 bits of SHA-256 over the
# line's number and its 20 characters (escrow.c), so one substitution in
# 1024 slips past it; a test that made a random typo would then flake.

SHARE_B32=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567

# share_check LINENO DATA20: the two check characters, as escrow.c makes them.
share_check() {
	local h
	h=$(printf "\\x$(printf %02x "$1")%s" "$2" | sha256sum | cut -c1-4)
	h=$((16#$h))
	echo "${SHARE_B32:$((h >> 11)):1}${SHARE_B32:$(((h >> 6) & 31)):1}"
}

# share_typo LINENO "AAAAA BBBBB CCCCC DDDDD  CK": the line with its first
# character replaced by another that the line check catches.
share_typo() {
	local data=${2:0:23} ck=${2: -2} c d=
	data=${data// /}
	for ((c = 0; c < 32; c++)); do
		d=${SHARE_B32:c:1}${data:1}
		[ "${SHARE_B32:c:1}" != "${data:0:1}" ] && [ "$(share_check "$1" "$d")" != "$ck" ] && break
	done
	echo "${d:0:5} ${d:5:5} ${d:10:5} ${d:15:5}  $ck"
}
