#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel's own VFIO selftests: build-vfio-selftests.sh [test|bench]
#
# Source: tools/testing/selftests/vfio of the kernel working tree the
# harness unpacked (build-kernel.sh), so nothing of them is in the repo.
# They are built with the selftests' own Makefile (lib.mk, lib/libvfio.mk),
# out of tree (OUTPUT= in the cache: the kernel tree is only read), against
# the uapi headers of that kernel config's headers_install
# ($XC/linux/build-<cfg>/usr/include), statically (-static; libuuid.a
# from uuid-dev), so that the busybox initramfs can run them.
# Output: $XC/vfio-selftests/<cfg>/bin/<test> (stripped), the list of tests
# in $XC/vfio-selftests/<cfg>/tests; build-initramfs.sh copies them to the
# guest's /xrmu/vfio-selftests/.  Rebuilt when the kernel build (its stamp:
# source version, patches, config) or this script changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CFG=${1:-test}
B=$XC/linux/build-$CFG
[ -f "$B.stamp" ] || xdie "kernel $CFG not built (build-kernel.sh $CFG)"
SRC=$LINUX_TREE/tools/testing/selftests/vfio
[ -f "$SRC/Makefile" ] || xdie "no $SRC/Makefile in the kernel tree"
[ -f "$B/usr/include/linux/vfio.h" ] || xdie "no headers_install output in $B/usr/include"
out=$XC/vfio-selftests/$CFG
mkdir -p "$XC/vfio-selftests"
xlock "vfio-selftests-$CFG"
key=$(hash_str "$(cat "$B.stamp")" "$(hash_paths "$XRMU_H/scripts/build-vfio-selftests.sh")" \
	"$(gcc -dumpfullversion)")
if stamp_ok "$out.stamp" "$key" && [ -f "$out/tests" ]; then
	exit 0
fi
rm -f "$out.stamp"
log=$XLOG/vfio-selftests-$CFG.log
: >"$log"
st=$(mktemp -d "$XC/vfio-selftests/.build.XXXXXX")
trap 'rm -rf "$st"' EXIT

# The list of programs from the Makefile itself (TEST_GEN_PROGS).
mapfile -t progs < <(sed -n 's/^TEST_GEN_PROGS *+= *\([A-Za-z0-9_]*\).*/\1/p' "$SRC/Makefile")
[ ${#progs[@]} -gt 0 ] || xdie "no TEST_GEN_PROGS in $SRC/Makefile"
xmsg "vfio selftests ($CFG): ${progs[*]}"
# LDFLAGS on the command line replaces the Makefile's "LDFLAGS += -pthread",
# so -pthread is repeated here.
make -C "$SRC" -j"$JOBS" OUTPUT="$st/obj" \
	KHDR_INCLUDES="-isystem $B/usr/include" \
	LDFLAGS="-static -pthread" >>"$log" 2>&1 ||
	{ xtail "$log"; xdie "vfio selftests do not build (log: $log)"; }
mkdir -p "$st/out/bin"
for p in "${progs[@]}"; do
	[ -x "$st/obj/$p" ] || xdie "vfio selftest $p was not built (log: $log)"
	file "$st/obj/$p" | grep -q 'statically linked' ||
		xdie "vfio selftest $p is not statically linked"
	strip -o "$st/out/bin/$p" "$st/obj/$p"
	echo "$p" >>"$st/out/tests"
done
rm -rf "$out"
mv "$st/out" "$out"
stamp_set "$out.stamp" "$key"
xmsg "vfio selftests ($CFG): ${#progs[@]} programs in $out/bin"
