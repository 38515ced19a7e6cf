#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --mem 3G --timeout 300
# RUNVM: --qemu -global --qemu xrmu-pci.paw=32
#
# A unit whose CAP.PAW does not reach the top of system memory is refused
# (spec R13/R14): page tables come from the page allocator, which may hand
# out any page, and the unit cannot read a table at or above 2^PAW.  3 GiB
# on q35 puts 1 GiB above 4 GiB, the unit announces PAW = 32: the driver
# must say why it refuses, register nothing and write no register (CTRL
# stays 0).  Seen failing with the check taken out of xrmu_validate():
# no refusal; the probe then failed with -ENOMEM, only because its queue
# pages came from above 4 GiB (page-table pages, allocated later, are not
# checked at all).
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
tap_plan 5

top=$(awk -F'[- :]+' '/System RAM/ { e = $2 } END { print e }' /proc/iomem)
tap_diag "top of System RAM: 0x$top"
tap_check $([ $((0x$top >> 32)) -gt 0 ]; echo $?) "system memory reaches above 4 GiB"
tap_ok "modprobe xrmu" modprobe xrmu
dmesg | grep -E 'xrmu.*refusing' | sed 's/^/# /'
dmesg | grep -qE 'xrmu(-sys)? [0-9A-Za-z:.]+: refusing unit: PAW below the top of system memory'
tap_check $? "the unit is refused: PAW below the top of system memory"
tap_check $(! ls -d /sys/class/iommu/xrmu* >/dev/null 2>&1; echo $?) \
	"no unit registered"
d=$(pci_find 0x1af4 0x10f0 | head -n1)
ctrl=$(pcimem "$d/resource0" 0x20 r32 2>&1)
tap_diag "CTRL: $ctrl"
tap_check $([ $((ctrl)) = 0 ]; echo $?) "CTRL left at 0 (no register written)"
tap_done
