#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --config bench --iommu virtio-iommu --dev virtio-blk --timeout 600
#
# Harness self-test (no xrmu needed): virtio-blk (iommu_platform=on) DMA
# translated by virtio-iommu; 16 MiB O_DIRECT write/read-back checksum.
#
# Boots the bench kernel: the peer IOMMU drivers are not under test, and
# this is the setup make bench measures against.  A debug-kernel boot
# (KASAN, kmemleak) cost ~60 s of the ~115 s this test took under TCG.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
tap_plan 4

tap_ok "virtio disk /dev/vda present" test -b /dev/vda
pci=$(pci_of_block vda)
tap_diag "virtio-blk function: $pci"
type=$(cat "$pci/iommu_group/type" 2>/dev/null)
case $type in DMA|DMA-FQ) s=0 ;; *) s=1 ;; esac
tap_check $s "virtio-blk in an IOMMU group with a DMA domain (type $type)"
dd if=/dev/urandom of=/tmp/pattern bs=1M count=16 2>/dev/null
want=$(sha256sum </tmp/pattern | cut -d' ' -f1)
dd if=/tmp/pattern of=/dev/vda bs=1M oflag=direct 2>/dev/null
tap_check $? "16 MiB written to virtio-blk with O_DIRECT"
rm -f /tmp/pattern
echo 3 >/proc/sys/vm/drop_caches
got=$(dd if=/dev/vda bs=1M count=16 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
[ -n "$want" ] && [ "$want" = "$got" ]
tap_check $? "data read back over translated DMA matches (sha256)"
tap_done
