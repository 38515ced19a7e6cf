#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --config bench --iommu xrmu --dev nvme --dev edu --dev virtio-blk
# RUNVM: --qemu -device --qemu qemu-xhci,msi=on,msix=off --qemu -device --qemu usb-tablet
# RUNVM: --timeout 300
# VARIANTS: xrmu-sys
#
# xrmu built in (the bench kernel, CONFIG_XRMU_IOMMU=y): nothing is loaded
# or unbound here, everything is as the kernel booted.
# - the unit was probed during boot (before the endpoint drivers: NVMe
#   and virtio-pci, which links before drivers/iommu, are both taken over);
# - NVMe, virtio-blk and edu have translated default domains and their
#   device-table entries translate (xlate) and remap interrupts (im=remap);
# - NVMe's and virtio-blk's MSI-X vectors are on IR-PCI-MSIX chips, their
#   counts rise under I/O and the unit's remap counter with them, and data
#   written and read back through each is byte-exact;
# - edu's MSI (xrmu_ir_edu) is on an IR-PCI-MSI chip, every raised
#   interrupt is delivered and remapped, and a compatibility-format
#   message forged by edu's DMA is blocked (IR_COMPAT) from boot on;
# - multiple-message MSI: qemu-xhci with msi=on (its default is off) and
#   msix=off offers MSI with 16 vectors and xhci-pci asks for CPUs + 1
#   (3 here); the block is enabled (Multiple Message Enable > 0), every
#   vector is on the IR-PCI-MSI chip, its IRTEs are consecutive valid
#   entries, the message is remappable with SHV = 1, HANDLE = the first
#   entry and data[15:0] = 0 (the device adds the vector number), and the
#   first vector's interrupts (USB enumeration and reconfiguration of the
#   usb-tablet behind it) are delivered and remapped.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/unit.sh
tap_plan 29

# irqs_of BDF: the interrupt numbers of a PCI function (its msi_irqs)
irqs_of() { ls "/sys/bus/pci/devices/$1/msi_irqs" 2>/dev/null; }
irqs_count() { # BDF
	_s=0
	for _i in $(irqs_of "$1"); do _s=$((_s + $(irq_count "$_i"))); done
	echo $_s
}
# all_on BDF CHIP: the function has MSIs and every one is on CHIP
all_on() {
	[ -n "$(irqs_of "$1")" ] || return 1
	for _i in $(irqs_of "$1"); do
		case $(irq_chip "$_i") in "$2"-*) ;; *) return 1 ;; esac
	done
}
# dte BDF: the unit's device-table entry of a function (bus 0 here)
dte() { grep "^${1#0000:} " "$x/dte"; }
gtype() { cat "/sys/bus/pci/devices/$1/iommu_group/type" 2>/dev/null; }

nd=nvme0n1
n=$(basename "$(pci_of_block $nd)")
vd=vda
v=$(basename "$(pci_of_block $vd)")
e=$(basename "$(pci_find 0x1234 0x11e8 | head -n1)")
h=$(basename "$(pci_find 0x1b36 0x000d | head -n1)")
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
tap_diag "NVMe $n, virtio-blk $v, edu $e, xHCI $h, unit $(basename "${x:-none}")"
dmesg | grep -E "xrmu|MSIs not remapped" | sed 's/^/# /'

grep -q "/xrmu\.ko$" /lib/modules/"$(uname -r)"/modules.builtin &&
	! grep -q "^xrmu " /proc/modules && [ -d /sys/module/xrmu ]
tap_check $? "xrmu is built in (modules.builtin, not a loaded module)"
tap_check $([ -n "$x" ] && dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: xrmu [0-9.]+: requesters"; echo $?) \
	"the unit was probed during boot"
tap_check $([ $(($(reg CTRL) & 2)) != 0 ] && [ $(($(reg STATUS) & 2)) != 0 ]; echo $?) \
	"CTRL.IRE and STATUS.IRE_ACK set"
tap_check $(! dmesg | grep -q "MSIs not remapped"; echo $?) \
	"no covered device was left with unremapped MSIs"

for f in "$n NVMe" "$v virtio-blk" "$e edu" "$h xHCI"; do
	set -- $f
	t=$(gtype "$1")
	d=$(dte "$1")
	tap_diag "$2: group type $t; dte $d"
	case $t in DMA | DMA-FQ) ok=0 ;; *) ok=1 ;; esac
	case $d in *" xlate "*" im=remap "*) ;; *) ok=1 ;; esac
	tap_check $ok "$2: translated default domain from boot, DTE xlate + im=remap"
done

grep -E "CPU|nvme|virtio" /proc/interrupts | sed 's/^/# /'
tap_check $(all_on "$n" IR-PCI-MSIX; echo $?) "every NVMe MSI-X vector is on an IR-PCI-MSIX chip"
tap_check $(all_on "$v" IR-PCI-MSIX; echo $?) "every virtio-blk MSI-X vector is on an IR-PCI-MSIX chip"

# roundtrip BDF DISK NAME: 4 MiB of random bytes written with O_DIRECT at
# an offset and read back; interrupt counts and the unit's counters must
# rise with it.
roundtrip() {
	_c0=$(irqs_count "$1")
	_r0=$(cnt hw_irq_remapped)
	_t0=$(cnt hw_translated)
	dd if=/dev/urandom of=/tmp/pat bs=64k count=64 2>/dev/null
	dd if=/tmp/pat of=/dev/$2 bs=64k seek=80 oflag=direct conv=fsync 2>/dev/null &&
		dd if=/dev/$2 of=/tmp/back bs=64k skip=80 count=64 iflag=direct 2>/dev/null
	_s=$?
	_c1=$(irqs_count "$1")
	_r1=$(cnt hw_irq_remapped)
	_t1=$(cnt hw_translated)
	tap_diag "$3: interrupts $_c0 -> $_c1, hw_irq_remapped $_r0 -> $_r1, hw_translated $_t0 -> $_t1"
	tap_check $([ $_s = 0 ] && cmp -s /tmp/pat /tmp/back; echo $?) \
		"$3: 4 MiB written and read back byte-exact"
	tap_check $([ "$_c1" -gt "$_c0" ] && [ $((_r1 - _r0)) -ge $((_c1 - _c0)) ]; echo $?) \
		"$3: interrupt counts rise with I/O, the unit's remap counter at least as much"
	tap_check $([ $((_t1 - _t0)) -ge 64 ]; echo $?) \
		"$3: the unit translated the DMA (hw_translated)"
	rm -f /tmp/pat /tmp/back
}
roundtrip "$n" $nd NVMe
roundtrip "$v" $vd virtio-blk

# Multiple-message MSI (xHCI, MSI only).
# cfgb BDF OFFSET: one byte of the function's configuration space
cfgb() { od -An -tu1 -j "$2" -N 1 "/sys/bus/pci/devices/$1/config" | tr -d ' '; }
# msi_cap BDF: offset of the MSI capability (ID 5), empty if none
msi_cap() {
	_p=$(($(cfgb "$1" 52) & 0xfc))
	_k=0
	while [ "$_p" -ne 0 ] && [ $_k -lt 48 ]; do
		[ "$(cfgb "$1" $_p)" = 5 ] && { echo $_p; return; }
		_p=$(($(cfgb "$1" $((_p + 1))) & 0xfc))
		_k=$((_k + 1))
	done
}
hirqs=$(irqs_of "$h" | sort -n)
nh=$(echo $hirqs | wc -w)
h0=$(echo "$hirqs" | head -n1)
grep -E "xhci" /proc/interrupts | sed 's/^/# /'
tap_check $([ "$(basename "$(readlink "/sys/bus/pci/devices/$h/driver")")" = xhci_hcd ] &&
	[ "$nh" -gt 1 ]; echo $?) \
	"xHCI $h bound to xhci_hcd with a block of $nh MSIs (more than one)"
mc=
c=$(msi_cap "$h")
[ -n "$c" ] && mc=$(cfgb "$h" $((c + 2)))
mme=$(((${mc:-0} >> 4) & 7))
tap_diag "xHCI MSI capability at ${c:-none}, message control low byte ${mc:-?}: enable $((${mc:-0} & 1)), MMC $(((${mc:-0} >> 1) & 7)), MME $mme"
tap_check $([ -n "$mc" ] && [ $((mc & 1)) = 1 ] && [ $mme -gt 0 ] &&
	[ $((1 << mme)) -ge "$nh" ]; echo $?) \
	"xHCI MSI enabled with Multiple Message Enable > 0 (2^MME >= $nh)"
# Vectors without a handler are not in /proc/interrupts: their chip is
# read from /sys/kernel/irq (xhci-pci requests only the first).
ok=0
for i in $hirqs; do
	ch=$(cat "/sys/kernel/irq/$i/chip_name" 2>/dev/null)
	tap_diag "xHCI irq $i: chip $ch"
	case $ch in IR-PCI-MSI-*) ;; *) ok=1 ;; esac
done
tap_check $([ "$nh" -gt 1 ] && [ $ok = 0 ]; echo $?) \
	"every xHCI MSI ($(echo $hirqs)) is on the IR-PCI-MSI chip"

# Its IRTEs: one valid entry per vector, at consecutive indexes.
hirte=$(grep "^${h#0000:} " "$x/irte")
echo "$hirte" | sed 's/^/# /'
ok=0
i0=
k=0
for i in $(echo "$hirte" | awk '{ print $2 }'); do
	[ -z "$i0" ] && i0=$i
	[ "$i" = $((i0 + k)) ] || ok=1
	k=$((k + 1))
done
[ "$k" = "$nh" ] && [ "$k" -gt 1 ] || ok=1
tap_check $ok "xHCI: $nh consecutive valid IRTEs (from index ${i0:-none}, $k found)"

# The block's message (MSI capability): remappable format, SHV = 1,
# HANDLE = the first IRTE's index, data[15:0] = 0 (the device puts the
# vector number there).
cfgl() { od -An -tu4 -j "$2" -N 4 "/sys/bus/pci/devices/$1/config" | tr -d ' '; }
ma=0
md=0
if [ -n "$c" ]; then
	ma=$(cfgl "$h" $((c + 4)))
	md=$(cfgl "$h" $((c + ((${mc:-0} & 0x80) ? 12 : 8))))
fi
tap_diag "xHCI MSI address $(printf 0x%x "$ma") (IF $(((ma >> 4) & 1)), SHV $(((ma >> 3) & 1)), HANDLE $(((ma >> 5) & 0x7fff))), data $(printf 0x%x $((md & 0xffff)))"
tap_check $([ -n "$i0" ] && [ $((ma >> 20)) = $((0xfee)) ] && [ $(((ma >> 3) & 3)) = 3 ] &&
	[ $(((ma >> 5) & 0x7fff)) = "$i0" ] && [ $((md & 0xffff)) = 0 ]; echo $?) \
	"xHCI MSI message: remappable, SHV = 1, HANDLE = first IRTE, data[15:0] = 0"

# The first vector carries interrupter 0's events: USB enumeration during
# boot, then a reconfiguration of the tablet (SET_CONFIGURATION and the
# controller's configure-endpoint commands).
u=$(ls -d /sys/bus/usb/devices/[0-9]*-[0-9]* 2>/dev/null | grep -v : | head -n1)
k0=$(irq_count "$h0")
tap_diag "USB device ${u:-none} ($(cat "$u/idVendor" 2>/dev/null):$(cat "$u/idProduct" 2>/dev/null)), first xHCI vector irq $h0: $k0 interrupts"
tap_check $([ -n "$u" ] && [ "${k0:-0}" -gt 0 ]; echo $?) \
	"USB device enumerated, interrupts delivered on the first MSI vector"
r0=$(cnt hw_irq_remapped)
echo 0 >"$u/bConfigurationValue" && echo 1 >"$u/bConfigurationValue"
s=$?
sleep 1
k1=$(irq_count "$h0")
r1=$(cnt hw_irq_remapped)
tap_diag "reconfiguration (status $s): irq $h0 $k0 -> $k1, hw_irq_remapped $r0 -> $r1"
tap_check $([ $s = 0 ] && [ "$k1" -gt "$k0" ] && [ $((r1 - r0)) -ge $((k1 - k0)) ]; echo $?) \
	"xHCI first vector's count rises on reconfiguration, the unit's remap counter at least as much"

tap_ok "modprobe xrmu_ir_edu" modprobe xrmu_ir_edu
d=/sys/kernel/debug/xrmu_ir_edu/$e
irq=$(cat $d/irq)
grep -E "^ *$irq:" /proc/interrupts | sed 's/^/# /'
tap_check $(case $(irq_chip "$irq") in IR-PCI-MSI-*) echo 0 ;; *) echo 1 ;; esac) \
	"edu MSI (irq $irq) is on an IR-PCI-MSI chip"
k0=$(irq_count "$irq")
m0=$(cat $d/count)
r0=$(cnt hw_irq_remapped)
echo 20 >$d/raise
k1=$(irq_count "$irq")
m1=$(cat $d/count)
r1=$(cnt hw_irq_remapped)
tap_diag "edu: /proc/interrupts $k0 -> $k1, handled $m0 -> $m1, hw_irq_remapped $r0 -> $r1"
tap_check $([ $((k1 - k0)) = 20 ] && [ $((m1 - m0)) = 20 ] && [ $((r1 - r0)) -ge 20 ]; echo $?) \
	"20 edu interrupts raised, 20 delivered and remapped"

# A compatibility-format message aimed at edu's vector and CPU (from its
# IRTE in the unit's debugfs), written by edu's DMA: the unit requires
# remappable messages from edu.
irte=$(grep "^${e#0000:} " "$x/irte" | grep -m1 "vector=")
vec=$(echo "$irte" | sed -n 's/.* vector=\([0-9]*\) .*/\1/p')
apic=$(($(echo "$irte" | sed -n 's/.* dest=\(0x[0-9a-f]*\) .*/\1/p')))
tap_diag "edu IRTE: $irte"
k0=$(irq_count "$irq")
b0=$(cnt hw_irq_blocked)
echo "$((0xfee00000 | (apic << 12))) ${vec:-0}" >$d/forge
sleep 1
k1=$(irq_count "$irq")
b1=$(cnt hw_irq_blocked)
tap_diag "forged compatibility MSI (APIC ID $apic, vector $vec): edu irq $k0 -> $k1, hw_irq_blocked $b0 -> $b1"
dmesg | grep -E "fault IR_COMPAT" | tail -n1 | sed 's/^/# /'
dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: fault IR_COMPAT \\(0x20\\) irq rid $e"
tap_check $? "forged compatibility-format MSI from edu faults IR_COMPAT"
tap_check $([ -n "$vec" ] && [ "$k1" = "$k0" ] && [ $((b1 - b0)) -ge 1 ]; echo $?) \
	"the forged MSI raised no interrupt and was counted as blocked"
tap_ok "rmmod xrmu_ir_edu" rmmod xrmu_ir_edu
tap_done
