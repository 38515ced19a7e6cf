#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu-sys --dev nvme --dev edu --timeout 600
# BUNDLE: edu@xrmu-sys 5
#
# The memory-mapped unit (-device xrmu-sys) found through ACPI: the SSDT's
# XRMU0001 device is bound by the driver's platform glue, its register
# block is the _CRS memory range, the unit covers every PCI function of
# the machine (no function of its own to leave out, host bridge
# included), and there is no xrmu PCI function.  Its fault interrupt is
# the IO-APIC's edge-triggered GSI 6 of the _CRS, and it is delivered:
# blocked DMA of edu (the xrmu_rogue module) raises it and is logged as
# fault records of edu's requester ID.  DMA through the DMA API works.
# The other suites run against this unit as variants (VARIANTS in their
# headers), in this bundle and beside it.  Leaves edu unbound.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/unit.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
tap_plan 12

# NVMe unbound while xrmu loads, so that the unit probes it.
xrmu_load "modprobe xrmu" "$(pci_find 0x1b36 0x0010 | head -n1)"
disk_wait nvme0n1 || tap_diag "nvme0n1 not back after binding"
p=/sys/bus/platform/devices/XRMU0001:00
tap_check $([ "$(basename "$(readlink "$p/driver")")" = xrmu-sys ]; echo $?) \
	"ACPI device XRMU0001:00 bound to the xrmu-sys platform driver"
tap_diag "firmware node $(cat "$p/firmware_node/path" 2>/dev/null)"
u=/sys/class/iommu/xrmu0
tap_diag "xrmu0: device $(basename "$(readlink -f $u/device)") ridrange $(cat $u/xrmu/ridrange)"
tap_check $([ "$(readlink -f $u/device)" = "$(readlink -f $p)" ] &&
	[ "$(cat $u/xrmu/ridrange)" = "0000:00-ff" ]; echo $?) \
	"unit xrmu0 is the platform device, requesters 0000:00-ff"
grep -i xrmu /proc/iomem | sed 's/^/# /'
tap_check $(grep -qE "^ *feda0000-feda0fff : XRMU0001:00" /proc/iomem; echo $?) \
	"its register block is the 4 KiB _CRS range at 0xfeda0000"
x=/sys/kernel/debug/iommu/xrmu/XRMU0001:00
tap_check $([ "$(reg VERSION)" = 65536 ] && [ "$(status)" = 15 ]; echo $?) \
	"VERSION 0x00010000 read through it, STATUS 0xf (translating, remapping)"
tap_check $([ -z "$(pci_find 0x1af4 0x10f0)" ]; echo $?) "no xrmu PCI function"
bad=0
for d in /sys/bus/pci/devices/*; do
	if [ "$(basename "$(readlink "$d/iommu" 2>/dev/null)")" != xrmu0 ]; then
		tap_diag "$(basename "$d") not behind xrmu0"
		bad=1
	fi
done
pci_list | sed 's/^/# /'
tap_check $bad "every PCI function (host bridge included) is behind xrmu0"
grep XRMU0001 /proc/interrupts | sed 's/^/# /'
tap_check $(grep -qE "^ *6: .* IO-APIC +6-edge +XRMU0001:00$" /proc/interrupts; echo $?) \
	"the fault interrupt is the IO-APIC's edge GSI 6"

e=$(pci_find 0x1234 0x11e8 | head -n1)
bdf=$(basename "$e")
tap_ok "modprobe xrmu_edu_test" modprobe xrmu_edu_test
r=/sys/kernel/debug/xrmu_edu_test/$bdf
sed 's/^/# /' "$r"
tap_check $(edu_ok "$r"; echo $?) "edu dma_map_single round trips"
echo "$bdf" >"$e/driver/unbind"

fl=$(awk '$NF == "XRMU0001:00" { sub(":", "", $1); print $1 }' /proc/interrupts)
i0=$(irq_count "$fl")
f0=$(faults "$bdf")
modprobe xrmu_rogue
sed 's/^/# /' "/sys/kernel/debug/xrmu_rogue/$bdf"
i1=$(irq_count "$fl")
f1=$(faults "$bdf")
tap_diag "fault interrupts (irq $fl) $i0 -> $i1, fault records of $bdf $f0 -> $f1"
tap_check $([ $((f1 - f0)) -ge 5 ]; echo $?) "edu's blocked DMA logged as its fault records"
tap_check $([ "$i1" -gt "$i0" ]; echo $?) "and raised the fault interrupt"
echo "$bdf" >"$e/driver/unbind"
rmmod xrmu_rogue xrmu_edu_test
tap_done
