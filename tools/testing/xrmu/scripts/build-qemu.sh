#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build QEMU 10.0.2 with the xrmu model:
#  1. unpack the orig tarball (fetch.sh) into the cache, copy as working tree;
#  2. working tree = pristine + qemu/tree/* copied over + qemu/patches/*.patch
#     (patch -p1, name order) + the harness's edk2 fixup (the +ds tarball has
#     no edk2 blobs; their unpacking is keyed on finding bzip2 and fails);
#  3. configure once (x86_64-softmmu, Debian python, no downloads, no docs);
#  4. ninja qemu-system-x86_64 (the model's qtest is built by `check`, so a
#     broken qtest does not stop the VM tests);
#  5. link the Debian firmware (seabios, qemu-system-data) into the build's
#     qemu-bundle so the build-dir binary (qtests, kunit.py) finds it.
# Skipped when the stamp matches the hash of all inputs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$XRMU_H/scripts/fetch.sh"
xlock "qemu"
mkdir -p "$XC/qemu"
srckey="qemu $QEMU_VERSION $(stat -c %s "$QEMU_TARBALL")"
if ! stamp_ok "$QEMU_PRISTINE.stamp" "$srckey"; then
	xmsg "unpacking $QEMU_TARBALL"
	rm -f "$QEMU_TREE.stamp"
fi
unpack_once "$QEMU_TARBALL" "$QEMU_PRISTINE" "$srckey"
copy_once "$QEMU_PRISTINE" "$QEMU_TREE" "$srckey"

no_edk2() {
	sed -i 's/^\(    unpack_edk2_blobs = \)bzip2.found()$/\1false/' "$1/meson.build"
	grep -q '^    unpack_edk2_blobs = false$' "$1/meson.build" ||
		xdie "QEMU meson.build: edk2 fixup did not apply"
}
overlay_tree "$QEMU_PRISTINE" "$QEMU_TREE" "$XRMU_H/qemu/patches" no_edk2 \
	"meson.build" "$XRMU_H/qemu/tree:"

key=$(hash_str "$srckey" "$(hash_paths "$XRMU_H/qemu/tree" "$XRMU_H/qemu/patches" \
	"$XRMU_H/scripts/build-qemu.sh" "$XRMU_H/scripts/lib.sh")")
if stamp_ok "$QEMU_BUILD.stamp" "$key" && [ -x "$QEMU_BUILD/qemu-system-x86_64" ]; then
	xmsg "QEMU up to date"
	exit 0
fi
rm -f "$QEMU_BUILD.stamp"
log=$XLOG/qemu.log
: >"$log"
CONFIGURE_FLAGS="--target-list=x86_64-softmmu --python=/usr/bin/python3
 --disable-download --disable-docs --disable-install-blobs"
cfgkey=$(hash_str "$srckey" $CONFIGURE_FLAGS)
if ! stamp_ok "$QEMU_BUILD/xrmu-configured" "$cfgkey" || [ ! -f "$QEMU_BUILD/build.ninja" ]; then
	xmsg "QEMU: configure (log: $log)"
	rm -rf "$QEMU_BUILD"
	mkdir -p "$QEMU_BUILD"
	# shellcheck disable=SC2086
	(cd "$QEMU_BUILD" && "$QEMU_TREE/configure" $CONFIGURE_FLAGS) >>"$log" 2>&1 ||
		{ xtail "$log"; xdie "QEMU configure failed"; }
	stamp_set "$QEMU_BUILD/xrmu-configured" "$cfgkey"
fi

t0=$(date +%s)
targets=(qemu-system-x86_64)
# ninja re-runs meson itself when meson.build files changed (model patches).
(cd "$QEMU_BUILD" && ninja -j"$JOBS" build.ninja) >>"$log" 2>&1 ||
	{ xtail "$log"; xdie "QEMU reconfigure failed"; }
xmsg "QEMU: ninja -j$JOBS ${targets[*]} (log: $log)"
(cd "$QEMU_BUILD" && ninja -j"$JOBS" "${targets[@]}") >>"$log" 2>&1 ||
	{ xtail "$log" 60; xdie "QEMU build failed"; }

share=$QEMU_BUILD/qemu-bundle/usr/local/share/qemu
mkdir -p "$share"
for f in /usr/share/seabios/* /usr/share/qemu/*; do
	[ -f "$f" ] || continue
	[ -e "$share/$(basename "$f")" ] || [ -L "$share/$(basename "$f")" ] ||
		ln -s "$f" "$share/$(basename "$f")"
done
[ -e "$share/bios-256k.bin" ] || xdie "no bios-256k.bin (seabios not installed?)"
stamp_set "$QEMU_BUILD.stamp" "$key"
xmsg "QEMU built in $(($(date +%s) - t0)) s: $QEMU_BUILD/qemu-system-x86_64"
