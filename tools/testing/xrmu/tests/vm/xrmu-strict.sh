#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --append iommu.strict=1 --timeout 600
#
# xrmu driver with iommu.strict=1 (x86 kernels default to lazy): a device
# without a driver at load time gets a strict DMA domain; edu round trips
# work.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/edu.sh
tap_plan 4

edu_default_domain_test DMA strict
tap_done
