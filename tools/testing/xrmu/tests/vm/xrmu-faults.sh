#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --timeout 900
# BUNDLE: edu 30
# VARIANTS: xrmu-sys
#
# xrmu driver error paths.  A device write to an IOVA unmapped from a
# strict DMA domain is blocked and reported as a decoded fault record.
# Faults injected through the unit's DBG_INJECT register (debugfs
# "inject"): an illegal command and a command read error are reported,
# the command replaced and the queue resumed, and DMA keeps working; a
# failed table read is reported as a fault and the next run works again;
# a failed fault-record write is reported and recording resumes.
# Leaves edu unbound, in the group type it found.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/edu.sh
tap_plan 12

rerun() { # run the edu test module again
	echo "$bdf" >"$e/driver/unbind"
	echo "$bdf" >/sys/bus/pci/drivers/xrmu_edu_test/bind
}
seen() { dmesg | grep -qE "$1"; }

tap_ok "modprobe xrmu" modprobe xrmu
e=$(pci_find 0x1234 0x11e8 | head -n1)
bdf=$(basename "$e")
type0=$(cat "$e/iommu_group/type")
echo DMA >"$e/iommu_group/type"
tap_ok "modprobe xrmu_edu_test fault_test=1" modprobe xrmu_edu_test fault_test=1
r=/sys/kernel/debug/xrmu_edu_test/$bdf
sed 's/^/# /' "$r"
tap_check $(edu_ok "$r" 9; echo $?) "round trips pass and the stale-IOVA write is blocked"
dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: fault " | head -3 | sed 's/^/# /'
tap_check $(seen "xrmu(-sys)? [0-9A-Za-z:.]+: fault PT_NOT_PRESENT \(0x10\) write rid 0000:${bdf#0000:}"; echo $?) "PT_NOT_PRESENT write fault reported for $bdf"

x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
tap_ok "debugfs inject file present" test -w "$x/inject"

echo 2 >"$x/inject"	# CMD_ILLEGAL
rerun
tap_check $(seen "command queue error 1 \(illegal command\)"; echo $?) "injected illegal command reported"
tap_check $(edu_ok "$r" 9; echo $?) "DMA works after the illegal-command recovery"

echo 8 >"$x/inject"	# CMDQ_READ_ERR
rerun
tap_check $(seen "command queue error 2 \(command read error\)"; echo $?) "injected command read error reported"
tap_check $(edu_ok "$r" 9; echo $?) "DMA works after the read-error recovery"

sleep 6	# fault reports are rate limited (burst 10 per 5 s)
echo 4 >"$x/inject"	# TABLE_READ_ERR: the next walk fails
rerun
tap_check $(seen "fault (DT|PT)_READ_ERR"; echo $?) "injected table read error reported as a fault"
rerun
tap_check $(edu_ok "$r" 9; echo $?) "DMA works again after the table read error"

echo 16 >"$x/inject"	# FLTQ_WRITE_ERR: the next record write fails
rerun
rerun
tap_check $(seen "fault queue write error"; echo $?) "injected fault-record write error reported"
grep -E "VIOL" "$x/regs" | sed 's/^/# /'
echo "$bdf" >"$e/driver/unbind"
rmmod xrmu_edu_test
echo "$type0" >"$e/iommu_group/type"
tap_done
