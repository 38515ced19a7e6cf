#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme-hp --qmp --timeout 900
#
# PCI hot-unplug and re-plug of an endpoint with live mappings and
# remapped MSIs (issue 17 item 7): an NVMe controller on a q35 root port
# (ACPI hotplug), covered by the unit after a remove + rescan, is taken
# out with QMP device_del and plugged in again with device_add, three
# times.  While it is out, its device-table entry must block DMA and MSIs
# (release_device ran: blocked domain, IRT dropped).  After each re-plug
# it is covered again with a DMA domain and remapped queue interrupts, a
# 16 MiB pattern written with O_DIRECT to a region never written before
# reads back bit-exact and the queue interrupts count up.  No fault is
# reported, kmemleak finds nothing, the model reports no stale cached
# entry (the run's log check) and the kernel log stays clean.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
. /xrmu/lib/unit.sh
CYCLES=3
tap_plan $((4 + 5 * CYCLES))

# wait_for SECONDS COMMAND...: until COMMAND succeeds (0) or time is up (1)
wait_for() {
	_n=$(($1 * 5))
	shift
	while ! "$@" 2>/dev/null; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.2
	done
}
# disk_of BDF: the NVMe namespace block device of the function at BDF
disk_of() {
	for _b in /sys/block/nvme*n1; do
		[ -e "$_b" ] || continue
		[ "$(basename "$(pci_of_block "${_b##*/}")")" = "$1" ] &&
			{ echo "${_b##*/}"; return 0; }
	done
	return 1
}
has_disk() { _d=$(disk_of "$bdf") && [ -b "/dev/$_d" ]; }
gone() { [ ! -e "/sys/bus/pci/devices/$bdf" ]; }
disk_pattern 16
# where: a diagnostic line with the function's unit and domain type
where() {
	tap_diag "$bdf: iommu $(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu" 2>/dev/null)" 2>/dev/null), domain $(cat "/sys/bus/pci/devices/$bdf/iommu_group/type" 2>/dev/null)"
}
# covered: the function is under xrmu0 with a DMA domain
covered() {
	_t=$(cat "/sys/bus/pci/devices/$bdf/iommu_group/type" 2>/dev/null)
	_u=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu" 2>/dev/null)" 2>/dev/null)
	[ "$_u" = xrmu0 ] && case $_t in DMA|DMA-FQ) true ;; *) false ;; esac
}

tap_ok "modprobe xrmu" modprobe xrmu
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
n=$(pci_find 0x1b36 0x0010 | head -n1)
bdf=$(basename "$n")
rid=${bdf#0000:}
# Bound at boot, before the unit: remove and rescan to put it under it.
echo 1 >"$n/remove"
echo 1 >/sys/bus/pci/rescan
wait_for 30 has_disk
where
tap_check $(covered; echo $?) "NVMe $bdf on the hotplug port covered by xrmu0 after rescan"

i=1
while [ $i -le $CYCLES ]; do
	qmp '{"execute": "device_del", "arguments": {"id": "hp-nvme"}}'
	wait_for 60 gone
	tap_check $? "cycle $i: device_del: $bdf removed"
	e=$(grep "^$rid " "$x/dte")
	tap_diag "entry after removal: $e"
	case $e in *" blocked "*im=block*) r=0 ;; *) r=1 ;; esac
	tap_check $r "cycle $i: its device-table entry blocks DMA and MSIs"
	qmp '{"execute": "device_add", "arguments": {"driver": "nvme", "id": "hp-nvme", "bus": "hp-rp", "drive": "hp-drive", "serial": "xrmu-hp"}}'
	wait_for 60 has_disk
	d=$(disk_of "$bdf")
	where
	tap_check $(has_disk && covered; echo $?) \
		"cycle $i: device_add: /dev/$d back, covered by xrmu0 with a DMA domain"
	tap_check $(nvme_ir_chips; echo $?) "cycle $i: its queue interrupts are remapped (IR- chips)"
	c0=$(nvme_count)
	disk_roundtrip "$d" $((16 * i))
	rt=$?
	c1=$(nvme_count)
	tap_diag "queue interrupts $c0 -> $c1"
	tap_check $([ $rt = 0 ] && [ "$c1" -gt "$c0" ]; echo $?) \
		"cycle $i: 16 MiB round trip, queue interrupts delivered"
	i=$((i + 1))
done
rm -f /tmp/pattern

dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: fault " | head -5 | sed 's/^/# /'
tap_check $(dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: fault "; echo $((! $?))) \
	"no DMA or interrupt fault reported"
# kmemleak only reports objects older than a few seconds: wait, scan.
sleep 6
echo scan >/sys/kernel/debug/kmemleak
leaks=$(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak)
grep -A12 'unreferenced object' /sys/kernel/debug/kmemleak | head -40 | sed 's/^/# /'
tap_check $([ "$leaks" = 0 ]; echo $?) "kmemleak: no leak after $CYCLES unplug cycles ($leaks)"
tap_done
