# SPDX-License-Identifier: GPL-2.0
# System-sleep tests shared by tests/vm/xrmu-s3.sh and xrmu-s2idle.sh
# (needs tap.sh, pci.sh, irq.sh, disk.sh, edu.sh and unit.sh sourced).
# The guest has an NVMe disk (nvme0n1) and edu; xrmu.ko is not loaded.

# sleep_setup: 5 TAP points.  Loads xrmu with the NVMe unbound (so it is
# translated when it binds again, with remapped queue interrupts), runs
# edu's round trips and its blocked stale-IOVA write on a strict DMA
# domain, and one 4 MiB round trip of the disk.  Sets disk, nbdf, ebdf, r
# (edu's result file), x (the unit's debugfs directory), f0 (edu's fault
# records so far) and dte0 (the NVMe device-table entry).
sleep_setup() {
	disk=nvme0n1
	disk_pattern 4
	_n=$(pci_of_block $disk)
	nbdf=$(basename "$_n")
	_e=$(pci_find 0x1234 0x11e8 | head -n1)
	ebdf=$(basename "$_e")
	xrmu_load "modprobe xrmu (NVMe $nbdf unbound)" "$_n"
	x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
	disk_wait $disk
	echo DMA >"$_e/iommu_group/type"
	modprobe xrmu_edu_test fault_test=1
	r=/sys/kernel/debug/xrmu_edu_test/$ebdf
	f0=$(faults "$ebdf")
	tap_check $(edu_ok "$r" 9 && [ "$f0" -gt 0 ]; echo $?) \
		"edu round trips pass, its stale-IOVA write blocked and reported ($f0)"
	_t=$(cat "$_n/iommu_group/type" 2>/dev/null)
	tap_check $(case $_t in DMA|DMA-FQ) echo 0 ;; *) echo 1 ;; esac) \
		"NVMe on a DMA domain of xrmu ($_t)"
	tap_check $(nvme_ir_chips; echo $?) "NVMe queue interrupts are remapped (IR- chips)"
	disk_roundtrip $disk 0
	tap_check $? "4 MiB round trip before any suspend"
	dte0=$(grep "^${nbdf#0000:} " "$x/dte")
	tap_diag "NVMe entry: $dte0"
}

# sleep_cycles N STATE WAKE [AFTER]: N times, announce the QMP command WAKE
# (JSON), write STATE to /sys/power/state, run the command AFTER if given,
# then a 4 MiB round trip to a region not written before, which must
# raise queue interrupts.  Counts failures in bad_sleep and bad_rt.
sleep_cycles() {
	bad_sleep=0
	bad_rt=0
	_i=1
	while [ $_i -le "$1" ]; do
		qmp "$3"
		echo "$2" >/sys/power/state || bad_sleep=$((bad_sleep + 1))
		[ -z "${4:-}" ] || $4
		_c0=$(nvme_count)
		if disk_roundtrip $disk $((4 * _i)) >/dev/null &&
		   [ "$(nvme_count)" -gt "$_c0" ]; then
			:
		else
			bad_rt=$((bad_rt + 1))
			tap_diag "cycle $_i: round trip failed or no queue interrupt"
		fi
		_i=$((_i + 1))
	done
}

# sleep_after N RESETS: 7 TAP points after N cycles: a round trip after
# every cycle, N resumes of which RESETS found the unit in its reset
# state, the unit translating and remapping again, the NVMe entry and its
# remapped interrupts unchanged, edu's round trips and blocked write
# again, no fault of the NVMe.
sleep_after() {
	tap_check $([ $bad_rt = 0 ]; echo $?) \
		"4 MiB round trip with queue interrupts after every cycle ($bad_rt failed)"
	tap_check $([ "$(cnt resumes)" = "$1" ] && [ "$(cnt resumes_reset)" = "$2" ]; echo $?) \
		"the driver programmed the unit again $1 times, $2 of them found in its reset state ($(cnt resumes), $(cnt resumes_reset))"
	_st=$(status)
	tap_check $([ $((_st & 0x10f)) = $((0xf)) ]; echo $?) \
		"unit translates and remaps, queues on, BLK off after the last resume (STATUS $_st)"
	_d=$(grep "^${nbdf#0000:} " "$x/dte")
	tap_diag "NVMe entry: $_d"
	tap_check $([ -n "$dte0" ] && [ "$dte0" = "$_d" ]; echo $?) "NVMe device-table entry unchanged"
	tap_check $(nvme_ir_chips; echo $?) "NVMe queue interrupts still remapped"
	echo "$ebdf" >/sys/bus/pci/drivers/xrmu_edu_test/unbind
	echo "$ebdf" >/sys/bus/pci/drivers/xrmu_edu_test/bind
	sed 's/^/# /' "$r"
	_f1=$(faults "$ebdf")
	tap_check $(edu_ok "$r" 9 && [ "$_f1" -gt "$f0" ]; echo $?) \
		"edu after the cycles: round trips pass, stale-IOVA write blocked and reported ($f0 -> $_f1 faults)"
	dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: fault .* rid $nbdf" | head -3 | sed 's/^/# /'
	tap_check $([ "$(faults "$nbdf")" = 0 ]; echo $?) "no DMA or interrupt fault of the NVMe"
	rm -f /tmp/pattern
}
