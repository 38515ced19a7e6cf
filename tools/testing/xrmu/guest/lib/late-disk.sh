# SPDX-License-Identifier: GPL-2.0
# Late-load disk test shared by tests/vm/xrmu-nvme.sh and xrmu-virtio-blk.sh:
# xrmu_late_disk_test DISK (e.g. nvme0n1, vda).
#
# The disk is bound at boot, so loading xrmu.ko afterwards must leave it
# alone (late-load safety on Linux 7.3): not probed by the unit (no group,
# no "late IOMMU probe" WARN), its DMA still working through the
# pass-through entry the driver set up before enabling translation.  Removing
# and rescanning the function puts it under the unit with a default DMA
# domain.  Then, for each of the strict DMA domain, the lazy (flush queue)
# DMA domain and pass-through, the disk is unbound, its group's type
# switched, rebound, and a 16 MiB random pattern is written with O_DIRECT
# (1 MiB requests, 256 pages each) and read back bit-exact.  The pattern is
# generated and hashed once; every round trip writes it to a region of the
# disk never written before (offsets 0, 16, 32, 48 and 64 MiB of the zeroed
# scratch disk), so a lost or misdirected write cannot read back as the
# pattern.  No fault may be reported.  Prints 19 TAP points.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/disk.sh

xrmu_late_disk_test() {
tap_plan 19

disk=$1
disk_pattern 16
roundtrip() { disk_roundtrip "$disk" "$1"; } # offset in MiB
retype() { # type
	bdf=$(basename "$pci")
	drv=$(basename "$(readlink "$pci/driver")")
	echo "$bdf" >"$pci/driver/unbind" || return 1
	echo "$1" >"$pci/iommu_group/type" || return 1
	echo "$bdf" >"/sys/bus/pci/drivers/$drv/bind" || return 1
	disk_wait $disk 50
	t=$(cat "$pci/iommu_group/type")
	tap_diag "group type now $t"
	[ "$t" = "$2" ]
}

tap_ok "disk /dev/$disk present" test -b /dev/$disk
pci=$(pci_of_block $disk)
tap_diag "disk function: $pci"
tap_ok "modprobe xrmu" modprobe xrmu
tap_ok "unit registered (/sys/class/iommu/xrmu0)" test -e /sys/class/iommu/xrmu0
tap_check $([ ! -e "$pci/iommu_group" ] && [ ! -e "$pci/iommu" ]; echo $?) \
	"bound disk not probed by the late-loaded unit (no group)"
dmesg | grep -m3 "late IOMMU probe" | sed 's/^/# /'
tap_check $(dmesg | grep -q "late IOMMU probe"; echo $((! $?))) \
	"no 'late IOMMU probe at driver bind' WARN"
roundtrip 0
tap_check $? "16 MiB round trip after late load (pass-through entry)"

bdf=$(basename "$pci")
echo 1 >"$pci/remove"
echo 1 >/sys/bus/pci/rescan
disk_wait $disk
pci=$(pci_of_block $disk)
tap_check $([ -b /dev/$disk ] && [ "$(basename "$pci")" = "$bdf" ]; echo $?) \
	"remove + rescan: /dev/$disk back at $bdf"
iommu=$(basename "$(readlink "$pci/iommu" 2>/dev/null)" 2>/dev/null)
tap_check $([ "$iommu" = xrmu0 ]; echo $?) "rescanned disk covered by xrmu0 ($iommu)"
type=$(cat "$pci/iommu_group/type" 2>/dev/null)
tap_check $(case $type in DMA|DMA-FQ) echo 0 ;; *) echo 1 ;; esac) \
	"rescanned disk on a default DMA domain ($type)"
roundtrip 64
tap_check $? "16 MiB round trip on the default DMA domain"

retype DMA DMA
tap_check $? "switched to a strict DMA domain"
roundtrip 16
tap_check $? "16 MiB round trip, strict"
retype DMA-FQ DMA-FQ
tap_check $? "switched to a lazy DMA domain (flush queue)"
roundtrip 32
tap_check $? "16 MiB round trip, lazy"
retype identity identity
tap_check $? "switched to pass-through"
roundtrip 48
tap_check $? "16 MiB round trip, pass-through"
rm -f /tmp/pattern

dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: fault " | head -5 | sed 's/^/# /'
tap_check $(dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: fault "; echo $((! $?))) "no xrmu fault reported"
rmmod xrmu 2>/dev/null
tap_check $((! $?)) "rmmod refused while devices are covered"
tap_ok "unit still registered" test -e /sys/class/iommu/xrmu0
}
