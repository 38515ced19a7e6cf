#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --qmp --timeout 900
# REQUIRES: model driver
#
# Suspend to idle (s2idle), 5 times, with a DMA domain and remapped MSIs
# in use.  Unlike S3 (xrmu-s3), the machine keeps power: the unit keeps
# the state the driver's suspend callback left it in (translation and
# interrupt remapping off, DMA blocked, queues stopped), so resume takes
# the other branch of xrmu_core_resume(): a unit found blocking, not in
# its reset state.  The host wakes the guest with an ACPI power-button
# press (QMP system_powerdown, sent a few seconds after the guest
# announced it, once it sleeps).  Checked after the cycles: every freeze
# entered and left s2idle, NVMe did a 4 MiB O_DIRECT round trip through its
# remapped queue interrupts after each, the driver counted 5 resumes and
# none from the reset state, the unit translates and remaps again, the
# NVMe entry is unchanged, an edu write to an unmapped IOVA is still
# blocked and reported, and no fault of the NVMe was reported.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/unit.sh
CYCLES=5
tap_plan 12


disk=nvme0n1
disk_pattern 4
n=$(pci_of_block $disk)
nbdf=$(basename "$n")
nrid=${nbdf#0000:}
e=$(pci_find 0x1234 0x11e8 | head -n1)
ebdf=$(basename "$e")
echo "$nbdf" >/sys/bus/pci/drivers/nvme/unbind
tap_ok "modprobe xrmu (NVMe $nbdf unbound)" modprobe xrmu
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
echo "$nbdf" >/sys/bus/pci/drivers/nvme/bind
disk_wait $disk
echo DMA >"$e/iommu_group/type"
modprobe xrmu_edu_test fault_test=1
r=/sys/kernel/debug/xrmu_edu_test/$ebdf
f0=$(faults "$ebdf")
tap_check $(edu_ok "$r" 9 && [ "$f0" -gt 0 ]; echo $?) \
	"edu round trips pass, its stale-IOVA write blocked and reported ($f0)"
tap_check $(nvme_ir_chips; echo $?) "NVMe queue interrupts are remapped (IR- chips)"
disk_roundtrip $disk 0
tap_check $? "4 MiB round trip before any suspend"
dte0=$(grep "^$nrid " "$x/dte")
tap_diag "NVMe entry: $dte0"
tap_check $(grep -qw freeze /sys/power/state; echo $?) "suspend to idle offered ($(cat /sys/power/state))"

bad_sleep=0
bad_rt=0
i=1
while [ $i -le $CYCLES ]; do
	qmp '{"execute": "system_powerdown", "xrmu-delay": 8}'
	echo freeze >/sys/power/state || bad_sleep=$((bad_sleep + 1))
	c0=$(nvme_count)
	if disk_roundtrip $disk $((4 * i)) >/dev/null && [ "$(nvme_count)" -gt "$c0" ]; then
		:
	else
		bad_rt=$((bad_rt + 1))
		tap_diag "cycle $i: round trip failed or no queue interrupt"
	fi
	i=$((i + 1))
done
entries=$(dmesg | grep -c 'PM: suspend entry (s2idle)')
exits=$(dmesg | grep -c 'PM: suspend exit')
tap_diag "$entries s2idle entries, $exits suspend exits"
tap_check $([ $bad_sleep = 0 ] && [ "$entries" = $CYCLES ] && [ "$exits" = $CYCLES ]; echo $?) \
	"$CYCLES suspend-to-idle cycles entered and left, each 'echo freeze' returned 0 ($bad_sleep failed)"
tap_check $([ $bad_rt = 0 ]; echo $?) \
	"4 MiB round trip with queue interrupts after every cycle ($bad_rt failed)"
tap_check $([ "$(cnt resumes)" = $CYCLES ] && [ "$(cnt resumes_reset)" = 0 ]; echo $?) \
	"the driver programmed the unit again $CYCLES times, never found in its reset state ($(cnt resumes), $(cnt resumes_reset))"
st=$(status)
tap_check $([ $((st & 0x10f)) = $((0xf)) ]; echo $?) \
	"unit translates and remaps, queues on, BLK off after the last resume (STATUS $st)"
dte1=$(grep "^$nrid " "$x/dte")
tap_diag "NVMe entry: $dte1"
tap_check $([ -n "$dte0" ] && [ "$dte0" = "$dte1" ]; echo $?) "NVMe device-table entry unchanged"
echo "$ebdf" >/sys/bus/pci/drivers/xrmu_edu_test/unbind
echo "$ebdf" >/sys/bus/pci/drivers/xrmu_edu_test/bind
sed 's/^/# /' "$r"
f1=$(faults "$ebdf")
tap_check $(edu_ok "$r" 9 && [ "$f1" -gt "$f0" ]; echo $?) \
	"edu after the cycles: round trips pass, stale-IOVA write blocked and reported ($f0 -> $f1 faults)"
dmesg | grep -E "xrmu [0-9a-f:.]+: fault .* rid $nbdf" | head -3 | sed 's/^/# /'
tap_check $([ "$(faults "$nbdf")" = 0 ]; echo $?) "no DMA or interrupt fault of the NVMe"
rm -f /tmp/pattern
tap_done
