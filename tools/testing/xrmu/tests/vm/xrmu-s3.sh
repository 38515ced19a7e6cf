#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --qmp --timeout 1500
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
. /xrmu/lib/sleep.sh
CYCLES=20
tap_plan 15

sleep_setup
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
lpc_restore() { dd if=/tmp/lpc-pm of=$lpc bs=1 seek=64 count=8 conv=notrunc 2>/dev/null; }
sleep_cycles $CYCLES mem '{"execute": "system_wakeup", "xrmu-retry": 120}' lpc_restore
wakes=$(dmesg | grep -c 'Waking up from system sleep state S3')
tap_diag "$(dmesg | grep -c 'PM: suspend exit') suspend exits, $wakes S3 wake-ups"
tap_check $([ $bad_sleep = 0 ]; echo $?) "$CYCLES suspend/resume cycles, each 'echo mem' returned 0 ($bad_sleep failed)"
tap_check $([ "$wakes" -ge $CYCLES ]; echo $?) "the kernel woke from S3 $CYCLES times"
sleep_after $CYCLES $CYCLES
tap_done
