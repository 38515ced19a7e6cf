#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --kexec --mem 2G --append crashkernel=512M
# RUNVM: --allow Kernel.panic.-.not.syncing:.sysrq.triggered.crash
# RUNVM: --allow Call.Trace: --timeout 1500
#
# .shutdown, kexec and kdump: three kernels in one run, the same image
# each time (run-vm --kexec), each with an initramfs made of the root file
# system of the one before (cpio), each running this script again (stage
# from xrmu_kexec= on the command line) and continuing its TAP numbering.
#
# 1. The first kernel loads xrmu, checks edu DMA and its remapped MSI and
#    kexecs (kexec_file_load(), reboot(LINUX_REBOOT_CMD_KEXEC)): the kernel
#    shuts every device down first, and xrmu's .shutdown leaves the unit
#    blocking every covered requester with its queues stopped (STATUS =
#    BLK_ACK only), so that nothing is translated through tables the new
#    kernel overwrites.
# 2. In the second kernel edu DMA done before xrmu loads fails and is
#    counted by the unit as blocked; xrmu finds the unit as the shutdown
#    left it (its "found enabled (STATUS 0x00000100)" line), keeps it
#    blocked while it programs its own tables, and then edu DMA and
#    remapped MSIs work.  Without .shutdown the unit is found translating
#    (STATUS 0x0000000f) through the first kernel's tables.  The second
#    kernel then loads the crash kernel and panics (sysrq c: the two
#    --allow lines are that panic's header and stack dump).
# 3. The crash kernel finds the unit still translating and remapping
#    through the second kernel's tables (STATUS 0x0000000f: no shutdown on
#    a panic), blocks it, programs its own tables, and edu DMA and
#    remapped MSIs work again.  Were it reset instead, the "found enabled"
#    line would be missing.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/unit.sh

e=$(pci_find 0x1234 0x11e8 | head -n1)
ebdf=$(basename "$e")
# edu_msi: 0 if xrmu_ir_edu's MSI of edu is remapped and 5 raised
# interrupts arrive
edu_msi() {
	modprobe xrmu_ir_edu || return 1
	_d=/sys/kernel/debug/xrmu_ir_edu/$ebdf
	_irq=$(cat $_d/irq)
	_m0=$(cat $_d/count)
	echo 5 >$_d/raise
	_m1=$(cat $_d/count)
	tap_diag "edu irq $_irq on $(irq_chip "$_irq"): handled $_m0 -> $_m1"
	case $(irq_chip "$_irq") in IR-PCI-MSI-*) ;; *) rmmod xrmu_ir_edu; return 1 ;; esac
	rmmod xrmu_ir_edu
	[ $((_m1 - _m0)) = 5 ]
}
# edu_dma: xrmu_edu_test's round trips on edu; 0 if all pass
edu_dma() {
	modprobe xrmu_edu_test || return 1
	_r=/sys/kernel/debug/xrmu_edu_test/$ebdf
	sed 's/^/# /' "$_r"
	edu_ok "$_r"
	_s=$?
	rmmod xrmu_edu_test
	return $_s
}
stage=$(sed -n 's/.*xrmu_kexec=\([0-9]*\).*/\1/p' /proc/cmdline)
PLAN=19
# new_initrd: the root file system (the initramfs) without the mounts and
# without the initrd being written, as /xrmu/kexec/initrd
new_initrd() {
	(cd / && find . -xdev ! -path ./xrmu/kexec/initrd |
		cpio -o -H newc >/xrmu/kexec/initrd 2>/dev/null)
}
# not_reached: fail every remaining point of the plan
not_reached() {
	while [ "$(tap_ran)" -lt $PLAN ]; do
		tap_check 1 "check $(($(tap_ran) + 1)) not reached"
	done
	tap_done
}
# found STATUS: 0 if xrmu reported the unit found enabled with STATUS
found() {
	dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: found enabled" | sed 's/^/# /'
	dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: found enabled \(STATUS $1\)"
}
# running: 0 if the unit translates and remaps with its queues on
running() {
	st=$(status)
	tap_diag "STATUS $st"
	[ $((st & 0x10f)) = $((0xf)) ]
}

case $stage in
"")
	tap_plan $PLAN
	tap_ok "modprobe xrmu" modprobe xrmu
	x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
	edu_dma
	tap_check $? "first kernel: edu round trips through xrmu ($(cat "$e/iommu_group/type"))"
	edu_msi
	tap_check $? "first kernel: edu MSI remapped and delivered"
	new_initrd
	tap_check $? "kernel ($(wc -c </xrmu/kexec/bzImage) bytes) and an initramfs ($(wc -c </xrmu/kexec/initrd) bytes) for kexec"
	faults=$(cnt hw_faults)
	tap_diag "kexec (hw_faults $faults)"
	kexec_reboot /xrmu/kexec/bzImage /xrmu/kexec/initrd \
		"$(cat /proc/cmdline) xrmu_kexec=1 xrmu_faults=$faults"
	tap_check 1 "kexec_reboot returned"
	not_reached
	;;
1)
	tap_resume 4 $PLAN
	f0=$(sed -n 's/.*xrmu_faults=\([0-9]*\).*/\1/p' /proc/cmdline)
	tap_check 0 "second kernel, booted by kexec ($(uname -r))"
	modprobe xrmu_edu_test
	r=/sys/kernel/debug/xrmu_edu_test/$ebdf
	sed 's/^/# /' "$r"
	tap_check $([ "$(grep -c '^not ok' "$r")" -gt 0 ]; echo $?) \
		"edu DMA before xrmu loads does not get through"
	rmmod xrmu_edu_test
	tap_ok "modprobe xrmu" modprobe xrmu
	x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
	found 0x00000100
	tap_check $? "unit found as the shutdown left it: blocking, queues stopped (STATUS 0x00000100)"
	f1=$(cnt hw_faults)
	tap_check $([ -n "$f0" ] && [ "$f1" -gt "$f0" ]; echo $?) \
		"the unit counted that DMA as blocked (hw_faults $f0 -> $f1)"
	running
	tap_check $? "translating and remapping with its queues on"
	edu_dma
	tap_check $? "second kernel: edu round trips through xrmu ($(cat "$e/iommu_group/type"))"
	edu_msi
	tap_check $? "second kernel: edu MSI remapped and delivered"
	# The crash kernel: one CPU, no crashkernel= of its own.
	new_initrd
	kexec_reboot -p /xrmu/kexec/bzImage /xrmu/kexec/initrd \
		"$(sed 's/crashkernel=[^ ]*//; s/xrmu_kexec=1/xrmu_kexec=2/' /proc/cmdline) nr_cpus=1"
	tap_check $([ $? = 0 ] && [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]; echo $?) \
		"crash kernel loaded ($(wc -c </xrmu/kexec/initrd) bytes of initramfs)"
	tap_diag "panic (sysrq c) with xrmu translating"
	echo c >/proc/sysrq-trigger
	tap_check 1 "the panic returned"
	not_reached
	;;
2)
	tap_resume 13 $PLAN
	tap_check $([ -e /proc/vmcore ]; echo $?) "crash kernel booted by the panic (/proc/vmcore)"
	tap_ok "modprobe xrmu" modprobe xrmu
	x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
	found 0x0000000f
	tap_check $? "unit found translating and remapping through the old tables (STATUS 0x0000000f)"
	running
	tap_check $? "translating and remapping again, with the crash kernel's tables"
	edu_dma
	tap_check $? "crash kernel: edu round trips through xrmu ($(cat "$e/iommu_group/type"))"
	edu_msi
	tap_check $? "crash kernel: edu MSI remapped and delivered"
	tap_done
	;;
esac
