#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --qmp --timeout 900
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
. /xrmu/lib/sleep.sh
CYCLES=5
tap_plan 14

sleep_setup
tap_check $(grep -qw freeze /sys/power/state; echo $?) "suspend to idle offered ($(cat /sys/power/state))"
sleep_cycles $CYCLES freeze '{"execute": "system_powerdown", "xrmu-delay": 8}'
entries=$(dmesg | grep -c 'PM: suspend entry (s2idle)')
exits=$(dmesg | grep -c 'PM: suspend exit')
tap_diag "$entries s2idle entries, $exits suspend exits"
tap_check $([ $bad_sleep = 0 ] && [ "$entries" = $CYCLES ] && [ "$exits" = $CYCLES ]; echo $?) \
	"$CYCLES suspend-to-idle cycles entered and left, each 'echo freeze' returned 0 ($bad_sleep failed)"
sleep_after $CYCLES 0
tap_done
