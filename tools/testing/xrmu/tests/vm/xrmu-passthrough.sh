#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev edu --append iommu.passthrough=1 --timeout 600
#
# xrmu driver with iommu.passthrough=1: default domains are identity; edu
# round trips work through pass-through device-table entries.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/edu.sh
tap_plan 4

edu_default_domain_test identity pass-through
tap_done
