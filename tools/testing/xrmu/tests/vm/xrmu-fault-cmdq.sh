#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --timeout 600
# BUNDLE: edu 90
# VARIANTS: xrmu-sys
#
# Command-queue failures injected through DBG_INJECT (debugfs "inject"):
#  - CMD_ILLEGAL and CMDQ_READ_ERR: reported, counted, the entry replaced
#    by a NOP and the queue resumed (recovered), DMA keeps working;
#  - CMD_ILLEGAL on a SYNC (debugfs "sync" issues one alone): replaced by
#    a NOP and completed by the driver, no error, no fence;
#  - CMDQ_STALL, the unit stops making progress: the waiting submitter
#    gives up after a bounded wait, the unit is fenced (translation off,
#    CTRL.BLK on, so the device's DMA is blocked instead of using caches
#    that can no longer be invalidated), later submissions fail at once,
#    the guest stays responsive; once the stall is lifted the driver
#    invalidates every cache, unfences the unit and DMA works again;
#  - the same with DBG_INJECT.CTRL_DELAY, so that the unit takes 50 ms to
#    act on each CTRL write, and two submitters waiting: no submission
#    gives up before the unit acknowledged the block (the "fenced" trace
#    event comes first and shows STATUS.BLK_ACK with EN_ACK clear), and
#    on recovery submissions are accepted again before translation is
#    switched back on, the caches are invalidated after them, and none is
#    refused once the CTRL write that re-enables translation is made.
# Event counters are compared with their values at the start (the unit
# may have served other tests of a bundle: this one fences the unit, so
# it runs last there); leaves edu unbound, in the group type it found.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/unit.sh
tap_plan 26

rerun() { # run the edu test module's DMA again
	echo "$bdf" >"$e/driver/unbind"
	echo "$bdf" >/sys/bus/pci/drivers/xrmu_edu_test/bind
}
# dcnt NAME: increase of a counter since the start of the test
dcnt() { echo $(($(cnt "$1") - $(sed -n "s/^$1 //p" /tmp/cmdq-counters0))); }

tap_ok "modprobe xrmu" modprobe xrmu
e=$(pci_find 0x1234 0x11e8 | head -n1)
bdf=$(basename "$e")
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
cat "$x/counters" >/tmp/cmdq-counters0
type0=$(cat "$e/iommu_group/type")
echo DMA >"$e/iommu_group/type"
tap_ok "modprobe xrmu_edu_test" modprobe xrmu_edu_test
r=/sys/kernel/debug/xrmu_edu_test/$bdf
tap_check $(edu_ok "$r"; echo $?) "DMA works before the injections"

echo 2 >"$x/inject"	# CMD_ILLEGAL
rerun
tap_check $(dmesg | grep -q "command queue error 1 (illegal command)" &&
	[ "$(dcnt cmd_error_illegal)" = 1 ]; echo $?) "illegal command reported and counted"
tap_check $(edu_ok "$r"; echo $?) "recovered: DMA works after the illegal command"

echo 8 >"$x/inject"	# CMDQ_READ_ERR
rerun
tap_check $(dmesg | grep -q "command queue error 2 (command read error)" &&
	[ "$(dcnt cmd_error_read_error)" = 1 ]; echo $?) "command read error reported and counted"
tap_check $(edu_ok "$r"; echo $?) "recovered: DMA works after the read error"

# A rejected SYNC: debugfs "sync" issues a SYNC alone, so the injected
# CMD_ILLEGAL hits the SYNC.  The driver replaces it by a NOP and completes
# it itself (every command before it has completed): the write succeeds
# at once, nothing is fenced.
echo 2 >"$x/inject"	# CMD_ILLEGAL
t0=$(now_cs)
echo 1 >"$x/sync"
src=$?
t1=$(now_cs)
tap_diag "SYNC alone with CMD_ILLEGAL injected: status $src, $((t1 - t0)) cs"
tap_check $([ "$src" = 0 ] && [ $((t1 - t0)) -lt 50 ]; echo $?) \
	"rejected SYNC: its submission completes at once, without error"
tap_check $(dmesg | grep -q "command queue error 1 (illegal command) at [0-9]*: .*, SYNC replaced by NOP and completed" &&
	[ "$(dcnt cmd_error_illegal)" = 2 ] && [ "$(dcnt fences)" = 0 ]; echo $?) \
	"rejected SYNC reported and counted, unit not fenced"
rerun
tap_check $(edu_ok "$r"; echo $?) "DMA works after the rejected SYNC"

# The unit stops making progress.
echo 1 >"$x/inject"	# CMDQ_STALL
t0=$(now_cs)
rerun
t1=$(now_cs)
tap_diag "edu test run with a stalled unit took $((t1 - t0)) cs"
sed 's/^/# /' "$r"
dmesg | grep -E "no progress|fenced" | sed 's/^/# /'
tap_check $(dmesg | grep -q "command queue made no progress (.*): unit fenced, DMA and MSIs of its devices blocked"; echo $?) \
	"stall detected and logged, unit fenced"
tap_check $([ $((t1 - t0)) -le 3000 ]; echo $?) "no hang: the driver run finished in bounded time"
tap_check $([ "$(dcnt fences)" = 1 ] && [ "$(cnt fenced)" = 1 ] && [ "$(dcnt cmd_timeouts)" -ge 1 ]; echo $?) \
	"counters: fenced once, timeouts counted"
st=$(status)
tap_diag "STATUS $st while fenced"
tap_check $([ $((st & 0x101)) = $((0x100)) ]; echo $?) "fenced: translation off, blocking (STATUS.BLK_ACK)"
tap_check $(grep -q "^not ok" "$r"; echo $?) "fenced: the device's DMA does not reach memory"
t0=$(now_cs); sh -c true; t1=$(now_cs)
tap_check $([ $((t1 - t0)) -le 200 ]; echo $?) "guest responsive while fenced"

echo 0 >"$x/inject"	# lift the stall
i=0
while [ $i -lt 50 ] && [ "$(dcnt recoveries)" != 1 ]; do sleep 0.1; i=$((i + 1)); done
dmesg | grep -E "no longer fenced" | sed 's/^/# /'
tap_check $([ "$(cnt fenced)" = 0 ] && [ "$(dcnt recoveries)" = 1 ] &&
	dmesg | grep -q "command queue moving again: caches invalidated, unit no longer fenced"; echo $?) \
	"stall lifted: unit recovered and logged"
st=$(status)
tap_check $([ $((st & 0x1)) = 1 ]; echo $?) "translation back on (STATUS $st)"
rerun
sed 's/^/# /' "$r"
tap_check $(edu_ok "$r"; echo $?) "DMA works after the recovery"

# Fence and recovery ordering, with a unit slow to act on CTRL.
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
echo 0 >$T/tracing_on
echo >$T/trace
for ev in xrmu_fence xrmu_ctrl xrmu_cmdq_done; do
	echo 1 >$T/events/xrmu/$ev/enable
done
echo 1 >$T/tracing_on
echo 0x41 >"$x/inject"	# CMDQ_STALL | CTRL_DELAY
# Two submitters on two CPUs, the second 300 ms after the first: it is
# still waiting (its own timeout is 300 ms later) when the first times
# out and fences the unit, which then takes 50 ms to block.
parwrite "$x/sync" 300 >/tmp/parwrite.out
sed 's/^/# /' /tmp/parwrite.out
s1=$(sed -n 's/^writer 0 (CPU 0): \(-*[0-9]*\) .*/\1/p' /tmp/parwrite.out)
s2=$(sed -n 's/^writer 1 (CPU 1): \(-*[0-9]*\) .*/\1/p' /tmp/parwrite.out)
tap_diag "two submitters on the stalled unit: ${s1:-none} and ${s2:-none}"
grep -E "xrmu_(fence|ctrl|cmdq_done):" $T/trace | sed 's/^ *//; s/^/# /'
# tline PATTERN: line number in the trace of the first event matching
tline() { grep -nE "$1" $T/trace | head -n1 | cut -d: -f1; }
fl=$(tline "xrmu_fence: .* fenced ")
fst=$(grep -E "xrmu_fence: .* fenced " $T/trace | head -n1 |
	sed -n 's/.*status=\(0x[0-9a-f]*\).*/\1/p')
el=$(tline "xrmu_cmdq_done: .* ret=-")
# the second submitter's SYNC was queued: it was waiting during the fence
q2=$(grep -E "xrmu_cmdq_done: .* seq=[1-9][0-9]* ret=-110" $T/trace | wc -l)
tap_check $([ "$s1" = -110 ] && [ "$s2" = -110 ] && [ "$q2" = 2 ] &&
	[ "$(dcnt fences)" = 2 ]; echo $?) \
	"slow block: both queued submissions fail (ETIMEDOUT), the unit is fenced once more"
tap_check $([ -n "$fl" ] && [ -n "$fst" ] && [ $((fst & 0x101)) = $((0x100)) ]; echo $?) \
	"fenced only once STATUS shows the block (status ${fst:-none})"
tap_check $([ -n "$fl" ] && [ -n "$el" ] && [ "$el" -gt "$fl" ]; echo $?) \
	"no submission gave up before the fence was in place"

echo >$T/trace
echo 0x40 >"$x/inject"	# lift the stall, CTRL_DELAY for the recovery
# Submit all along the recovery: none may be refused once it began.
i=0
while [ $i -lt 300 ] && [ "$(dcnt recoveries)" != 2 ]; do
	echo 1 >"$x/sync" 2>/dev/null
	i=$((i + 1))
done
grep -E "xrmu_(fence|ctrl):" $T/trace | sed 's/^ *//; s/^/# /'
rl=$(tline "xrmu_fence: .* recovering ")
# the recovery's own global invalidation completing (in its kworker)
il=$(grep -nE "kworker.*xrmu_cmdq_done: .* ret=0" $T/trace | cut -d: -f1 |
	while read -r l; do [ "$l" -gt "${rl:-0}" ] && echo "$l"; done | head -n1)
enl=$(grep -nE "xrmu_ctrl: .* ctrl=0x[0-9a-f]*[13579bdf]\$" $T/trace | head -n1 | cut -d: -f1)
bad=$(grep -nE "xrmu_cmdq_done: .* ret=-" $T/trace | cut -d: -f1 |
	while read -r l; do [ "$l" -gt "${rl:-0}" ] && echo "$l"; done | wc -l)
tap_diag "recovery: accepting at line ${rl:-none}, first completed submission ${il:-none}, EN written at ${enl:-none}, $bad refused after it began"
tap_check $([ "$(dcnt recoveries)" = 2 ] && [ "$(cnt fenced)" = 0 ] &&
	[ $((($(status)) & 0x101)) = 1 ]; echo $?) \
	"slow recovery: unit back on"
tap_check $([ -n "$rl" ] && [ -n "$il" ] && [ -n "$enl" ] && [ "$rl" -lt "$il" ] &&
	[ "$il" -lt "$enl" ]; echo $?) \
	"recovery accepts submissions, invalidates, then switches translation on"
tap_check $([ "$bad" = 0 ]; echo $?) \
	"no submission refused once the recovery began"
echo 0 >$T/tracing_on
for ev in xrmu_fence xrmu_ctrl xrmu_cmdq_done; do
	echo 0 >$T/events/xrmu/$ev/enable
done
rerun
tap_check $(edu_ok "$r"; echo $?) "DMA works after the second recovery"
sed 's/^/# /' "$x/counters"
echo "$bdf" >"$e/driver/unbind"
rmmod xrmu_edu_test
echo "$type0" >"$e/iommu_group/type"
tap_done
