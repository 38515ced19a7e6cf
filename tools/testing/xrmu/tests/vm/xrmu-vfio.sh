#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --timeout 900
# RUNVM: --qemu -device --qemu pci-bridge,id=vbr,chassis_nr=1
# RUNVM: --qemu -device --qemu edu,bus=vbr,addr=1,dma_mask=0xffffffffffffffff
# RUNVM: --qemu -device --qemu edu,bus=vbr,addr=2,dma_mask=0xffffffffffffffff
# VARIANTS: xrmu-sys
#
# VFIO on a device behind xrmu, with no unsafe option: an edu on the root
# bus is bound to vfio-pci and driven from user space by /xrmu/bin/vfio_edu
# twice, through the type1 container/group API and through iommufd with
# the VFIO device cdev.  Each run maps buffers at fixed IOVAs (2 MiB-aligned
# ones included), has edu DMA both ways with every byte checked, counts
# edu's MSIs through an eventfd, and DMAs to a never-mapped and to an
# unmapped IOVA: memory must stay unchanged and the unit must report a
# write fault for the edu's requester ID at exactly those IOVAs.
# Group viability: two edus behind a conventional PCI bridge share one
# group; with one of them bound to a host driver (xrmu_edu_test) the other
# cannot be taken by user space through either API, once it is unbound it
# can.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh

# Checks printed by one "vfio_edu test" run (see vfio_edu.c).
VFIO_EDU_CHECKS=15
tap_plan $((15 + 2 * (VFIO_EDU_CHECKS + 1)))

tap_ok "modprobe xrmu" modprobe xrmu
for p in vfio_iommu_type1 iommufd; do
	f=/sys/module/$p/parameters/allow_unsafe_interrupts
	[ -e "$f" ] && tap_diag "$p allow_unsafe_interrupts=$(cat "$f")"
done
unsafe=0
for f in /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts \
	 /sys/module/iommufd/parameters/allow_unsafe_interrupts; do
	[ "$(cat "$f" 2>/dev/null)" = N ] || unsafe=1
done
tap_check $unsafe "allow_unsafe_interrupts is off for type1 and iommufd"

main=
sibs=
for d in $(pci_find 0x1234 0x11e8); do
	case $(basename "$d") in
	0000:00:*) main=$d ;;
	*) sibs="$sibs $d" ;;
	esac
done
set -- $sibs
s1=$1
s2=$2
bdf=$(basename "$main")
pci_list | sed 's/^/# /'
grp() { basename "$(readlink "$1/iommu_group")"; }
g=$(grp "$main")
tap_check $([ -n "$g" ] && [ "$(ls /sys/kernel/iommu_groups/$g/devices)" = "$bdf" ]
	echo $?) "edu $bdf is alone in group $g"
tap_diag "group $(grp "$s1"): $(ls /sys/kernel/iommu_groups/$(grp "$s1")/devices | tr '\n' ' ')"
tap_check $([ -n "$s1" ] && [ -n "$s2" ] && [ "$(grp "$s1")" = "$(grp "$s2")" ] &&
	[ "$(grp "$s1")" != "$g" ]
	echo $?) "the two edus behind the PCI bridge share one group"
sed 's/^/# reserved: /' /sys/kernel/iommu_groups/$g/reserved_regions
tap_check $(grep -q "^0x00000000fee00000 0x00000000feefffff msi$" \
	/sys/kernel/iommu_groups/$g/reserved_regions
	echo $?) "the interrupt window is a hardware MSI reserved region"

tap_ok "bind edu $bdf to vfio-pci" vfio_bind "$main"
tap_check $([ -c /dev/vfio/$g ] && [ -c /dev/vfio/vfio ] && [ -c /dev/iommu ] &&
	ls /dev/vfio/devices/vfio* >/dev/null
	echo $?) "/dev/vfio/$g, /dev/vfio/vfio, /dev/iommu and a /dev/vfio/devices cdev exist"

# fault_count IOVA: the unit's write-fault records for edu at IOVA
rid=$bdf
fault_count() {
	dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: fault [A-Z0-9_]+ \(0x[0-9a-f]+\) write rid $rid .*addr $1 " |
		wc -l
}

# run_vfio_edu API: the program's checks as TAP points, then the faults.
run_vfio_edu() {
	local out n st iova before after bad
	out=/tmp/vfio_edu.$1
	before=/tmp/faults.$1
	: >"$before"
	for iova in 0x20000000 0x12347000; do
		echo "$iova $(fault_count $iova)" >>"$before"
	done
	vfio_edu test "$1" "$bdf" >"$out" 2>&1
	st=$?
	tap_import "$out" "$VFIO_EDU_CHECKS" "$1: " "$st"
	# Fault records arrive through the fault interrupt: give them time.
	sleep 1
	bad=0
	while read -r iova n; do
		after=$(fault_count "$iova")
		tap_diag "$1: write faults at $iova for $rid: $n before, $after after"
		[ "$after" -gt "$n" ] || bad=1
	done <"$before"
	dmesg | grep "fault .* rid $rid" | tail -n 2 | sed 's/^/# /'
	tap_check $bad "$1: the unit reported the blocked writes at both IOVAs"
}

run_vfio_edu type1
grep "vfio-msi" /proc/interrupts | sed 's/^/# /'
run_vfio_edu iommufd

# Viability: s1 to vfio-pci, s2 to a host driver.
b1=$(basename "$s1")
b2=$(basename "$s2")
tap_ok "bind $b1 to vfio-pci" vfio_bind "$s1"
modprobe xrmu_edu_test
[ -e "$s2/driver" ] || echo "$b2" >/sys/bus/pci/drivers/xrmu_edu_test/bind
tap_check $([ "$(basename "$(readlink "$s2/driver")")" = xrmu_edu_test ]
	echo $?) "$b2 (same group) bound to the host driver xrmu_edu_test"
for api in type1 iommufd; do
	vfio_edu claim $api "$b1" >/tmp/claim 2>&1
	st=$?
	sed 's/^\([^#]\)/# \1/' /tmp/claim
	tap_check $([ $st = 2 ]; echo $?) "$api: $b1 refused while $b2 has a host driver"
done
echo "$b2" >"$s2/driver/unbind"
for api in type1 iommufd; do
	vfio_edu claim $api "$b1" >/tmp/claim 2>&1
	st=$?
	sed 's/^\([^#]\)/# \1/' /tmp/claim
	tap_check $st "$api: $b1 claimed once $b2 is unbound"
done

# IOMMU_GET_HW_INFO: the unit's VERSION, CAP and ECAP as the unit's own
# registers show them (debugfs reads them from MMIO now).
out=$(vfio_edu hwinfo iommufd "$b1" 2>&1)
echo "$out" | sed 's/^/# /'
tap_check $(echo "$out" | grep -q "^hwinfo type=5 len=24 flags=0x0 "; echo $?) \
	"IOMMU_GET_HW_INFO: type XRMU (5), 24 bytes, flags 0"
xd=/sys/kernel/debug/iommu/xrmu/$(basename "$(readlink -f "$(readlink -f "$s1/iommu")/device")")
reg() { awk -v k="$1" '$1 == k { print $2 }' "$xd/regs"; }
want="version=$(reg VERSION) cap=$(reg CAP) ecap=$(reg ECAP)"
tap_diag "unit registers: $want"
tap_check $(case $out in *" $want") echo 0 ;; *) echo 1 ;; esac) \
	"IOMMU_GET_HW_INFO: VERSION, CAP and ECAP equal the unit's registers"
dmesg | grep -iE "vfio|iommufd" | tail -n 8 | sed 's/^/# /'
tap_done
