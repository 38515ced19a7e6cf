#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu intel-iommu --dev nvme --dev xrmu2 --dev nvme,bus=xrmu2dev
# RUNVM: --append intremap=off --timeout 600
#
# xrmu beside another IOMMU (issue 17 item 6): QEMU's VT-d unit
# translates and remaps root bus 0, an xrmu unit the pxb-pcie root bus 128
# (the pxb bypasses VT-d, so the DMAR table leaves its buses out), each
# with an NVMe controller.  Both drivers register without a fwnode and
# decide coverage in probe_device(); the IOMMU core must offer each device
# to both (kernel patch 0004), so every function gets the IOMMU of its
# bus and none is left untranslated.  Checked: the links from each
# function to its IOMMU (intel on bus 0, xrmu0 on 128-255, no endpoint
# without one except the unit's own function), DMA domains on both disks,
# 16 MiB O_DIRECT round trips bit-exact on both, the xrmu disk's queue
# interrupts in the unit's remapping domain (XRMU-IR), both disks' queue
# interrupts counting, and no fault on either unit.
#
# VT-d's interrupt remapping is left off (intremap=off): with it on, no
# MSI of a device on the bypass_iommu pxb reaches a CPU in QEMU 10.0.2
# with Linux 7.3, with or without an xrmu unit on that bus (seen with the
# unit taken out of this topology: the NVMe admin queue times out with
# "completion polled"), so that combination is not ours to test.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
. /xrmu/lib/unit.sh
tap_plan 16

nvme_disks_by_bus 128
tap_diag "bus 0 disk: $d0 ($p0), pxb disk: $d1 ($p1)"
tap_check $([ -n "$d0" ] && [ -n "$d1" ]; echo $?) "one NVMe disk on each root bus"
tap_check $(case $(pci_iommu "$p0") in dmar*) echo 0 ;; *) echo 1 ;; esac) \
	"bus 0 disk translated by VT-d ($(pci_iommu "$p0"))"

# Unbound while xrmu loads, so the unit may probe it.
xrmu_load "modprobe xrmu" "$p1"
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
tap_diag "xrmu0 ridrange $(cat /sys/class/iommu/xrmu0/xrmu/ridrange 2>/dev/null)"
disk_wait "$d1"
tap_check $? "pxb disk $d1 back after binding"
tap_check $([ "$(pci_iommu "$p1")" = xrmu0 ]; echo $?) \
	"pxb disk translated by xrmu0 ($(pci_iommu "$p1"))"

# Every function: the IOMMU of its bus, or (only the unit's own function
# and bridges above the units) none.
bad=0
for d in /sys/bus/pci/devices/*; do
	u=$(pci_iommu "$d")
	b=$(pci_bus "$d")
	cls=$(cat "$d/class")
	case $u in
	dmar*) [ "$b" -lt 128 ] || bad=1 ;;
	xrmu*) [ "$b" -ge 128 ] || bad=1 ;;
	"") case $cls in 0x0806*) ;; *) [ -e "$d/subordinate_bus_number" ] || bad=1 ;; esac ;;
	*) bad=1 ;;
	esac
	tap_diag "$(basename "$d") bus $b class $cls -> ${u:-no IOMMU}"
done
tap_check $bad "every function behind the IOMMU of its bus; no endpoint left without one"

tap_check $(pci_translated "$p0"; echo $?) "bus 0 disk on a DMA domain ($(cat "$p0/iommu_group/type"))"
tap_check $(pci_translated "$p1"; echo $?) "pxb disk on a DMA domain ($(cat "$p1/iommu_group/type"))"

ci0=$(nvme_count "${d0%n1}")
cx0=$(nvme_count "${d1%n1}")
disk_pattern 16
disk_roundtrip "$d0" 0
tap_check $? "16 MiB round trip through VT-d"
disk_roundtrip "$d1" 0
tap_check $? "16 MiB round trip through xrmu"
disk_roundtrip "$d0" 16
tap_check $? "16 MiB round trip through VT-d, again"
rm -f /tmp/pattern

tap_check $(! nvme_irq_domain "${d0%n1}" XRMU-IR; echo $?) \
	"bus 0 disk's queue interrupts not in xrmu's remapping domain"
tap_check $(nvme_irq_domain "${d1%n1}" XRMU-IR; echo $?) \
	"pxb disk's queue interrupts remapped by xrmu (XRMU-IR)"
ci1=$(nvme_count "${d0%n1}")
cx1=$(nvme_count "${d1%n1}")
tap_diag "queue interrupts: $d0 $ci0 -> $ci1, $d1 $cx0 -> $cx1"
tap_check $([ "$ci1" -gt "$ci0" ]; echo $?) "bus 0 disk's queue interrupts counted"
tap_check $([ "$cx1" -gt "$cx0" ]; echo $?) "xrmu-remapped queue interrupts counted"
f=$(sed -n 's/^fault_records //p' "$x/counters")
tap_diag "xrmu fault records: $f"
dmesg | grep -iE "DMAR:.*fault|xrmu.*fault" | head -n3 | sed 's/^/# /'
tap_check $([ "$f" = 0 ] && ! dmesg | grep -qiE "DMAR: \[DMA (Read|Write)|DMAR:.*fault"; echo $?) \
	"no fault on either unit"
tap_done
