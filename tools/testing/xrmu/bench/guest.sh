#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: guest side, run by tools/testing/xrmu/bench/run in one VM per
# IOMMU setup (run-vm --config bench --dev edu --dev nvme).  Prints one
# "BENCH <kind> key=value..." line per measurement on the script output;
# the host parses those.  Environment (from /xrmu/files/bench.env):
#   SETUP        none | intel-iommu | virtio-iommu | xrmu | xrmu-nocheck
#   MODES        "strict lazy" (or "none" without an IOMMU)
#   SECS         seconds per DMA map benchmark run
#   FIO_SECS     seconds per fio run (after 2 s of ramp)
#   PGTABLE      1: also run the page-table microbenchmark
#   PERF         1: record a perf profile of each fine-grained DMA run
#   FIO          0: skip fio (default 1)
#   FIO_ENGINE   fio ioengine (default libaio)
#   DET          1: deterministic mode (bench/run under -icount): every
#                measured run is bracketed by phase markers
#                (/xrmu/files/mark, "BENCH mark phase=..." lines) for the
#                instruction-counting plugin; fio reads a fixed amount
#                (FIO_IOSIZE) 4K randread only; no mmio-probe (an MMIO
#                access is one instruction of virtual time)
#   THREADS, GRANULES  DMA map cases (default "1 2" and "1 16")
#   TOOL         0: skip the kernel's dma_map_benchmark (default 1)
. /xrmu/files/bench.env
. /xrmu/lib/pci.sh

fail() {
	echo "BENCH error $*"
	exit 1
}

edu=$(pci_find 0x1234 0x11e8)
[ -n "$edu" ] || fail "no edu function"
[ -b /dev/nvme0n1 ] || fail "no /dev/nvme0n1"
nvme=$(pci_of_block nvme0n1)

# xrmu may be built in (the bench config does so) or a module.
if [ "${SETUP#xrmu}" != "$SETUP" ] && [ ! -e /sys/class/iommu/xrmu0 ]; then
	modprobe xrmu || fail "modprobe xrmu"
fi
modprobe xrmu_dma_bench || fail "modprobe xrmu_dma_bench"

# What one register read costs (bench/mmio-probe.c): edu's ID register in
# every setup, and xrmu's CMDQ_HEAD (the register the invalidation path
# used to read) behind xrmu.  Neither read has side effects.
probe() { # name, sysfs dir, offset
	o=$(/xrmu/files/mmio-probe "$2" "$3" 200000) || fail "mmio-probe $1: $o"
	echo "BENCH mmio setup=$SETUP dev=$1 ${o#mmio-probe }"
}
if [ "${DET:-0}" != 1 ]; then
	probe edu "$edu" 0x0
	if [ "${SETUP#xrmu}" != "$SETUP" ]; then
		probe xrmu "$(pci_find 0x1af4 0x10f0 | head -n1)" 0x48
	fi
fi

# A phase boundary for the instruction counter (deterministic mode).
mark() { # phase name
	[ "${DET:-0}" = 1 ] || return 0
	/xrmu/files/mark || fail "mark"
	echo "BENCH mark setup=$SETUP phase=$1"
}
THREADS=${THREADS:-1 2}
GRANULES=${GRANULES:-1 16}

unbind() { # sysfs dir
	[ -e "$1/driver" ] || return 0
	echo "$(basename "$1")" >"$1/driver/unbind"
}
bind() { # sysfs dir, driver
	echo "$2" >"$1/driver_override" &&
		echo "$(basename "$1")" >"/sys/bus/pci/drivers/$2/bind"
}
# Put a (driverless) function's group in the domain type of mode $2 and
# check that the function really sits behind the expected IOMMU.
retype() { # sysfs dir, mode
	if [ "$2" = none ]; then
		[ ! -e "$1/iommu_group" ] || fail "$(basename "$1") has an IOMMU group without an IOMMU"
		return 0
	fi
	[ -e "$1/iommu_group" ] || fail "$(basename "$1") is not behind an IOMMU ($SETUP)"
	case $2 in strict) t=DMA ;; lazy) t=DMA-FQ ;; esac
	# virtio-iommu keeps the group claimed after the first unbind (the
	# type cannot change): run/ boots it once per mode with iommu.strict.
	[ "$(cat "$1/iommu_group/type")" = "$t" ] ||
		echo "$t" >"$1/iommu_group/type" || fail "cannot set group type $t"
	got=$(cat "$1/iommu_group/type")
	[ "$got" = "$t" ] || fail "group type $got, wanted $t"
	u=$(basename "$(readlink "$1/iommu")")
	echo "BENCH attach setup=$SETUP mode=$2 dev=$(basename "$1") iommu=$u type=$got"
}

# virtio-iommu (ACPI VIOT) only takes a device over when a driver binds to
# it (dma_configure); edu has none at boot.
if [ "$SETUP" != none ] && [ ! -e "$edu/iommu_group" ]; then
	bind "$edu" dma_map_benchmark && unbind "$edu"
fi

for mode in $MODES; do
	# 1a. The kernel's dma_map_benchmark on edu.
	unbind "$edu"
	retype "$edu" "$mode"
	bind "$edu" dma_map_benchmark || fail "bind dma_map_benchmark"
	for t in $THREADS; do
		for g in $GRANULES; do
			[ "${TOOL:-1}" = 1 ] || continue
			mark "tool-$mode-t$t-g$g"
			o=$(/xrmu/files/dma_map_benchmark -t "$t" -g "$g" -s "$SECS" 2>&1) ||
				fail "dma_map_benchmark -t $t -g $g: $o"
			mark "end"
			m=$(echo "$o" | sed -n 's/^average map latency(us):\([0-9.]*\) standard deviation:\([0-9.]*\)$/map_us=\1 map_sd_us=\2/p')
			u=$(echo "$o" | sed -n 's/^average unmap latency(us):\([0-9.]*\) standard deviation:\([0-9.]*\)$/unmap_us=\1 unmap_sd_us=\2/p')
			[ -n "$m" ] && [ -n "$u" ] || fail "dma_map_benchmark output: $o"
			echo "BENCH dmabench setup=$SETUP mode=$mode threads=$t granule=$g $m $u"
		done
	done
	unbind "$edu"

	# 1b. The same loop with nanosecond sums (xrmu_dma_bench).
	bind "$edu" xrmu_dma_bench || fail "bind xrmu_dma_bench"
	p=/sys/module/xrmu_dma_bench/parameters
	echo "$SECS" >$p/seconds
	for t in $THREADS; do
		for g in $GRANULES; do
			echo "$t" >$p/threads
			echo "$g" >$p/granule
			mark "fine-$mode-t$t-g$g"
			if [ "${PERF:-0}" = 1 ]; then
				perf record -q -a -g -o /tmp/perf.data -- \
					cat /sys/kernel/debug/xrmu_dma_bench/run >/tmp/r 2>&1
				perf report -i /tmp/perf.data --stdio --no-children \
					--percent-limit 2 -g none 2>/dev/null |
					grep -v '^#' | grep . | head -25 |
					sed "s/^/BENCH-PERF $mode t$t g$g /"
				o=$(cat /tmp/r)
			else
				o=$(cat /sys/kernel/debug/xrmu_dma_bench/run 2>&1)
			fi
			mark "end"
			case $o in dma\ *) ;; *) fail "xrmu_dma_bench: $o" ;; esac
			echo "BENCH fine setup=$SETUP mode=$mode ${o#dma }"
		done
	done
	unbind "$edu"

	# 3. fio on nvme.
	[ "${FIO:-1}" = 1 ] || continue
	unbind "$nvme"
	retype "$nvme" "$mode"
	echo "$(basename "$nvme")" >/sys/bus/pci/drivers/nvme/bind || fail "bind nvme"
	i=0
	while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -b /dev/nvme0n1 ] || fail "nvme0n1 did not come back"
	jobs="randread:4k:32 read:128k:8"
	# A fixed amount of I/O: the instruction count per I/O does not
	# depend on how long the disk takes (null-co backend, bench/run).
	len="--ramp_time=2 --runtime=$FIO_SECS --time_based"
	if [ "${DET:-0}" = 1 ]; then
		jobs="randread:4k:32"
		len="--io_size=${FIO_IOSIZE:-64M}"
	fi
	for job in $jobs; do
		rw=${job%%:*}
		bs=${job#*:}
		qd=${bs#*:}
		bs=${bs%:*}
		mark "fio-$mode-$rw"
		# shellcheck disable=SC2086
		o=$(fio --name=b --filename=/dev/nvme0n1 --direct=1 --thread \
			--ioengine="${FIO_ENGINE:-libaio}" --rw="$rw" --bs="$bs" --iodepth="$qd" \
			$len --minimal 2>&1) || fail "fio $job: $o"
		mark "end"
		# Terse v3: field 6 read KiB, 7 read bandwidth (KiB/s), 8 read
		# IOPS, 9 runtime (ms).
		set -- $(echo "$o" | tail -n1 | awk -F';' '{ print $7, $8, $6, $9 }')
		[ -n "$2" ] || fail "fio output: $o"
		echo "BENCH fio setup=$SETUP mode=$mode rw=$rw bs=$bs qd=$qd bw_kib=$1 iops=$2 kib=$3 runtime_ms=$4"
	done
done

# 2 and 4. Page-table microbenchmark and memory.
if [ "${PGTABLE:-0}" = 1 ]; then
	modprobe xrmu_pgtable_bench || fail "modprobe xrmu_pgtable_bench"
	mark "pgtable"
	o=$(cat /sys/kernel/debug/xrmu_pgtable_bench/run 2>&1) || fail "pgtable bench: $o"
	mark "end"
	echo "$o" | grep -q '^# error' && fail "pgtable bench: $o"
	echo "$o" | sed -n 's/^\(pt\|mem\) /BENCH \1 /p'
	echo "$o" | grep '^#' | sed 's/^/BENCH-NOTE /'
fi
echo "BENCH done setup=$SETUP"
