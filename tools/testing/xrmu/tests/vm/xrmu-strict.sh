#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --append iommu.strict=1 --timeout 600
# REQUIRES: model driver
#
# xrmu driver with iommu.strict=1 (x86 kernels default to lazy): a device
# without a driver at load time gets a strict DMA domain; edu round trips
# work.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
tap_plan 4

tap_ok "modprobe xrmu" modprobe xrmu
e=$(pci_find 0x1234 0x11e8 | head -n1)
type=$(cat "$e/iommu_group/type" 2>/dev/null)
tap_check $([ "$type" = DMA ]; echo $?) "default domain is strict DMA ($type)"
tap_ok "modprobe xrmu_edu_test" modprobe xrmu_edu_test
r=/sys/kernel/debug/xrmu_edu_test/$(basename "$e")
# debugfs files have size 0: count the results instead
edu_ok() { [ "$(grep -c "^ok" "$1")" -ge 8 ] && ! grep -q "^not ok" "$1"; }
sed 's/^/# /' "$r"
tap_check $(edu_ok "$r"; echo $?) "edu round trips (strict)"
tap_done
