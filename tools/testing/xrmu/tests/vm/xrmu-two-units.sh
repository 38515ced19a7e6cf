#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu none --timeout 600
# RUNVM: --qemu -device --qemu xrmu-pci,id=xa,bus-last=127
# RUNVM: --qemu -device --qemu pxb-pcie,id=pxbb,bus_nr=128,bus=pcie.0
# RUNVM: --qemu -device --qemu pcie-root-port,id=rpb1,bus=pxbb,chassis=11
# RUNVM: --qemu -device --qemu xrmu-pci,id=xb,bus=rpb1,bus-first=128
# RUNVM: --qemu -device --qemu pcie-root-port,id=rpb2,bus=pxbb,chassis=12
# RUNVM: --qemu -device --qemu edu,bus=rpb2,dma_mask=0xffffffffffffffff
# RUNVM: --qemu -device --qemu edu,bus=pcie.0,dma_mask=0xffffffffffffffff
#
# xrmu driver, two units: one on pcie.0 covering buses 0-127, one behind a
# root port of a pxb-pcie root bus (bus 128) covering buses 128-255, with
# an edu device behind another root port of the pxb.  Both register, every
# covered function links to the unit whose range holds its bus, no unit
# covers its own function, and edu DMA through the second unit works.
# One domain spans both units: a second edu on pcie.0 (the first unit)
# and the pxb's edu, both given to one iommufd IOAS through VFIO, must be
# attached to the same domain (one hwpt; each unit gives it a domain ID of
# its own), DMA through it, and after the unmap neither may reach the
# buffer: each unit records the write fault (the unmap invalidated both).
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
# Checks printed by "vfio_edu shared" (see vfio_edu.c).
SHARED_CHECKS=9
tap_plan $((8 + 5 + SHARED_CHECKS))

tap_ok "modprobe xrmu" modprobe xrmu
n=$(ls -d /sys/class/iommu/xrmu* 2>/dev/null | wc -l)
for u in /sys/class/iommu/xrmu*; do
	tap_diag "$(basename $u): ridrange $(cat $u/xrmu/ridrange) parent $(basename "$(readlink -f $u/device)")"
done
tap_check $([ "$n" = 2 ]; echo $?) "two units registered ($n)"
bad=0
for d in /sys/bus/pci/devices/*; do
	[ -L "$d/iommu" ] || continue
	u=/sys/class/iommu/$(basename "$(readlink "$d/iommu")")
	bus=$((0x$(basename "$d" | cut -d: -f2)))
	r=$(cat $u/xrmu/ridrange)
	first=$((0x$(echo "$r" | cut -d: -f2 | cut -d- -f1)))
	last=$((0x$(echo "$r" | cut -d- -f2)))
	tap_diag "$(basename "$d") bus $bus -> $(basename $u) [$first..$last]"
	[ "$bus" -ge "$first" ] && [ "$bus" -le "$last" ] || bad=1
done
tap_check $bad "each device is behind the unit whose range holds its bus"
self=0
for x in $(pci_find 0x1af4 0x10f0); do
	xu=$(basename "$(readlink "$x/iommu" 2>/dev/null)" 2>/dev/null)
	tap_diag "unit function $(basename "$x") is behind: ${xu:-nothing}"
	[ -n "$xu" ] && [ "$(readlink -f /sys/class/iommu/$xu/device)" = "$(readlink -f "$x")" ] && self=1
done
tap_check $self "no unit translates its own function"
tap_ok "modprobe xrmu_edu_test" modprobe xrmu_edu_test
e=
ea=
for d in $(pci_find 0x1234 0x11e8); do
	case $(basename "$d") in
	0000:00:*) ea=$d ;;
	*) e=$d ;;
	esac
done
eu=$(basename "$(readlink "$e/iommu" 2>/dev/null)" 2>/dev/null)
eb=$(basename "$(readlink -f /sys/class/iommu/$eu/device 2>/dev/null)")
tap_diag "edu $(basename "$e") behind $eu (unit function $eb)"
tap_check $([ -n "$eu" ] && [ "${eb#0000:}" != "${eb#0000:8}" ]; echo $?) "edu is behind the pxb's unit"
type=$(cat "$e/iommu_group/type" 2>/dev/null)
case $type in DMA|DMA-FQ) s=0 ;; *) s=1 ;; esac
tap_check $s "edu (behind a root port bound at load time) translates ($type)"
r=/sys/kernel/debug/xrmu_edu_test/$(basename "$e")
sed 's/^/# /' "$r"
tap_check $([ "$(grep -c "^ok" "$r")" -ge 8 ] && ! grep -q "^not ok" "$r"; echo $?) "edu round trips through the second unit"

# One IOAS, one domain, two units.
rmmod xrmu_edu_test
tap_ok "bind edu $(basename "$ea") (first unit) to vfio-pci" vfio_bind "$ea"
tap_ok "bind edu $(basename "$e") (second unit) to vfio-pci" vfio_bind "$e"
ua=/sys/kernel/debug/iommu/xrmu/$(basename "$(readlink -f "/sys/class/iommu/$(basename "$(readlink "$ea/iommu")")/device")")
ub=/sys/kernel/debug/iommu/xrmu/$eb
frec() { sed -n 's/^fault_records //p' "$1/counters"; }
fa0=$(frec "$ua")
fb0=$(frec "$ub")
out=/tmp/shared.out
/xrmu/bin/vfio_edu shared iommufd "$(basename "$ea")" "$(basename "$e")" >"$out" 2>&1
rc=$?
tap_import "$out" "$SHARED_CHECKS" "" "$rc"
tap_check $([ "$rc" = 0 ]; echo $?) "vfio_edu shared exits 0 ($rc)"
fa1=$(frec "$ua")
fb1=$(frec "$ub")
tap_check $([ "$fa1" = $((fa0 + 1)) ]; echo $?) "the first unit recorded the write fault after the unmap ($fa0 -> $fa1)"
tap_check $([ "$fb1" = $((fb0 + 1)) ]; echo $?) "the second unit recorded the write fault after the unmap ($fb0 -> $fb1)"
tap_done
