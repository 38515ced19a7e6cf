#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --config bench --iommu intel-iommu --dev nvme --timeout 600
#
# Harness self-test (no xrmu needed): NVMe DMA translated by QEMU's Intel
# IOMMU.  Writes a 16 MiB random pattern with O_DIRECT (16 requests of
# 1 MiB), drops caches, reads it back with O_DIRECT and compares
# checksums; checks the disk's PCI function sits in an IOMMU group with a
# DMA (translating) domain.
#
# Boots the bench kernel: the peer IOMMU drivers are not under test, and
# this is the setup make bench measures against.  A debug-kernel boot
# (KASAN, kmemleak) cost ~60 s of the ~115 s this test took under TCG.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
tap_plan 6

tap_ok "nvme disk /dev/nvme0n1 present" test -b /dev/nvme0n1
pci=$(pci_of_block nvme0n1)
tap_diag "nvme function: $pci"
tap_ok "nvme function is in an IOMMU group" test -e "$pci/iommu_group"
type=$(cat "$pci/iommu_group/type" 2>/dev/null)
tap_diag "group $(basename "$(readlink "$pci/iommu_group")") type: $type"
case $type in DMA|DMA-FQ) s=0 ;; *) s=1 ;; esac
tap_check $s "IOMMU group default domain translates (type $type)"
iommu=$(basename "$(readlink "$pci/iommu" 2>/dev/null)" 2>/dev/null)
case $iommu in dmar*) s=0 ;; *) s=1 ;; esac
tap_check $s "nvme function attached to the Intel IOMMU ($iommu)"

dd if=/dev/urandom of=/tmp/pattern bs=1M count=16 2>/dev/null
want=$(sha256sum </tmp/pattern | cut -d' ' -f1)
dd if=/tmp/pattern of=/dev/nvme0n1 bs=1M oflag=direct 2>/dev/null
tap_check $? "16 MiB written to nvme with O_DIRECT"
sync
echo 3 >/proc/sys/vm/drop_caches
rm -f /tmp/pattern
got=$(dd if=/dev/nvme0n1 bs=1M count=16 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
tap_diag "written $want"
tap_diag "read    $got"
[ -n "$want" ] && [ "$want" = "$got" ]
tap_check $? "data read back over translated DMA matches (sha256)"
tap_done
