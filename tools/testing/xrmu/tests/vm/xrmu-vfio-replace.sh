#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --timeout 600
# RUNVM: --qemu -global --qemu xrmu-pci.cmd-latency-ns=1000000
#
# Domain switches do not drop interrupts (hitless device-table updates).
# A VFIO user moves an edu between two IOASes, i.e. between two paging
# domains with different domain IDs, 20 times through iommufd's replace
# (VFIO_DEVICE_ATTACH_IOMMUFD_PT on an attached device), while a second
# thread raises edu MSIs one at a time and waits for each on the eventfd
# (vfio_edu replace).  The device-table entry changes in two words (PTROOT
# and DID), so the driver blocks DMA for the switch, but leaves the
# interrupt fields valid throughout: every MSI must arrive and the unit
# must record no fault.  Every command takes 1 ms of virtual time here
# (cmd-latency-ns), so that each switch lasts several MSIs: a sequence
# that cleared V for the switch would lose some (DTE_INVALID faults).
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/unit.sh

# Checks printed by "vfio_edu replace" (see vfio_edu.c).
REPLACE_CHECKS=6
tap_plan $((4 + REPLACE_CHECKS))

tap_ok "modprobe xrmu" modprobe xrmu
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
e=$(pci_find 0x1234 0x11e8 | head -n1)
bdf=$(basename "$e")
tap_ok "bind edu $bdf to vfio-pci" vfio_bind "$e"
f0=$(cnt fault_records)
inv0=$(cnt fault_reason_0x03)

out=/tmp/replace.out
/xrmu/bin/vfio_edu replace iommufd "$bdf" >"$out" 2>&1
rc=$?
tap_import "$out" "$REPLACE_CHECKS" "" "$rc"
tap_check $([ "$rc" = 0 ]; echo $?) "vfio_edu replace exits 0 ($rc)"
f1=$(cnt fault_records)
inv1=$(cnt fault_reason_0x03)
tap_check $([ "$f1" = "$f0" ]; echo $?) \
	"no fault recorded during the replaces ($f0 -> $f1 records, DTE_INVALID ${inv0:-0} -> ${inv1:-0})"
tap_done
