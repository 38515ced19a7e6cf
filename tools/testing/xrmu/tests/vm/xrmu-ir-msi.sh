#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --timeout 900
# BUNDLE: edu 20
# VARIANTS: xrmu-sys
#
# xrmu interrupt remapping, module build.  NVMe is unbound before xrmu.ko
# loads (a device that is already running keeps compatibility MSIs), so
# both it and edu get the remapping domain as MSI parent when they bind:
# - NVMe MSI-X and edu MSI lines show the IR- chips in /proc/interrupts,
#   their counts rise and the unit's CNT_IR_REMAP (debugfs regs) with them;
# - /proc/irq/N/smp_affinity moves edu's delivery from one CPU to the
#   other (the IRTE is rewritten and invalidated), per-CPU counts show it;
# - edu, made to DMA-write into the interrupt window (xrmu_ir_edu "forge"):
#   its own message is delivered (control), NVMe's remappable message
#   (another device's handle) faults IR_INDEX and a compatibility-format
#   message aimed at NVMe's vector and CPU faults IR_COMPAT; neither
#   raises an interrupt on NVMe nor on edu;
# - the interrupt window is edu's reserved msi region, and VFIO's type1
#   backend accepts edu without allow_unsafe_interrupts (isolated MSI).
# Needs xrmu.ko not loaded yet (first xrmu test of its bundle); leaves
# edu unbound, without a driver override.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
. /xrmu/lib/unit.sh
tap_plan 24

# irq_dbg IRQ FIELD: from the irq debugfs file: "handle" (the IRT index,
# low 16 bits of the xrmu domain's hwirq), "vector" or "target" (CPU)
irq_dbg() {
	_f=/sys/kernel/debug/irq/irqs/$1
	case $2 in
	handle)
		_h=$(awk '/domain: *XRMU-IR/ { ir = 1; next }
			ir && /hwirq:/ { print $2; exit }' "$_f")
		[ -n "$_h" ] && echo $((_h & 0xffff))
		;;
	vector) awk '/Vector:/ { v = $2 } END { print v }' "$_f" ;;
	target) awk '/Target:/ { t = $2 } END { print t }' "$_f" ;;
	esac
}
# fault_seen REASON CODE: a fault record of edu's interrupt request
fault_seen() {
	dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: fault $1 \\($2\\) irq rid 0000:${ebdf#0000:}"
}

disk=nvme0n1
n=$(pci_of_block $disk)
nbdf=$(basename "$n")
e=$(pci_find 0x1234 0x11e8 | head -n1)
ebdf=$(basename "$e")
xrmu_load "modprobe xrmu (NVMe $nbdf unbound, edu $ebdf)" "$n"
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
dmesg | grep -E "interrupt remapping" | sed 's/^/# /'
tap_check $([ $(($(reg CTRL) & 2)) != 0 ] && [ $(($(reg STATUS) & 2)) != 0 ]; echo $?) \
	"CTRL.IRE and STATUS.IRE_ACK set"

disk_wait $disk
tap_ok "NVMe rebound (/dev/$disk)" test -b /dev/$disk
grep -E "nvme|CPU" /proc/interrupts | sed 's/^/# /'
bad=0
[ -n "$(nvme_irqs)" ] || bad=1
for i in $(nvme_irqs); do
	case $(irq_chip "$i") in IR-PCI-MSIX*) ;; *) bad=1 ;; esac
done
tap_check $bad "every NVMe interrupt is on an IR-PCI-MSIX chip"
c0=$(nvme_count)
r0=$(reg CNT_IR_REMAP)
dd if=/dev/$disk of=/dev/null bs=64k count=256 iflag=direct 2>/dev/null
c1=$(nvme_count)
r1=$(reg CNT_IR_REMAP)
tap_diag "NVMe interrupts $c0 -> $c1, CNT_IR_REMAP $r0 -> $r1"
tap_check $([ "$c1" -gt "$c0" ]; echo $?) "NVMe interrupt counts rise with I/O"
tap_check $([ $((r1 - r0)) -ge $((c1 - c0)) ]; echo $?) \
	"CNT_IR_REMAP rises at least as much"

tap_ok "modprobe xrmu_ir_edu" modprobe xrmu_ir_edu
d=/sys/kernel/debug/xrmu_ir_edu/$ebdf
irq=$(cat $d/irq)
grep -E "^ *$irq:" /proc/interrupts | sed 's/^/# /'
tap_check $(case $(irq_chip "$irq") in IR-PCI-MSI-*) echo 0 ;; *) echo 1 ;; esac) \
	"edu MSI (irq $irq) is on an IR-PCI-MSI chip"
k0=$(irq_count "$irq")
m0=$(cat $d/count)
r0=$(reg CNT_IR_REMAP)
echo 20 >$d/raise
k1=$(irq_count "$irq")
m1=$(cat $d/count)
r1=$(reg CNT_IR_REMAP)
tap_diag "edu: /proc/interrupts $k0 -> $k1, handled $m0 -> $m1, CNT_IR_REMAP $r0 -> $r1"
tap_check $([ $((k1 - k0)) = 20 ] && [ $((m1 - m0)) = 20 ]; echo $?) \
	"20 edu interrupts raised, 20 delivered"
tap_check $([ $((r1 - r0)) -ge 20 ]; echo $?) "CNT_IR_REMAP rose by at least 20"

# affinity CPU: move edu's interrupt to CPU, raise 10, all on that CPU
affinity() {
	_a0=$(irq_count "$irq" 0)
	_a1=$(irq_count "$irq" 1)
	echo $((1 << $1)) >/proc/irq/$irq/smp_affinity || return 1
	# Before any interrupt arrives on the new vector: the driver has
	# rewritten the IRTE and released the old vector already
	# (vector_schedule_cleanup()), so no move is left in progress.
	_mv=$(awk '$1 == "move_in_progress:" { print $2 }' /sys/kernel/debug/irq/irqs/$irq)
	tap_diag "after the affinity write: move_in_progress ${_mv:-?}"
	echo "${_mv:-?}" >/tmp/ir-move.$1
	echo 10 >$d/raise || return 1
	_b0=$(irq_count "$irq" 0)
	_b1=$(irq_count "$irq" 1)
	tap_diag "affinity $(cat /proc/irq/$irq/smp_affinity_list) effective $(cat /proc/irq/$irq/effective_affinity_list): CPU0 $_a0 -> $_b0, CPU1 $_a1 -> $_b1"
	if [ "$1" = 0 ]; then
		[ $((_b0 - _a0)) = 10 ] && [ "$_b1" = "$_a1" ]
	else
		[ $((_b1 - _a1)) = 10 ] && [ "$_b0" = "$_a0" ]
	fi
}
if [ "$ncpu" -ge 2 ]; then
	affinity 1
	tap_check $? "smp_affinity 2: edu interrupts delivered on CPU1"
	tap_check $([ "$(cat /tmp/ir-move.1)" = 0 ]; echo $?) \
		"move to CPU1: old vector released before the first interrupt"
	affinity 0
	tap_check $? "smp_affinity 1: edu interrupts delivered on CPU0"
	tap_check $([ "$(cat /tmp/ir-move.0)" = 0 ]; echo $?) \
		"move to CPU0: old vector released before the first interrupt"
else
	tap_skip "smp_affinity to CPU1" "one CPU"
	tap_skip "old vector released (CPU1)" "one CPU"
	tap_skip "smp_affinity to CPU0" "one CPU"
	tap_skip "old vector released (CPU0)" "one CPU"
fi

# Forged messages.  Control: edu's own remappable message (SHV = 1,
# handle and subhandle 0) sent by DMA is delivered as its interrupt.
eh=$(irq_dbg "$irq" handle)
k0=$(irq_count "$irq")
r0=$(reg CNT_IR_REMAP)
echo "$((0xfee00018 | (eh << 5))) 0" >$d/forge
sleep 1
k1=$(irq_count "$irq")
r1=$(reg CNT_IR_REMAP)
tap_diag "edu handle $eh: own message by DMA: irq $k0 -> $k1, CNT_IR_REMAP $r0 -> $r1"
tap_check $([ $((k1 - k0)) = 1 ] && [ $((r1 - r0)) -ge 1 ]; echo $?) \
	"control: edu's own message written by DMA is remapped and delivered"

# The victim: the NVMe interrupt with the largest IRT index (not 0, so it
# is outside edu's one-entry table).
v=
vh=0
for i in $(nvme_irqs); do
	h=$(irq_dbg "$i" handle)
	[ "$h" -gt "$vh" ] && { v=$i; vh=$h; }
done
vv=$(irq_dbg "$v" vector)
vt=$(irq_dbg "$v" target)
tap_diag "victim: NVMe irq $v, handle $vh, vector $vv on CPU $vt"
tap_check $([ -n "$v" ] && [ -n "$vv" ] && [ -n "$vt" ]; echo $?) \
	"NVMe's handle, vector and CPU read from /sys/kernel/debug/irq"

forge() { # ADDR DATA REASON CODE DESC
	_v0=$(irq_count "$v")
	_k0=$(irq_count "$irq")
	_r0=$(reg CNT_IR_REMAP)
	_b0=$(reg CNT_IR_BLOCK)
	echo "$1 $2" >$d/forge
	sleep 1
	_v1=$(irq_count "$v")
	_k1=$(irq_count "$irq")
	_r1=$(reg CNT_IR_REMAP)
	_b1=$(reg CNT_IR_BLOCK)
	tap_diag "$5: NVMe irq $_v0 -> $_v1, edu irq $_k0 -> $_k1, CNT_IR_REMAP $_r0 -> $_r1, CNT_IR_BLOCK $_b0 -> $_b1"
	dmesg | grep -E "fault $3 " | tail -n1 | sed 's/^/# /'
	fault_seen "$3" "$4"
	tap_check $? "$5: blocked with a $3 ($4) fault record for edu"
	[ "$_v1" = "$_v0" ] && [ "$_k1" = "$_k0" ] && [ "$_r1" = "$_r0" ] &&
		[ $((_b1 - _b0)) -ge 1 ]
	tap_check $? "$5: no interrupt raised on NVMe or edu, counted as blocked"
}
forge $((0xfee00010 | (vh << 5))) 0 IR_INDEX 0x21 \
	"NVMe's remappable message from edu"
forge $((0xfee00000 | (vt << 12))) "$vv" IR_COMPAT 0x20 \
	"compatibility-format MSI to NVMe's vector from edu"

c0=$(nvme_count)
dd if=/dev/$disk of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null
tap_check $([ "$(nvme_count)" -gt "$c0" ]; echo $?) "NVMe interrupts still delivered"
tap_ok "rmmod xrmu_ir_edu (IRTE retired)" rmmod xrmu_ir_edu

g=$(basename "$(readlink "$e/iommu_group")")
sed 's/^/# reserved: /' /sys/kernel/iommu_groups/$g/reserved_regions
grep -q "^0x00000000fee00000 0x00000000feefffff msi$" \
	/sys/kernel/iommu_groups/$g/reserved_regions
tap_check $? "the interrupt window is a reserved msi region of edu's group"
echo vfio-pci >"$e/driver_override"
echo "$ebdf" >/sys/bus/pci/drivers/vfio-pci/bind
tap_ok "VFIO type1 accepts edu without unsafe interrupts (isolated MSI)" \
	ir_vfio_type1 "$g"
echo "$ebdf" >/sys/bus/pci/drivers/vfio-pci/unbind
echo >"$e/driver_override"
tap_done
