#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --config bench --iommu xrmu --dev igb --mem 4G --timeout 2400
# RUNVM: --append "hugepagesz=1G hugepages=1"
#
# The kernel's own VFIO selftests (tools/testing/selftests/vfio of the
# Linux tree the harness builds; scripts/build-vfio-selftests.sh builds
# them, build-initramfs.sh puts them in /xrmu/vfio-selftests) on an igb
# (QEMU's -device igb, an 82576: the selftests' lib/drivers/igb drives it
# for DMA through internal loopback) behind xrmu, with no unsafe option.
# Every program the Makefile builds runs once with the igb's BDF; every
# KTAP result of theirs is a TAP point here, named "<program>: <case>";
# their whole output is in the log as "# " lines.  Besides the cases:
#  - the setup: xrmu.ko, allow_unsafe_interrupts off, the igb behind the
#    unit and bound to vfio-pci, 2 MiB and 1 GiB huge pages reserved (the
#    hugetlb variants of vfio_dma_mapping_test map 2M/1G leaves; the 1 GiB
#    page is reserved at boot and needs --mem 4G: with 3G the top-down
#    early allocations leave no free aligned GiB), shmem transparent huge
#    pages on (below);
#  - per program, one point "all N planned cases reported, exit status R"
#    (a crash or a killed program fails it, and each case it never
#    reported is a failure of its own);
#  - the unit's side of vfio_pci_driver_test: the igb's MSI-X messages
#    (send_msi, mix_and_match) went through its remapping table
#    (hw_irq_remapped grew), and the unit blocked the DMA of the
#    unmapped-IOVA cases (read and write faults for the igb's requester
#    ID); after each program the igb is still bound to vfio-pci.
# The guest boots the bench kernel (no debug checkers, xrmu built in, so
# "modprobe xrmu" does nothing; transparent huge pages, which only that
# kernel has): on the debug test kernel vfio_pci_driver_test's cases do
# not fit their 30 s (below), and the 148 cases take over 25 minutes.
# A skip is a failure unless the case and its reason are on the list of
# accepted skips below (none at present): on this machine every case can
# run, so a skip would hide xrmu support that is missing or untested.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh

ST=/xrmu/vfio-selftests
# The number of cases is what the programs plan: the TAP plan comes last.
ktap_print_header

# Accepted skips: "<program>:<case glob>:<reason glob>", one a line, with a
# comment saying why the skip hides nothing of xrmu.
ACCEPTED_SKIPS=""
skip_accepted() { # PROGRAM CASE REASON
	echo "$ACCEPTED_SKIPS" | while IFS=: read -r p c r; do
		[ -n "$p" ] || continue
		case $1 in $p) ;; *) continue ;; esac
		case $2 in $c) ;; *) continue ;; esac
		case $3 in $r) echo y; break ;; esac
	done | grep -q y
}

tap_ok "modprobe xrmu" modprobe xrmu
unsafe=0
for p in vfio_iommu_type1 iommufd; do
	f=/sys/module/$p/parameters/allow_unsafe_interrupts
	tap_diag "$p allow_unsafe_interrupts=$(cat "$f" 2>/dev/null || echo absent)"
	[ "$(cat "$f" 2>/dev/null)" = N ] || unsafe=1
done
tap_check $unsafe "allow_unsafe_interrupts is off for type1 and iommufd"

pci_list | sed 's/^/# /'
set -- $(pci_find 0x8086 0x10c9)
dev=$1
bdf=$(basename "${dev:-none}")
unit=
[ -z "$dev" ] || unit=$(basename "$(readlink -f "$(readlink -f "$dev/iommu")/device")")
xd=/sys/kernel/debug/iommu/xrmu/$unit
grp=
[ -z "$dev" ] || grp=$(basename "$(readlink "$dev/iommu_group")")
tap_diag "igb $bdf, unit $unit, group $grp"
tap_check $([ $# = 1 ] && [ -n "$unit" ] && [ -d "$xd" ] && [ -n "$grp" ]
	echo $?) "one igb (8086:10c9), in an IOMMU group of an xrmu unit"

vfio_bind() { # DEV
	echo vfio-pci >"$1/driver_override"
	[ ! -e "$1/driver" ] || echo "$(basename "$1")" >"$1/driver/unbind"
	echo "$(basename "$1")" >/sys/bus/pci/drivers/vfio-pci/bind
	[ "$(basename "$(readlink "$1/driver")")" = vfio-pci ] &&
		[ -c "/dev/vfio/$grp" ] && ls "$1"/vfio-dev/vfio* >/dev/null
}
tap_ok "bind igb $bdf to vfio-pci (group and device cdev exist)" vfio_bind "$dev"

# 2 MiB pages now; the 1 GiB one was reserved at boot (hugepagesz=1G
# hugepages=1), when memory is not fragmented yet.
h=/sys/kernel/mm/hugepages
echo 4 >"$h/hugepages-2048kB/nr_hugepages" 2>/dev/null
tap_diag "huge pages: 2M $(cat "$h/hugepages-2048kB/nr_hugepages" 2>/dev/null || echo none)," \
	"1G $(cat "$h/hugepages-1048576kB/nr_hugepages" 2>/dev/null || echo none)"
tap_check $([ "$(cat "$h/hugepages-2048kB/nr_hugepages" 2>/dev/null)" = 4 ] &&
	[ "$(cat "$h/hugepages-1048576kB/nr_hugepages" 2>/dev/null)" = 1 ]
	echo $?) "huge pages reserved: four of 2 MiB, one of 1 GiB"

# vfio_pci_driver_test maps a 1 GiB MAP_SHARED|MAP_ANONYMOUS region in the
# setup of each of its cases, which must fit the kselftest harness's fixed
# 30 s per case with everything else.  As 4K shmem pages it could not in
# a TCG guest of the debug kernel (writing 1 GiB to tmpfs took 88 s, and
# every case timed out); as 2M folios it is 512 allocations, and the unit
# maps it with 2M leaves.
t=/sys/kernel/mm/transparent_hugepage/shmem_enabled
echo always >"$t" 2>/dev/null
tap_diag "shmem_enabled: $(cat "$t" 2>/dev/null || echo "absent (no CONFIG_TRANSPARENT_HUGEPAGE)")"
tap_check $(grep -q '\[always\]' "$t" 2>/dev/null; echo $?) \
	"shmem transparent huge pages always on (vfio_pci_driver_test's 1 GiB)"

# vfio_pci_sriov_uapi_test enables a VF of the igb through vfio-pci.
echo Y >/sys/module/vfio_pci/parameters/enable_sriov 2>/dev/null
tap_diag "vfio_pci enable_sriov=$(cat /sys/module/vfio_pci/parameters/enable_sriov 2>/dev/null)"

counter() { awk -v k="$1" '$1 == k { print $2 }' "$xd/counters" 2>/dev/null; }
faults() { # read|write: the unit's fault records for the igb so far
	dmesg | grep -cE "xrmu(-sys)? [0-9A-Za-z:.]+: fault [A-Z0-9_]+ \(0x[0-9a-f]+\) $1 rid $bdf "
}

# run_selftest PROG: run it on the igb, its KTAP results as TAP points.
run_selftest() {
	local p=$1 out=/tmp/$1.out rc n planned l name dir reason t0 t1
	t0=$(date +%s)
	tap_diag "---- $p $bdf"
	{
		timeout 1200 "$ST/$p" "$bdf"
		echo $? >/tmp/$p.rc
	} 2>&1 | tee "$out" | sed 's/^/# /'
	rc=$(cat /tmp/$p.rc)
	t1=$(date +%s)
	n=0
	planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out" | head -n1)
	while IFS= read -r l; do
		case $l in
		"ok "*|"not ok "*) ;;
		*) continue ;;
		esac
		n=$((n + 1))
		name=$(echo "$l" | sed -E 's/^(not )?ok [0-9]+ //; s/ # .*//')
		dir=
		case $l in *" # "*) dir=${l#* # } ;; esac
		case $l in
		"not ok "*)
			tap_check 1 "$p: $name${dir:+ ($dir)}"
			;;
		*)
			case $dir in
			"")
				tap_check 0 "$p: $name" ;;
			SKIP*)
				reason=${dir#SKIP}
				reason=${reason# }
				if skip_accepted "$p" "$name" "$reason"; then
					tap_skip "$p: $name" "$reason"
				else
					tap_check 1 "$p: $name (skipped: \"$reason\"; not an accepted skip, it leaves xrmu untested)"
				fi
				;;
			XFAIL*)
				tap_check 0 "$p: $name (expected failure: ${dir#XFAIL })" ;;
			*)
				tap_check 1 "$p: $name ($dir)" ;;
			esac
			;;
		esac
	done <"$out"
	if [ -z "$planned" ]; then
		# The program stopped before its harness started (main() checks
		# the device first): one failure, with its last words.
		tap_check 1 "$p: no KTAP plan, exit status $rc: $(grep -v '^$' "$out" | tail -n1)"
		return
	fi
	while [ "$n" -lt "$planned" ]; do
		n=$((n + 1))
		tap_check 1 "$p: case $n of $planned not reported (exit status $rc)"
	done
	tap_diag "$p: $((t1 - t0)) s"
	tap_check $([ "$rc" = 0 ]; echo $?) "$p: all $planned planned cases reported, exit status $rc"
}

progs=$(cat "$ST/tests" 2>/dev/null)
tap_check $([ -n "$progs" ]; echo $?) "the selftest programs are in $ST: $(echo $progs)"
# The order of the Makefile, but the SR-IOV test last (it creates a VF).
order="$(echo "$progs" | grep -v sriov) $(echo "$progs" | grep sriov)"
for p in $order; do
	if [ "$p" = vfio_pci_driver_test ]; then
		irq0=$(counter hw_irq_remapped)
		r0=$(faults read)
		w0=$(faults write)
	fi
	run_selftest "$p"
	if [ "$p" = vfio_pci_driver_test ]; then
		# send_msi and mix_and_match have the igb raise its MSI-X
		# vector (vfio_pci_device_test's irq cases only signal the
		# eventfds from the kernel).
		irq1=$(counter hw_irq_remapped)
		tap_diag "$p: hw_irq_remapped ${irq0:-?} -> ${irq1:-?}"
		tap_check $([ -n "$irq0" ] && [ "${irq1:-0}" -gt "$irq0" ]; echo $?) \
			"$p: the igb's MSI-X messages went through the unit's remapping table"
		r1=$(faults read)
		w1=$(faults write)
		tap_diag "$p: the unit's fault records for $bdf: read $r0 -> $r1, write $w0 -> $w1"
		dmesg | grep -E "xrmu .*: fault .* rid $bdf " | tail -n 4 | sed 's/^/# /'
		tap_check $([ "$r1" -gt "$r0" ] && [ "$w1" -gt "$w0" ]; echo $?) \
			"$p: the unit blocked the igb's reads from and writes to unmapped IOVAs"
	fi
	tap_check $([ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ]; echo $?) \
		"after $p: the igb is still bound to vfio-pci"
done
sed 's/^/# counters: /' "$xd/counters" 2>/dev/null
dmesg | grep -iE "vfio|iommufd" | tail -n 10 | sed 's/^/# /'
tap_plan_late
tap_done
