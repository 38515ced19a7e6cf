#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu-sys --dev nvme --dev xrmu2 --dev nvme,bus=xrmu2dev
# RUNVM: --timeout 600
#
# A platform unit and a PCI unit in one machine, on different root buses:
# the memory-mapped unit that ACPI describes (XRMU0001) covers root bus 0
# (buses 0-127), an xrmu PCI function behind a root port of the pxb-pcie
# root bus 128 covers buses 128-255, each with an NVMe controller.  The
# driver's two glues bind one unit each; every function is behind the
# unit of its bus (but the PCI unit's own function, and the pxb's root
# ports, bound to pcieport before xrmu.ko loads), both disks are on
# DMA domains, 16 MiB O_DIRECT round trips are bit-exact on both, each
# disk's queue interrupts are remapped by its own unit (XRMU-IR-<unit>)
# and counting, and neither unit records a fault.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
. /xrmu/lib/unit.sh
tap_plan 15

nvme_disks_by_bus 128
tap_diag "bus 0 disk: $d0 ($p0), pxb disk: $d1 ($p1)"
tap_check $([ -n "$d0" ] && [ -n "$d1" ]; echo $?) "one NVMe disk on each root bus"

# Unbound while xrmu loads, so that the units probe them.
xrmu_load "modprobe xrmu" "$p0" "$p1"
us=
up=
for u in /sys/class/iommu/xrmu*; do
	dev=$(basename "$(readlink -f "$u/device")")
	tap_diag "$(basename "$u"): $dev ridrange $(cat "$u/xrmu/ridrange")"
	case $dev in
	XRMU0001:*) [ "$(cat "$u/xrmu/ridrange")" = 0000:00-7f ] && us=$(basename "$u") ;;
	*) [ "$(cat "$u/xrmu/ridrange")" = 0000:80-ff ] && up=$(basename "$u") ;;
	esac
done
tap_check $([ -n "$us" ]; echo $?) "platform unit XRMU0001:00 covers buses 00-7f (${us:-none})"
tap_check $([ -n "$up" ]; echo $?) "PCI unit covers buses 80-ff (${up:-none})"
# The controllers may come back under each other's names: find them again.
disk_wait nvme0n1 && disk_wait nvme1n1
r=$?
nvme_disks_by_bus 128
tap_diag "after binding: bus 0 disk $d0, pxb disk $d1"
tap_check $([ "$r" = 0 ] && [ -n "$d0" ] && [ -n "$d1" ]; echo $?) "both disks back after binding"

bad=0
for d in /sys/bus/pci/devices/*; do
	u=$(pci_iommu "$d")
	b=$(pci_bus "$d")
	cls=$(cat "$d/class")
	want=$up
	[ "$b" -ge 128 ] || want=$us
	case $cls in
	0x0806*) [ -z "$u" ] || bad=1 ;;
	*) { [ -n "$want" ] && [ "$u" = "$want" ]; } || { [ -z "$u" ] && [ -e "$d/subordinate_bus_number" ]; } || bad=1 ;;
	esac
	tap_diag "$(basename "$d") bus $b class $cls -> ${u:-no IOMMU}"
done
tap_check $bad "every function behind the unit of its bus (bridges bound before xrmu loaded: none), the PCI unit's own function behind none"
tap_check $(pci_translated "$p0"; echo $?) "bus 0 disk on a DMA domain ($(cat "$p0/iommu_group/type"))"
tap_check $(pci_translated "$p1"; echo $?) "pxb disk on a DMA domain ($(cat "$p1/iommu_group/type"))"

c00=$(nvme_count "${d0%n1}")
c10=$(nvme_count "${d1%n1}")
disk_pattern 16
disk_roundtrip "$d0" 0
tap_check $? "16 MiB round trip through the platform unit"
disk_roundtrip "$d1" 0
tap_check $? "16 MiB round trip through the PCI unit"
rm -f /tmp/pattern

xs=$(basename "$(readlink -f "/sys/class/iommu/$us/device")")
xp=$(basename "$(readlink -f "/sys/class/iommu/$up/device")")
tap_check $(nvme_irq_domain "${d0%n1}" "XRMU-IR-$xs"; echo $?) \
	"bus 0 disk's queue interrupts remapped by the platform unit (XRMU-IR-$xs)"
tap_check $(nvme_irq_domain "${d1%n1}" "XRMU-IR-$xp"; echo $?) \
	"pxb disk's queue interrupts remapped by the PCI unit (XRMU-IR-$xp)"
c01=$(nvme_count "${d0%n1}")
c11=$(nvme_count "${d1%n1}")
tap_diag "queue interrupts: $d0 $c00 -> $c01, $d1 $c10 -> $c11"
tap_check $([ "$c01" -gt "$c00" ]; echo $?) "bus 0 disk's remapped interrupts counted"
tap_check $([ "$c11" -gt "$c10" ]; echo $?) "pxb disk's remapped interrupts counted"
fs=$(sed -n 's/^fault_records //p' "/sys/kernel/debug/iommu/xrmu/$xs/counters")
fp=$(sed -n 's/^fault_records //p' "/sys/kernel/debug/iommu/xrmu/$xp/counters")
tap_diag "fault records: $xs $fs, $xp $fp"
tap_check $([ "$fs" = 0 ] && [ "$fp" = 0 ]; echo $?) "no fault on either unit"
tap_done
