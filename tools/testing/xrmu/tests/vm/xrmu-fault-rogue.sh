#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --timeout 600
# BUNDLE: edu 50
# VARIANTS: xrmu-sys
#
# edu (full dma_mask) as a rogue DMA master.  The xrmu_rogue module puts it
# in a paging domain of its own with a fault handler and has it write to an
# unmapped IOVA, to a read-only IOVA and to the physical address of a
# kernel page, and read from a kernel page's physical address and from a
# write-only IOVA.  Every access is blocked (target memory byte-for-byte
# unchanged, no data leaked), the domain's handler sees each fault (the
# driver hands faults to report_iommu_fault()), and each fault record
# traced by the driver has edu's requester ID, the address, the access and
# the reason expected.  Then: the driver's log line, counters, debugfs
# page walks and device table, tracepoints for map/unmap (the IOMMU core's:
# the generic page-table library maps without the driver) and
# invalidation (the driver's), and
# DMA through the DMA API works again on the same device afterwards.
# Counters are compared with their values at the start (the unit may
# have served other tests of a bundle); leaves edu unbound and the
# tracepoints disabled.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/unit.sh
tap_plan 27

T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
tap_ok "modprobe xrmu" modprobe xrmu
e=$(pci_find 0x1234 0x11e8 | head -n1)
bdf=$(basename "$e")
rid=${bdf#0000:}
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
c0_rep=$(cnt fault_reported)
c0_12=$(cnt fault_reason_0x12)
c0_11=$(cnt fault_reason_0x11)
c0_10=$(cnt fault_reason_0x10)
echo >$T/trace
for ev in xrmu/xrmu_fault iommu/map iommu/unmap xrmu/xrmu_cmd \
	iommu/io_page_fault; do
	echo 1 >"$T/events/$ev/enable"
done
tap_check $(cat $T/events/xrmu/xrmu_fault/enable | grep -q 1; echo $?) \
	"xrmu tracepoints can be enabled"

# 9 points from the module: round trip, 5 blocked accesses, allowed read,
# round trip, handler count.
tap_ok "modprobe xrmu_rogue" modprobe xrmu_rogue
r=/sys/kernel/debug/xrmu_rogue/$bdf
n=0
while read -r line; do
	case "$line" in
	"ok "*|"not ok "*)
		n=$((n + 1))
		st=0
		case "$line" in "not ok"*) st=1 ;; esac
		tap_check $st "rogue: ${line#* - }"
		;;
	esac
done <"$r/results"
while [ $n -lt 9 ]; do n=$((n + 1)); tap_check 1 "rogue result $n missing"; done

# Each expected fault record, as traced (not rate limited).
sed 's/^/# expect /' "$r/expect"
grep xrmu_fault: $T/trace | sed 's/^ *//; s/^/# /'
nexp=0
while read -r addr acc reason; do
	nexp=$((nexp + 1))
	grep -qE "xrmu_fault: .* reason=$reason acc=$acc rid=$rid did=[0-9]+ addr=$addr info=" $T/trace
	tap_check $? "fault record: rid $rid $acc $addr reason $reason"
done <"$r/expect"
while [ $nexp -lt 5 ]; do nexp=$((nexp + 1)); tap_check 1 "expected fault $nexp missing"; done
tap_check $(grep -q "io_page_fault: .* iova=0x0*300000 flags=0x0001" $T/trace; echo $?) \
	"iommu core io_page_fault traced through report_iommu_fault"

dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: fault " | sed 's/^/# /'
tap_check $(dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: fault PT_WRITE \(0x12\) write rid 0000:$rid did [0-9]+ addr 0x200000"; echo $?) \
	"log names reason, access, device, domain and address"

sed 's/^/# /' "$x/counters"
tap_check $([ $(($(cnt fault_reported) - c0_rep)) -ge 5 ] &&
	[ $(($(cnt fault_reason_0x12) - c0_12)) -ge 1 ] &&
	[ $(($(cnt fault_reason_0x11) - c0_11)) -ge 1 ] &&
	[ $(($(cnt fault_reason_0x10) - c0_10)) -ge 3 ]; echo $?) \
	"counters: 5 faults handed to the domain, by reason"

grep "^$rid " "$x/dte" | sed 's/^/# /'
tap_check $(grep -qE "^$rid .* xlate levels=[345] root=0x[0-9a-f]+ did=[0-9]+" "$x/dte"; echo $?) \
	"debugfs dte: edu's entry translates"
echo "$rid 0x200000" >"$x/walk"
sed 's/^/# /' "$x/walk"
tap_check $(grep -q "leaf r- size 0x1000" "$x/walk" && grep -q "^pa 0x" "$x/walk"; echo $?) \
	"debugfs walk: read-only leaf of IOVA 0x200000"
echo "$rid 0x300000" >"$x/walk"
tap_check $(grep -q "not present: PT_NOT_PRESENT" "$x/walk"; echo $?) \
	"debugfs walk: IOVA 0x300000 not present"
tap_check $(grep -qE " map: IOMMU: iova=0x0*200000 - 0x0*201000 paddr=0x[0-9a-f]+ size=4096" $T/trace; echo $?) \
	"iommu map of the read-only page traced (iommu/map)"

# Back to the DMA API: unmapping the rogue pages invalidates the IOTLB.
echo "$bdf" >"$e/driver/unbind"
tap_check $(grep -qE " unmap: IOMMU: iova=0x0*100000 - " $T/trace &&
	grep -q "xrmu_cmd: .* INV_IOTLB " $T/trace; echo $?) \
	"unmap and its IOTLB invalidation traced"
tap_ok "modprobe xrmu_edu_test" modprobe xrmu_edu_test
er=/sys/kernel/debug/xrmu_edu_test/$bdf
[ -e "$er" ] || echo "$bdf" >/sys/bus/pci/drivers/xrmu_edu_test/bind
sed 's/^/# /' "$er"
tap_check $([ "$(grep -c "^ok" "$er")" -ge 8 ] && ! grep -q "^not ok" "$er"; echo $?) \
	"DMA through the DMA API works afterwards"
echo 0 >$T/tracing_on
for ev in xrmu/xrmu_fault iommu/map iommu/unmap xrmu/xrmu_cmd \
	iommu/io_page_fault; do
	echo 0 >"$T/events/$ev/enable"
done
echo >$T/trace
echo 1 >$T/tracing_on
echo "$bdf" >"$e/driver/unbind"
rmmod xrmu_edu_test xrmu_rogue
tap_done
