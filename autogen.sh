#!/bin/sh
# autogen.sh - bootstrap the build system.
#
#   ./autogen.sh                 generate configure
#   ./autogen.sh --install-deps  install the Debian packages passtore needs
#                                (as root, or through sudo), then generate
#                                configure, build, and open the demo store
set -eu
cd "$(dirname "$0")"

DEPS="build-essential autoconf automake autopoint autoconf-archive pkg-config gettext
      libsqlcipher-dev sqlcipher sqlite3 libgnutls28-dev gnutls-bin libssh-dev
      libncurses-dev libiptc-dev libip4tc-dev libip6tc-dev libmnl-dev libargon2-dev libjansson-dev
      libtasn1-6-dev libtasn1-bin check
      openssl tmux iproute2 iptables openssh-server openssh-client locales jq
      libnftables-dev nftables libgfshare-dev libseccomp-dev libcap-ng-dev
      clang-format"

install_deps() {
	missing=""
	for p in $DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	if [ -n "$missing" ]; then
		echo "passtore: installing$missing"
		$SUDO apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
	fi
	# the Italian catalogue is tested at run time (tests/e2e/i18n.test):
	# it needs the locale itself, which the locales package only describes
	if ! locale -a 2>/dev/null | grep -qix 'it_IT\.utf-\?8'; then
		echo "passtore: generating the it_IT.UTF-8 locale"
		$SUDO localedef -i it_IT -f UTF-8 it_IT.UTF-8
	fi
}

case "${1:-}" in
--install-deps)
	install_deps
	autoreconf -fi
	./configure --enable-werror
	make -j"$(nproc)"
	# the console on a throwaway demo store (its passphrase, "demo", is on screen)
	exec ./passtore --demo
	;;
--deps-only)
	install_deps
	;;
"")
	autoreconf -fi
	;;
*)
	echo "usage: $0 [--install-deps | --deps-only]" >&2
	exit 2
	;;
esac
