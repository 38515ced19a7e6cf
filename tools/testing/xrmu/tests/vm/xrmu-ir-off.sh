#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --append xrmu.intremap=0 --timeout 900
#
# xrmu with interrupt remapping turned off (xrmu.intremap=0): the unit
# says so, CTRL.IRE and STATUS.IRE_ACK stay 0, edu's MSI is an ordinary
# PCI-MSI interrupt (no IR- chip) that is delivered while CNT_IR_REMAP
# stays unchanged, and DMA remapping still works (xrmu_edu_test round
# trips through a translating domain); VFIO's type1 backend refuses edu
# without allow_unsafe_interrupts, as its MSIs are not isolated.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/unit.sh
tap_plan 9


e=$(pci_find 0x1234 0x11e8 | head -n1)
ebdf=$(basename "$e")
tap_ok "modprobe xrmu" modprobe xrmu
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
dmesg | grep -E "interrupt remapping" | sed 's/^/# /'
dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: interrupt remapping disabled \(xrmu.intremap=0\)"
tap_check $? "the unit reports interrupt remapping disabled"
tap_check $([ $(($(reg CTRL) & 2)) = 0 ] && [ $(($(reg STATUS) & 2)) = 0 ] &&
	[ $(($(reg CTRL) & 1)) = 1 ]; echo $?) \
	"CTRL.EN set, CTRL.IRE and STATUS.IRE_ACK clear"

tap_ok "modprobe xrmu_ir_edu" modprobe xrmu_ir_edu
d=/sys/kernel/debug/xrmu_ir_edu/$ebdf
irq=$(cat $d/irq)
grep -E "^ *$irq:" /proc/interrupts | sed 's/^/# /'
tap_check $(case $(irq_chip "$irq") in PCI-MSI-*) echo 0 ;; *) echo 1 ;; esac) \
	"edu MSI (irq $irq) is on a PCI-MSI chip, not remapped"
k0=$(irq_count "$irq")
r0=$(reg CNT_IR_REMAP)
echo 20 >$d/raise
k1=$(irq_count "$irq")
r1=$(reg CNT_IR_REMAP)
tap_diag "edu: /proc/interrupts $k0 -> $k1, CNT_IR_REMAP $r0 -> $r1"
tap_check $([ $((k1 - k0)) = 20 ] && [ "$r1" = "$r0" ]; echo $?) \
	"20 edu interrupts delivered, none through an IRTE"

rmmod xrmu_ir_edu
echo DMA >"$e/iommu_group/type"
tap_ok "modprobe xrmu_edu_test (strict DMA domain)" modprobe xrmu_edu_test
r=/sys/kernel/debug/xrmu_edu_test/$ebdf
sed 's/^/# /' "$r"
tap_check $(edu_ok "$r" 8; echo $?) "edu DMA round trips pass with remapping off"

# Without remapping the MSIs are not isolated: VFIO type1 must refuse.
g=$(basename "$(readlink "$e/iommu_group")")
echo "$ebdf" >"$e/driver/unbind"
echo vfio-pci >"$e/driver_override"
echo "$ebdf" >/sys/bus/pci/drivers/vfio-pci/bind
o=$(ir_vfio_type1 "$g" 2>&1)
rc=$?
echo "$o" | sed 's/^/# /'
tap_check $([ $rc = 1 ]; echo $?) "VFIO type1 refuses edu without unsafe interrupts"
tap_done
