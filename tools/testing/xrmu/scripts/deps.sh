#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the harness's build and run dependencies on Debian 12 (bookworm).
#
# The machine's apt configuration has `deb` for bookworm (+updates,
# +security).  We add only what is missing: deb-src for bookworm, deb +
# deb-src for bookworm-backports (meson >= 1.5, python3-pycotap,
# qemu-system-data, QEMU 10.0.2 source) and deb for trixie-backports, pinned
# to priority 1 so that apt never installs or upgrades anything from it: the
# harness only `apt-get download`s the linux-source-7.3 package from there
# (fetch.sh; it is a tarball with no trixie-only dependencies).  The mirror
# URI is read at run time from the existing apt configuration and never
# stored in the repo.
#
# The stamp is keyed by this script's content, so adding a package below
# re-runs it.
set -euo pipefail

# Package list, by user:
#  kernel build:   build-essential flex bison bc libelf-dev libssl-dev dwarves
#                  kmod xz-utils (Linux 7.3 source: fetch.sh)
#  kernel lint:    sparse (C=2), python3 (kernel-doc wrapper), perl (checkpatch)
#  QEMU build:     ninja-build pkg-config libglib2.0-dev libpixman-1-dev
#                  libslirp-dev libfdt-dev python3-venv (+ meson from bpo)
#  QEMU runtime firmware: seabios (+ qemu-system-data from bpo)
#  initramfs/VMs:  busybox-static cpio; acpica-tools (iasl: the SSDT of
#                  run-vm --iommu xrmu-sys)
#  VFIO selftests: uuid-dev (libuuid.a: they link statically)
#  KUnit:          python3 (kunit.py)
#  qtests:         python3-pycotap (bpo)
#  docs (spec):    python3-sphinx python3-sphinx-rtd-theme python3-yaml
#                  graphviz fonts-dejavu-core
#  make bench:     python3-matplotlib (the plot of bench/report.py)
#  misc tools:     git rsync zstd file
PKGS="build-essential flex bison bc libelf-dev libssl-dev dwarves kmod
 xz-utils sparse python3 perl
 ninja-build pkg-config libglib2.0-dev libpixman-1-dev libslirp-dev libfdt-dev
 python3-venv seabios busybox-static cpio acpica-tools fio uuid-dev
 python3-sphinx python3-sphinx-rtd-theme python3-yaml graphviz fonts-dejavu-core
 python3-matplotlib git rsync zstd file"
BPO_PKGS="meson python3-pycotap qemu-system-data"

XC=${XRMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xrmu}
KEY=$(sha256sum <"$0" | cut -c1-16)
STAMP=$XC/deps.stamp
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
	exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# Find the URI the existing configuration uses for the main archive.
uri=
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	case $f in */xrmu-harness.sources) continue ;; esac
	uri=$(awk '
		/^[ \t]*$/ { if (deb && main) { print u; exit } ; deb = main = 0; u = "" }
		/^Types:/ && / deb( |$)/ { deb = 1 }
		/^Suites:/ && / bookworm( |$)/ { main = 1 }
		/^URIs:/ { u = $2 }
		END { if (deb && main) print u }' "$f" | head -n1)
	[ -z "$uri" ] || break
done
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
	uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
		/etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "deps: no bookworm mirror URI in the apt configuration" >&2; exit 1; }

list=/etc/apt/sources.list.d/xrmu-harness.sources
want="# Added by the xrmu harness (tools/testing/xrmu/scripts/deps.sh).
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $uri
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
pin=/etc/apt/preferences.d/xrmu-harness
wantpin="# Added by the xrmu harness: trixie-backports is only used for
# \`apt-get download linux-source-7.3\`; never install from it.
Package: *
Pin: release n=trixie-backports
Pin-Priority: 1"
if [ ! -f "$pin" ] || [ "$(cat "$pin")" != "$wantpin" ]; then
	echo "$wantpin" | $SUDO tee "$pin" >/dev/null
fi
if [ ! -f "$list" ] || [ "$(cat "$list")" != "$want" ]; then
	echo "$want" | $SUDO tee "$list" >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
echo "[xrmu] deps: apt-get update + install (log: $XC/logs/deps.log)"
mkdir -p "$XC/logs"
{
	$SUDO apt-get -o DPkg::Lock::Timeout=900 update
	# shellcheck disable=SC2086
	$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $PKGS
	# shellcheck disable=SC2086
	$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends -t bookworm-backports $BPO_PKGS
} >"$XC/logs/deps.log" 2>&1 || {
	tail -n 30 "$XC/logs/deps.log" >&2
	exit 1
}
echo "$KEY" >"$STAMP.tmp" && mv -f "$STAMP.tmp" "$STAMP"
