#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the base initramfs for a kernel config: build-initramfs.sh [test|bench]
# Needs build-kernel.sh <cfg> first.  Contents:
#   /init                      guest/init
#   /bin/busybox + applets     Debian busybox-static
#   /xrmu/lib/                 guest/lib/* (tap.sh ...) and the kernel's
#                              kselftest/ktap_helpers.sh (under tap.sh)
#   /xrmu/bin/<prog>           guest/progs/<prog>.c, gcc -static (libc only;
#                              uapi headers from the kernel's headers_install)
#   /xrmu/demo.sh              demo.sh (what `make run` runs)
#   /xrmu/vfio-selftests/      the kernel's VFIO selftests, static
#                              (build-vfio-selftests.sh), and their list
#   /lib/modules/<rel>/        the kernel's modules (xrmu.ko ...) and, under
#                              extra/, guest/modules/<name>/ built with M=
# Output: $XC/initramfs/<cfg>.cpio (uncompressed newc); run-vm appends a
# per-run cpio (the test script and --file files).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CFG=${1:-test}
B=$XC/linux/build-$CFG
[ -f "$B.stamp" ] || xdie "kernel $CFG not built"
out=$XC/initramfs/$CFG.cpio
mkdir -p "$XC/initramfs"
xlock "initramfs-$CFG"
key=$(hash_str "$(cat "$B.stamp")" "$(hash_paths "$XRMU_H/guest" "$XRMU_H/demo.sh" \
	/bin/busybox "$XRMU_H/scripts/build-initramfs.sh" \
	"$XRMU_H/scripts/build-vfio-selftests.sh")")
if stamp_ok "$out.stamp" "$key" && [ -f "$out" ]; then
	exit 0
fi
rm -f "$out.stamp"
log=$XLOG/initramfs-$CFG.log
: >"$log"
rel=$(cat "$B/xrmu-kernelrelease")
st=$(mktemp -d "$XC/tmp/initramfs.XXXXXX")
trap 'rm -rf "$st"' EXIT
r=$st/root
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,mnt,etc,xrmu/bin,xrmu/lib,xrmu/files}

cp /bin/busybox "$r/bin/busybox"
for a in $(/bin/busybox --list-full); do
	[ "$a" = bin/busybox ] && continue
	[ -e "$r/$a" ] || ln -s /bin/busybox "$r/$a"
done
cp "$XRMU_H/guest/init" "$r/init"
chmod 755 "$r/init"
cp -R "$XRMU_H/guest/lib/." "$r/xrmu/lib/"
# The kernel's KTAP helpers, under guest/lib/tap.sh.
ktap=$LINUX_TREE/tools/testing/selftests/kselftest/ktap_helpers.sh
[ -f "$ktap" ] || xdie "no $ktap in the kernel tree"
cp "$ktap" "$r/xrmu/lib/"
[ ! -f "$XRMU_H/demo.sh" ] || cp "$XRMU_H/demo.sh" "$r/xrmu/demo.sh"

# Guest programs.
for c in "$XRMU_H"/guest/progs/*.c; do
	[ -f "$c" ] || continue
	n=$(basename "$c" .c)
	xmsg "initramfs ($CFG): guest prog $n"
	gcc -static -O2 -g0 -Wall -Wextra -Werror -I "$B/usr/include" \
		-I "$XRMU_H/guest/progs" -o "$r/xrmu/bin/$n" "$c" -lpthread \
		>>"$log" 2>&1 || { xtail "$log"; xdie "guest prog $n does not build"; }
done

# The kernel's VFIO selftests, built from this kernel's tree.
"$XRMU_H/scripts/build-vfio-selftests.sh" "$CFG" >>"$log" 2>&1 ||
	{ xtail "$log"; xdie "VFIO selftests do not build"; }
mkdir -p "$r/xrmu/vfio-selftests"
cp "$XC/vfio-selftests/$CFG/bin/"* "$XC/vfio-selftests/$CFG/tests" "$r/xrmu/vfio-selftests/"

# Kernel modules.
make -C "$LINUX_TREE" O="$B" -s INSTALL_MOD_PATH="$r" INSTALL_MOD_STRIP=1 \
	modules_install >>"$log" 2>&1 || { xtail "$log"; xdie "modules_install failed"; }
# Headers shared by the guest modules (their Makefiles add -I$(src)/../include).
rm -rf "$XC/guest-modules/$CFG/include"
mkdir -p "$XC/guest-modules/$CFG"
cp -R "$XRMU_H/guest/modules/include" "$XC/guest-modules/$CFG/include"
for d in "$XRMU_H"/guest/modules/*/; do
	[ -f "$d/Makefile" ] || [ -f "$d/Kbuild" ] || continue
	n=$(basename "$d")
	xmsg "initramfs ($CFG): guest module $n"
	mb=$XC/guest-modules/$CFG/$n
	rm -rf "$mb"
	mkdir -p "$mb"
	cp -R "$d/." "$mb/"
	{
		make -C "$B" M="$mb" -j"$JOBS" modules &&
		make -C "$B" M="$mb" INSTALL_MOD_PATH="$r" INSTALL_MOD_STRIP=1 \
			INSTALL_MOD_DIR=extra modules_install
	} >>"$log" 2>&1 || { xtail "$log"; xdie "guest module $n does not build"; }
done
rm -f "$r/lib/modules/$rel/build" "$r/lib/modules/$rel/source"
depmod -b "$r" "$rel" >>"$log" 2>&1

# Build the archive with the kernel's gen_init_cpio (device nodes without
# root privileges).
list=$st/list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	(cd "$r" && find . -mindepth 1 | LC_ALL=C sort) | while IFS= read -r p; do
		p=${p#.}
		f=$r$p
		m=$(stat -c %a "$f")
		if [ -L "$f" ]; then
			echo "slink $p $(readlink "$f") 0777 0 0"
		elif [ -d "$f" ]; then
			[ "$p" = /dev ] || echo "dir $p $m 0 0"
		elif [ -f "$f" ]; then
			echo "file $p $f $m 0 0"
		fi
	done
} >"$list"
"$B/usr/gen_init_cpio" "$list" >"$out.tmp" 2>>"$log" ||
	{ xtail "$log"; xdie "gen_init_cpio failed"; }
mv -f "$out.tmp" "$out"
stamp_set "$out.stamp" "$key"
xmsg "initramfs ($CFG): $out ($(du -h "$out" | cut -f1))"
