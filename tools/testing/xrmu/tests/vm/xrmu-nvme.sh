#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev virtio-blk --timeout 900
# BUNDLE: disks 10
# VARIANTS: xrmu-sys
#
# xrmu driver, NVMe: the disk is bound at boot, so loading xrmu.ko
# afterwards must leave it working on an identity domain; then strict,
# lazy and pass-through 16 MiB round trips (guest/lib/late-disk.sh).
. /xrmu/lib/late-disk.sh
xrmu_late_disk_test nvme0n1
tap_done
