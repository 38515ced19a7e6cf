#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --qmp --timeout 1500
# REQUIRES: model driver
#
# Suspend to RAM (ACPI S3 on q35) and resume, 20 times, with a DMA domain
# and remapped MSIs in use.  QEMU resets every device when it wakes the
# machine from S3 (QMP system_wakeup, sent by the host once the guest is
# asleep), so the unit comes back in its reset state, passing DMA through:
# the driver must program it again (blocked first) before the devices it
# translates resume.  NVMe, bound after xrmu loaded, does a 4 MiB O_DIRECT
# round trip after every cycle through its remapped queue interrupts;
# after the last one its device-table entry is the one it had before, the
# unit translates and remaps (STATUS), the driver counted 20 resumes, edu
# round trips pass again and a write by edu to an unmapped IOVA is still
# blocked and reported as a fault, and no DMA or interrupt fault of the
# NVMe was reported.  Without the driver's resume callback the first
# round trip after a resume fails (DMA passed through untranslated).
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/unit.sh
CYCLES=20
tap_plan 15


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
tap_check $(edu_ok "$r" 9; echo $?) "edu round trips pass and its stale-IOVA write is blocked"
f0=$(faults "$ebdf")
type=$(cat "$n/iommu_group/type" 2>/dev/null)
tap_check $(case $type in DMA|DMA-FQ) echo 0 ;; *) echo 1 ;; esac) \
	"NVMe on a DMA domain of xrmu ($type), edu fault recorded ($f0)"
tap_check $(nvme_ir_chips; echo $?) "NVMe queue interrupts are remapped (IR- chips)"
disk_roundtrip $disk 0
tap_check $? "4 MiB round trip before any suspend"
dte0=$(grep "^$nrid " "$x/dte")
tap_diag "NVMe entry: $dte0"

grep -q deep /sys/power/mem_sleep && echo deep >/sys/power/mem_sleep
tap_diag "mem_sleep: $(cat /sys/power/mem_sleep)"
tap_check $(grep -q '\[deep\]' /sys/power/mem_sleep; echo $?) "S3 (deep) offered and selected"

# QEMU resets the LPC bridge on an S3 wake-up and SeaBIOS's resume path
# does not program its ACPI I/O base (PMBASE, ACPI_CNTL at 0x40-0x47)
# again, which Linux does not restore either (beyond the PCI header): the
# next S3 request and the final power-off would then write to an I/O
# range nothing decodes.  The test restores those bytes after each cycle,
# as the firmware of a real board does.
lpc=/sys/bus/pci/devices/0000:00:1f.0/config
dd if=$lpc of=/tmp/lpc-pm bs=1 skip=64 count=8 2>/dev/null
bad_sleep=0
bad_rt=0
i=1
while [ $i -le $CYCLES ]; do
	qmp '{"execute": "system_wakeup", "xrmu-retry": 120}'
	echo mem >/sys/power/state || bad_sleep=$((bad_sleep + 1))
	dd if=/tmp/lpc-pm of=$lpc bs=1 seek=64 count=8 conv=notrunc 2>/dev/null
	c0=$(nvme_count)
	if disk_roundtrip $disk $((4 * i)) >/dev/null && [ "$(nvme_count)" -gt "$c0" ]; then
		:
	else
		bad_rt=$((bad_rt + 1))
		tap_diag "cycle $i: round trip failed or no queue interrupt"
	fi
	i=$((i + 1))
done
tap_diag "$(dmesg | grep -c 'PM: suspend exit') suspend exits, $(dmesg | grep -c 'Waking up from system sleep state S3') S3 wake-ups"
tap_check $([ $bad_sleep = 0 ]; echo $?) "$CYCLES suspend/resume cycles, each 'echo mem' returned 0 ($bad_sleep failed)"
tap_check $([ "$(dmesg | grep -c 'Waking up from system sleep state S3')" -ge $CYCLES ]; echo $?) \
	"the kernel woke from S3 $CYCLES times"
tap_check $([ $bad_rt = 0 ]; echo $?) \
	"4 MiB round trip with queue interrupts after every cycle ($bad_rt failed)"
tap_check $([ "$(cnt resumes)" = $CYCLES ] && [ "$(cnt resumes_reset)" = $CYCLES ]; echo $?) \
	"the driver programmed the unit again $CYCLES times, each time found in its reset state ($(cnt resumes), $(cnt resumes_reset))"
st=$(status)
tap_check $([ $((st & 0x10f)) = $((0xf)) ]; echo $?) \
	"unit translates and remaps, queues on, BLK off after the last resume (STATUS $st)"
dte1=$(grep "^$nrid " "$x/dte")
tap_diag "NVMe entry: $dte1"
tap_check $([ -n "$dte0" ] && [ "$dte0" = "$dte1" ]; echo $?) "NVMe device-table entry unchanged"
tap_check $(nvme_ir_chips; echo $?) "NVMe queue interrupts still remapped"
echo "$ebdf" >/sys/bus/pci/drivers/xrmu_edu_test/unbind
echo "$ebdf" >/sys/bus/pci/drivers/xrmu_edu_test/bind
sed 's/^/# /' "$r"
f1=$(faults "$ebdf")
tap_check $(edu_ok "$r" 9 && [ "$f1" -gt "$f0" ]; echo $?) \
	"edu after the cycles: round trips pass, stale-IOVA write blocked and reported ($f0 -> $f1 faults)"
dmesg | grep -E "xrmu [0-9a-f:.]+: fault .* rid $nbdf" | head -3 | sed 's/^/# /'
tap_check $([ "$(faults "$nbdf")" = 0 ]; echo $?) "no DMA or interrupt fault of the NVMe"
rm -f /tmp/pattern
