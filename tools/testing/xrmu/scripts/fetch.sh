#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the sources the harness builds, into the cache (never into git):
#  - Linux 6.12: Debian's linux-source-6.12 package (installed by deps.sh)
#    provides /usr/src/linux-source-6.12.tar.xz.
#  - QEMU 10.0.2: upstream tarball qemu_10.0.2+ds.orig.tar.xz, fetched with
#    `apt-get source --download-only qemu` from bookworm-backports deb-src
#    (configured by deps.sh) into a scratch dir under the cache.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -f "$LINUX_TARBALL" ] || xdie "$LINUX_TARBALL missing (is $LINUX_PKG installed? run deps.sh)"

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
