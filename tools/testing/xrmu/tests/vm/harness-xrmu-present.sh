#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --timeout 300
# BUNDLE: edu 10
#
# Harness self-test: the xrmu unit (-device xrmu-pci) is visible to the
# guest with the identity of the design sheet (section 1): vendor 0x1af4,
# device 0x10f0, class 0x0806 (prog-if 0), revision 0x01, subsystem
# 1af4:1100, a 16 KiB BAR0, and VERSION (BAR0 + 0x000) = 0x00010000.
# (NVMe and edu are there only to share a boot with the edu bundle.)
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
tap_plan 6

d=$(pci_find 0x1af4 0x10f0 | head -n1)
tap_diag "xrmu function: ${d:-none}"
[ -n "$d" ]
tap_check $? "xrmu function 1af4:10f0 present"
tap_ok "class 0x080600 (system peripheral / IOMMU)" test "$(cat "$d/class" 2>/dev/null)" = 0x080600
tap_ok "revision 0x01" test "$(cat "$d/revision" 2>/dev/null)" = 0x01
tap_ok "subsystem 1af4:1100" test "$(cat "$d/subsystem_vendor" 2>/dev/null):$(cat "$d/subsystem_device" 2>/dev/null)" = 0x1af4:0x1100
size=0
if [ -n "$d" ]; then
	set -- $(head -n1 "$d/resource")
	size=$(($2 - $1 + 1))
fi
tap_diag "BAR0 size $size"
tap_check $([ "$size" = 16384 ]; echo $?) "BAR0 is 16 KiB"
ver=$(pcimem "$d/resource0" 0 r32 2>&1)
tap_diag "VERSION = $ver"
tap_ok "VERSION register reads 0x00010000" test "$ver" = 0x00010000
tap_done
