#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --timeout 600
#
# The unit vanishes under the driver (surprise removal, or a register
# block that died): DBG_INJECT.UNIT_GONE makes every register of the
# model read all ones and ignore writes, and delivers one last fault
# interrupt, so the fault thread runs against the all-ones registers.
# The driver must see that the unit is gone (VERSION reads all ones),
# say so once, and stop: the fault thread returns at once instead of
# draining a queue whose HEAD and TAIL are all ones, submissions fail at
# once with ENODEV instead of timing out and fencing, and the unit's PCI
# removal (what pciehp does on a surprise removal) completes in bounded
# time and without a splat (run-vm scans the log).  The CPU time of the
# fault thread is read from /proc.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/unit.sh
tap_plan 10

# ticks PID: user + system time of a task, in clock ticks (USER_HZ)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

tap_ok "modprobe xrmu" modprobe xrmu
u=$(pci_find 0x1af4 0x10f0 | head -n1)
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
e=$(pci_find 0x1234 0x11e8 | head -n1)
bdf=$(basename "$e")
echo DMA >"$e/iommu_group/type"
modprobe xrmu_edu_test
r=/sys/kernel/debug/xrmu_edu_test/$bdf
tap_check $(edu_ok "$r"; echo $?) "DMA works before the unit goes"

# The fault interrupt is the unit's first MSI-X vector; its thread is
# "irq/<irq>-<name>".
irq=$(ls "$u/msi_irqs" | sort -n | head -n1)
pid=
for c in /proc/[0-9]*/comm; do
	case $(cat "$c" 2>/dev/null) in
	"irq/$irq-"*) pid=${c#/proc/}; pid=${pid%/comm} ;;
	esac
done
tap_diag "fault interrupt $irq, thread pid ${pid:-none}"
tap_check $([ -n "$pid" ]; echo $?) "fault interrupt thread found"

t0=$(ticks "$pid")
irqs0=$(cnt fault_irqs)
echo 0x20 >"$x/inject"	# UNIT_GONE
sleep 2
t1=$(ticks "$pid")
tap_diag "fault thread CPU time over the 2 s after the unit went: $((t1 - t0)) ticks"
dmesg | grep -E "does not respond|out of range" | sed 's/^/# /'
tap_check $(dmesg | grep -q "unit does not respond (registers read all ones): treated as removed" &&
	[ "$(dmesg | grep -c "unit does not respond")" = 1 ]; echo $?) \
	"the driver finds the unit gone and says so once"
tap_check $([ "$(cnt gone)" = 1 ] && [ "$(cnt fault_irqs)" -gt "$irqs0" ]; echo $?) \
	"the last fault interrupt ran the fault thread, the unit is marked gone"
tap_check $([ $((t1 - t0)) -le 10 ]; echo $?) \
	"the fault thread does not spin on all-ones registers"
tap_check $(grep -q "^VERSION *0xffffffff" "$x/regs"; echo $?) \
	"the unit's registers read all ones"

c0=$(cnt cmd_timeouts)
t0=$(now_cs)
echo 1 >"$x/sync" 2>/tmp/sync.err
src=$?
t1=$(now_cs)
tap_diag "SYNC on the gone unit: status $src, $((t1 - t0)) cs: $(cat /tmp/sync.err)"
tap_check $([ "$src" != 0 ] && grep -q "No such device" /tmp/sync.err &&
	[ $((t1 - t0)) -lt 50 ] && [ "$(cnt cmd_timeouts)" = "$c0" ] &&
	[ "$(cnt fences)" = 0 ]; echo $?) \
	"a submission fails at once (ENODEV), nothing timed out or fenced"

echo "$bdf" >"$e/driver/unbind"
rmmod xrmu_edu_test
# What the PCI core does on surprise removal (pciehp): remove the
# function, so the driver's remove runs against the all-ones registers.
t0=$(now_cs)
echo 1 >"$u/remove"
rc=$?
t1=$(now_cs)
tap_diag "PCI removal of the unit: status $rc, $((t1 - t0)) cs"
tap_check $([ "$rc" = 0 ] && [ ! -e /sys/class/iommu/xrmu0 ] &&
	[ ! -e "$e/iommu_group" ] && [ $((t1 - t0)) -lt 1000 ]; echo $?) \
	"the unit's removal completes in bounded time, its devices released"
tap_check $(! dmesg | grep -qE "WARNING:|BUG:|Oops|hung_task|blocked for more than"; echo $?) \
	"no warning, bug or hung task in the log"
tap_done
