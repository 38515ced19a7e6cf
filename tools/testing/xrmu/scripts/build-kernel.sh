#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the xrmu kernel: build-kernel.sh [test|bench]   (default: test)
#
#  1. fetch linux-source-7.3 (fetch.sh), unpack its tarball into the cache
#     (pristine), copy it as the working tree;
#  2. bring the working tree to pristine + patches/linux/*.patch (0005 wires
#     drivers/iommu/xrmu/ into drivers/iommu/Kconfig and Makefile) +
#     drivers/iommu/xrmu/ (only changed files are rewritten);
#  3. .config = tinyconfig + configs/base.config + configs/xrmu.config +
#     configs/<cfg>.config, olddefconfig, and
#     every requested option verified (a later fragment's value of an
#     option replaces an earlier one's);
#  4. make bzImage modules headers_install out of tree (O=$XC/linux/build-<cfg>).
# Skipped entirely when the stamp of the build matches the hash of all inputs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CFG=${1:-test}
[ -f "$XRMU_H/configs/$CFG.config" ] || xdie "no config fragment configs/$CFG.config"
B=$XC/linux/build-$CFG
mkdir -p "$XC/linux"
"$XRMU_H/scripts/fetch.sh"
xlock "kernel"

# --- 1. source tree -------------------------------------------------------
srckey="linux $(linux_src_version) $(stat -c %s "$LINUX_TARBALL")"
if ! stamp_ok "$LINUX_PRISTINE.stamp" "$srckey"; then
	xmsg "unpacking $LINUX_TARBALL"
	rm -f "$LINUX_TREE.stamp"
fi
unpack_once "$LINUX_TARBALL" "$LINUX_PRISTINE" "$srckey"
copy_once "$LINUX_PRISTINE" "$LINUX_TREE" "$srckey"

# --- 2. overlay -----------------------------------------------------------
# patches/linux/0005 sources drivers/iommu/xrmu/Kconfig and builds the
# directory; nothing is edited in place.
overlay_tree "$LINUX_PRISTINE" "$LINUX_TREE" "$XRMU_H/patches/linux" "" "" \
	"$XRMU_TOP/drivers/iommu/xrmu:drivers/iommu/xrmu"

# --- 3+4. config and build ------------------------------------------------
frags=("$XRMU_H/configs/base.config" "$XRMU_H/configs/xrmu.config"
	"$XRMU_H/configs/$CFG.config")
key=$(hash_str "$srckey" "$CFG" \
	"$(hash_paths "$XRMU_H/patches/linux" \
		"$XRMU_TOP/drivers/iommu/xrmu" "${frags[@]}" \
		"$XRMU_H/scripts/build-kernel.sh" "$XRMU_H/scripts/lib.sh")")
if stamp_ok "$B.stamp" "$key" && [ -f "$B/arch/x86/boot/bzImage" ]; then
	xmsg "kernel ($CFG) up to date"
	exit 0
fi
rm -f "$B.stamp"
mkdir -p "$B"
log=$XLOG/kernel-$CFG.log
: >"$log"

# Generate the config in a scratch build dir and only replace the real
# .config when it differs (keeps kbuild's incremental state).
gen=$XC/linux/cfggen-$CFG
mkdir -p "$gen"
xmsg "kernel ($CFG): configuring (log: $log)"
{
	make -C "$LINUX_TREE" O="$gen" -s tinyconfig &&
	"$LINUX_TREE/scripts/kconfig/merge_config.sh" -m -O "$gen" "$gen/.config" "${frags[@]}" &&
	make -C "$LINUX_TREE" O="$gen" -s olddefconfig
} >>"$log" 2>&1 || { xtail "$log"; xdie "kernel config failed"; }

missing=0
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	sym=${line%%=*}
	val=${line#*=}
	if [ "$val" = n ]; then
		if grep -q "^$sym=" "$gen/.config"; then
			echo "[xrmu] config $CFG: $sym=n requested, got $(grep "^$sym=" "$gen/.config")" >&2
			missing=1
		fi
	elif ! grep -qx "$sym=$val" "$gen/.config"; then
		echo "[xrmu] config $CFG: $line requested, got: $(grep -E "^$sym=|^# $sym is not set" "$gen/.config" || echo absent)" >&2
		missing=1
	fi
done < <(awk -F= '/^CONFIG_/ { if (!($1 in v)) o[n++] = $1; v[$1] = $0 }
	END { for (i = 0; i < n; i++) print v[o[i]] }' "${frags[@]}")
[ "$missing" = 0 ] || xdie "kernel config $CFG: requested options were dropped (see above)"

if ! cmp -s "$gen/.config" "$B/.config"; then
	cp "$gen/.config" "$B/.config"
fi

xmsg "kernel ($CFG): make -j$JOBS bzImage modules (log: $log)"
t0=$(date +%s)
{
	make -C "$LINUX_TREE" O="$B" -j"$JOBS" olddefconfig &&
	make -C "$LINUX_TREE" O="$B" -j"$JOBS" bzImage modules &&
	make -C "$LINUX_TREE" O="$B" -s headers_install
} >>"$log" 2>&1 || { xtail "$log" 60; xdie "kernel ($CFG) build failed"; }
make -C "$LINUX_TREE" O="$B" -s kernelrelease >"$B/xrmu-kernelrelease" 2>>"$log"
stamp_set "$B.stamp" "$key"
xmsg "kernel ($CFG) built in $(($(date +%s) - t0)) s: $B/arch/x86/boot/bzImage"
