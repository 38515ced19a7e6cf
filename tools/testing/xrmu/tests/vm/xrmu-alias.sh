#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --timeout 600 --qemu -device --qemu pcie-pci-bridge,id=xbr,bus=pcie.0 --qemu -device --qemu edu,bus=xbr,addr=0.0,dma_mask=0xffffffffffffffff --qemu -blockdev --qemu driver=null-co,node-name=xnul,size=67108864,read-zeroes=on --qemu -device --qemu nvme,serial=xrmu-alias,drive=xnul,bus=xbr,addr=1.0
#
# Two devices behind one PCIe-to-PCI bridge share its requester ID: edu in
# slot 0 (its own ID is the alias, secondary bus devfn 0) and NVMe in
# slot 1 (its DMA and MSIs reach the unit with the alias).  They are one
# IOMMU group with one interrupt remapping table.
#  - The table is sized for every device that may share it, although edu,
#    probed first, has one MSI vector and no alias of its own: NVMe then
#    gets all its MSI-X vectors remapped (was: sized by edu, NVMe's
#    vectors refused with ENOSPC).
#  - Removing edu (its release) leaves the shared entry to NVMe: NVMe's
#    DMA and interrupts keep working (was: the release blocked every
#    alias of edu, NVMe's too).
#  - Removing NVMe as well, the last user, blocks the shared entry.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/irq.sh
. /xrmu/lib/disk.sh
tap_plan 11

# dte RID: the decoded debugfs line of a device-table entry ("bb:dd.f")
dte() { grep "^$1 " "$x/dte"; }
# rd OFFSET_MB: an uncached 1 MiB read from the NVMe namespace
rd() { timeout 60 dd if=/dev/$disk of=/dev/null bs=64k count=16 skip=$(($1 * 16)) iflag=direct 2>/dev/null; }

disk=nvme0n1
e=$(pci_find 0x1234 0x11e8 | head -n1)
n=$(pci_of_block $disk)
ebdf=$(basename "$e")
nbdf=$(basename "$n")
br=$(basename "$(dirname "$(readlink -f "$e")")")
tap_diag "edu $ebdf, NVMe $nbdf, bridge $br"
tap_check $([ "$br" = "$(basename "$(dirname "$(readlink -f "$n")")")" ] &&
	[ "${ebdf##*:}" = 00.0 ]; echo $?) "edu (slot 0) and NVMe behind one bridge"
alias=${ebdf#*:}	# bb:00.0: the bridge's alias, edu's own ID

echo "$nbdf" >/sys/bus/pci/drivers/nvme/unbind
tap_ok "modprobe xrmu (NVMe unbound)" modprobe xrmu
x=$(ls -d /sys/kernel/debug/iommu/xrmu/*/ | head -n1)
tap_check $([ -n "$(readlink "$e/iommu_group")" ] &&
	[ "$(readlink "$e/iommu_group")" = "$(readlink "$n/iommu_group")" ]; echo $?) \
	"edu and NVMe are one IOMMU group"
echo "$nbdf" >/sys/bus/pci/drivers/nvme/bind
disk_wait $disk
tap_ok "NVMe rebound (/dev/$disk)" test -b /dev/$disk
dte "$alias" | sed 's/^/# /'
grep -E "nvme|CPU" /proc/interrupts | sed 's/^/# /'
log2=$(dte "$alias" | sed -n 's/.* irtlog2=\([0-9]*\).*/\1/p')
nv=$(ls "$n/msi_irqs" 2>/dev/null | wc -l)
bad=0
[ "$nv" -ge 2 ] || bad=1
for i in $(nvme_irqs); do
	case $(irq_chip "$i") in IR-PCI-MSIX*) ;; *) bad=1 ;; esac
done
tap_check $([ "${log2:-0}" -ge 5 ] && [ "$bad" = 0 ]; echo $?) \
	"the shared table has room (irtlog2 ${log2:-none}): NVMe's $nv MSI-X vectors are all remapped"

c0=$(nvme_count)
tap_ok "NVMe DMA through the shared entry" rd 1
tap_check $([ "$(nvme_count)" -gt "$c0" ]; echo $?) "NVMe interrupts delivered"

echo 1 >"$e/remove"
dte "$alias" | sed 's/^/# /'
tap_check $(dte "$alias" | grep -q " xlate .* im=remap"; echo $?) \
	"edu removed: the shared entry still translates and remaps for NVMe"
c0=$(nvme_count)
tap_ok "NVMe DMA after edu's removal" rd 2
tap_check $([ "$(nvme_count)" -gt "$c0" ]; echo $?) \
	"NVMe interrupts after edu's removal"

echo 1 >"$n/remove"
dte "$alias" | sed 's/^/# /'
tap_check $(dte "$alias" | grep -q " blocked .*im=block"; echo $?) \
	"NVMe removed too: the shared entry blocks DMA and MSIs"
tap_done
