// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver's page-table library, built into the benchmark module
 * unchanged.  Its functions are not exported by xrmu.ko, so both copies
 * can be loaded at the same time.
 */
#include "drivers/iommu/xrmu/pgtable.c"
