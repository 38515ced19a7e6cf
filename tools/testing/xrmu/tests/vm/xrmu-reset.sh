#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --timeout 600
#
# Function-level reset of an endpoint while it is attached to a DMA domain
# with remapped MSIs: NVMe, bound after xrmu.ko loaded, is reset three
# times through sysfs (FLR; the nvme driver quiesces and re-initializes
# the controller around it).  The unit has no ATS, so Linux 7.3 keeps the
# device attached across the reset (pci_dev_reset_iommu_prepare() only
# blocks ATS-capable functions): the device-table entry must be the same
# before and after each reset.  The PCI core restores the MSI-X table
# after the reset and the nvme driver then frees and allocates its queue
# vectors again (the counts in /proc/interrupts start from 0), so the
# remapping table entries are released and allocated too.  After each
# reset the queue interrupts are on the IR chip, a 16 MiB pattern written
# with O_DIRECT to a region never written before reads back bit-exact,
# the queue interrupts count up (and the unit's CNT_IR_REMAP with them),
# and no DMA or interrupt fault is reported.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
. /xrmu/lib/unit.sh
tap_plan 17
RESETS=3

disk=nvme0n1
disk_pattern 16
roundtrip() { disk_roundtrip "$disk" "$1"; } # offset in MiB

n=$(pci_of_block $disk)
nbdf=$(basename "$n")
rid=${nbdf#0000:}
echo "$nbdf" >/sys/bus/pci/drivers/nvme/unbind
tap_ok "modprobe xrmu (NVMe $nbdf unbound)" modprobe xrmu
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
echo "$nbdf" >/sys/bus/pci/drivers/nvme/bind
disk_wait $disk
type=$(cat "$n/iommu_group/type" 2>/dev/null)
tap_check $(case $type in DMA|DMA-FQ) echo 0 ;; *) echo 1 ;; esac) \
	"NVMe bound on a DMA domain of xrmu0 ($type)"
tap_check $(nvme_ir_chips; echo $?) "its queue interrupts are remapped (IR- chips)"
roundtrip 0
tap_check $? "16 MiB round trip before any reset"
methods=$(cat "$n/reset_method" 2>/dev/null)
tap_diag "reset methods: $methods"
case " $methods " in
*" flr "*) echo flr >"$n/reset_method" ;;
esac
tap_check $([ "$(cat "$n/reset_method" 2>/dev/null)" = flr ]; echo $?) \
	"reset method set to FLR only"
dte0=$(grep "^$rid " "$x/dte")
tap_diag "entry: $dte0"

i=1
while [ $i -le $RESETS ]; do
	echo 1 >"$n/reset"
	tap_check $? "reset $i: sysfs reset returns 0"
	disk_wait $disk
	c0=$(nvme_count)
	r0=$(reg CNT_IR_REMAP)
	dte1=$(grep "^$rid " "$x/dte")
	[ "$dte1" = "$dte0" ] || tap_diag "entry now: $dte1"
	tap_check $([ -n "$dte0" ] && [ "$dte1" = "$dte0" ]; echo $?) \
		"reset $i: device-table entry unchanged (domain kept)"
	roundtrip $((16 * i))
	rt=$?
	c1=$(nvme_count)
	r1=$(reg CNT_IR_REMAP)
	tap_diag "queue interrupts $c0 -> $c1, CNT_IR_REMAP $r0 -> $r1"
	[ $rt = 0 ] && nvme_ir_chips && [ "$c1" -gt "$c0" ] && [ "$r1" -gt "$r0" ]
	tap_check $? "reset $i: 16 MiB round trip, remapped queue interrupts delivered"
	# Pause: the nvme driver tolerates resets in a row, not back to back
	# with its own reset work.
	sleep 1
	i=$((i + 1))
done
rm -f /tmp/pattern

dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: fault " | head -5 | sed 's/^/# /'
tap_check $(dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: fault "; echo $((! $?))) \
	"no DMA or interrupt fault reported"
tap_check $([ "$(reg CNT_FAULT)" = 0 ]; echo $?) "the unit counted no fault (CNT_FAULT 0)"
dmesg | grep -iE "nvme.*(timeout|I/O error|failed)" | head -5 | sed 's/^/# /'
tap_check $(dmesg | grep -qiE "nvme.*(timeout|I/O .* error|failed)"; echo $((! $?))) \
	"no NVMe timeout or I/O error"
tap_done
