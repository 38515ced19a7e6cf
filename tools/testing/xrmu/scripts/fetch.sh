#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the sources the harness builds, into the cache (never into git):
#  - Linux 7.3: Debian's linux-source-7.3 package from trixie-backports
#    (apt source added by deps.sh, pinned so nothing installs from it),
#    fetched with `apt-get download` (apt checks the archive signature and
#    the package hash) and unpacked with `dpkg-deb -x`; only its tarball
#    usr/src/linux-source-7.3.tar.xz is kept, next to a .version file with
#    the package version, which keys the kernel cache.  The tarball's own
#    Makefile must say 7.3.
#  - QEMU 10.0.2: upstream tarball qemu_10.0.2+ds.orig.tar.xz, fetched with
#    `apt-get source --download-only qemu` from bookworm-backports deb-src
#    (configured by deps.sh) into a scratch dir under the cache.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
xlock "fetch"

fetch_linux() {
	local scratch deb ver mk
	if [ -f "$LINUX_TARBALL" ] && [ -f "$LINUX_TARBALL.version" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$LINUX_TARBALL")"
	scratch=$(mktemp -d "$(dirname "$LINUX_TARBALL")/.fetch.XXXXXX")
	chmod 755 "$scratch" # apt's download user writes here
	xmsg "fetching $LINUX_PKG ($LINUX_SUITE, apt-get download)"
	if ! (cd "$scratch" && apt-get download "$LINUX_PKG/$LINUX_SUITE") \
		>"$XLOG/fetch-linux.log" 2>&1; then
		xtail "$XLOG/fetch-linux.log"
		rm -rf "$scratch"
		xdie "apt-get download $LINUX_PKG/$LINUX_SUITE failed (run deps.sh?)"
	fi
	deb=$(find "$scratch" -maxdepth 1 -name "${LINUX_PKG}_*_all.deb" | head -n1)
	[ -n "$deb" ] || xdie "apt-get download left no ${LINUX_PKG}_*.deb"
	ver=$(dpkg-deb -f "$deb" Version)
	case $ver in
	"$LINUX_SERIES".*) ;;
	*) xdie "$LINUX_PKG has version '$ver', want $LINUX_SERIES.x" ;;
	esac
	dpkg-deb -x "$deb" "$scratch/x"
	f=$scratch/x/usr/src/$LINUX_PKG.tar.xz
	[ -f "$f" ] || xdie "$deb holds no usr/src/$LINUX_PKG.tar.xz"
	mk=$(tar --occurrence=1 -xOf "$f" "$LINUX_PKG/Makefile" |
		awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 }
		     END { print v "." p }') || true
	[ "$mk" = "$LINUX_SERIES" ] || xdie "$f: Makefile says Linux '$mk', want $LINUX_SERIES"
	mv -f "$f" "$LINUX_TARBALL"
	echo "$ver" >"$LINUX_TARBALL.version"
	rm -rf "$scratch"
	xmsg "Linux source $ver: $LINUX_TARBALL"
}
fetch_linux

if [ -f "$QEMU_TARBALL" ] && xz -t "$QEMU_TARBALL" 2>/dev/null &&
	[ -f "$QEMU_TARBALL.ok" ]; then
	exit 0
fi
mkdir -p "$XC/src/qemu"
scratch=$(mktemp -d "$XC/src/qemu/.fetch.XXXXXX")
xmsg "fetching QEMU $QEMU_VERSION source (apt-get source, bookworm-backports)"
# The .dsc of a backport may 404 while the orig tarball arrives: only the
# tarball matters, so judge success by the tarball, not the exit status.
(cd "$scratch" && apt-get source --download-only qemu/bookworm-backports \
	>"$XLOG/fetch-qemu.log" 2>&1) || true
f=$scratch/$(basename "$QEMU_TARBALL")
if [ ! -f "$f" ]; then
	xtail "$XLOG/fetch-qemu.log"
	ls -l "$scratch" >&2
	xdie "apt-get source did not deliver $(basename "$QEMU_TARBALL")"
fi
xz -t "$f" || xdie "corrupt $f"
ver=$(tar -xOf "$f" "qemu-$QEMU_VERSION/VERSION" 2>/dev/null || true)
[ "$ver" = "$QEMU_VERSION" ] || xdie "QEMU tarball VERSION is '$ver', want $QEMU_VERSION"
mv -f "$f" "$QEMU_TARBALL"
touch "$QEMU_TARBALL.ok"
rm -rf "$scratch"
xmsg "QEMU $ver source: $QEMU_TARBALL"
