#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --smp 4 --dev edu --timeout 900
# RUNVM: --qemu -device --qemu pci-bridge,id=vbr,chassis_nr=1
# RUNVM: --qemu -device --qemu edu,bus=vbr,addr=1,dma_mask=0xffffffffffffffff
# RUNVM: --qemu -device --qemu edu,bus=vbr,addr=2,dma_mask=0xffffffffffffffff
#
# Concurrency: map, unmap and IOTLB invalidation from several CPUs at once,
# in one domain and in two, strict and lazy, with DMA verified byte by
# byte meanwhile.  Two edus behind a conventional PCI bridge share a group
# and so a domain; a third, on the root bus, has its own.  In each pass
# xrmu_dma_bench maps and unmaps from T kernel threads (unbound, on all
# online CPUs) through the first bridged edu's domain for 6 s, while
# xrmu_edu_test has the other bridged edu (same domain) and the root-bus
# edu (other domain) copy random buffers through their own mappings and
# checks every byte.  Passes: strict (DMA) with 4 threads on 4 CPUs, lazy
# (DMA-FQ) with 4 threads on 4 CPUs, strict with 2 threads on 2 CPUs (CPUs
# 2 and 3 taken offline).  The model's invalidation checker is on (a
# stale translation used after its SYNC is a conformance violation, which
# run-vm fails on), and so are lockdep, KASAN and DMA-API debugging.  The
# unit must record no fault and time out no command.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/unit.sh
tap_plan 13

tap_ok "modprobe xrmu" modprobe xrmu
tap_ok "modprobe xrmu_dma_bench" modprobe xrmu_dma_bench
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
main=
set --
for d in $(pci_find 0x1234 0x11e8); do
	case $(basename "$d") in
	0000:00:*) main=$d ;;
	*) set -- "$@" "$d" ;;
	esac
done
bench=$1
peer=$2
grp() { basename "$(readlink "$1/iommu_group")"; }
tap_diag "edus: $(basename "$main") (group $(grp "$main")), $(basename "$bench") and $(basename "$peer") (group $(grp "$bench"), $(grp "$peer"))"
f0=$(cnt fault_records)
t0=$(cnt cmd_timeouts)

# pass TYPE THREADS: one concurrent run, 3 points.
pass() {
	for d in "$main" "$bench"; do
		echo "$1" >"$d/iommu_group/type"
	done
	echo xrmu_dma_bench >"$bench/driver_override"
	echo "$(basename "$bench")" >/sys/bus/pci/drivers/xrmu_dma_bench/bind
	echo "$2" >/sys/module/xrmu_dma_bench/parameters/threads
	echo 6 >/sys/module/xrmu_dma_bench/parameters/seconds
	cat /sys/kernel/debug/xrmu_dma_bench/run >/tmp/bench.out 2>&1 &
	bpid=$!
	sleep 1
	modprobe xrmu_edu_test rounds=12
	wait $bpid
	brc=$?
	sed 's/^/# /' /tmp/bench.out
	tap_check $([ $brc = 0 ] && grep -q "^dma threads=$2 .* loops=[1-9]" /tmp/bench.out
		echo $?) "$1, $(grep -c ^processor /proc/cpuinfo) CPUs online: $2 threads mapped and unmapped through one domain for 6 s"
	for d in "$peer" "$main"; do
		r=/sys/kernel/debug/xrmu_edu_test/$(basename "$d")
		sed 's/^/# /' "$r"
		if [ "$d" = "$peer" ]; then
			w="the same domain"
		else
			w="another domain"
		fi
		tap_check $(edu_ok "$r"; echo $?) \
			"$1: edu DMA in $w meanwhile, every byte checked"
	done
	rmmod xrmu_edu_test
	echo "$(basename "$bench")" >/sys/bus/pci/drivers/xrmu_dma_bench/unbind
	echo >"$bench/driver_override"
}

pass DMA 4
pass DMA-FQ 4
off=0
for c in 2 3; do
	echo 0 >/sys/devices/system/cpu/cpu$c/online && off=$((off + 1))
done
tap_check $([ $off = 2 ]; echo $?) "CPUs 2 and 3 offline"
pass DMA 2
for c in 2 3; do
	echo 1 >/sys/devices/system/cpu/cpu$c/online
done

f1=$(cnt fault_records)
t1=$(cnt cmd_timeouts)
tap_check $([ "$f1" = "$f0" ] && [ "$t1" = "$t0" ]; echo $?) \
	"no fault recorded, no command timed out ($f0 -> $f1 records, $t0 -> $t1 timeouts)"
tap_done
