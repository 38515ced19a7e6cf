/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xrmu interrupt remapping: the choice of source validation for a device
 * and the interface between the core and irq_remap.c.  The layouts (IRTE,
 * remappable MSI format, DTE interrupt fields, INV_IRTE) and their
 * encoders are in xrmu-bits.h.
 */
#ifndef __XRMU_IRQ_REMAP_H
#define __XRMU_IRQ_REMAP_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/types.h>

#include "xrmu.h"

/**
 * xrmu_ir_sv_from_rids() - tightest source validation for a set of RIDs
 * @rids: the requester IDs a device's MSIs may carry (its own, its DMA
 *	aliases); @rids[0] is the device's own
 * @n: number of entries in @rids
 * @sv: result
 *
 * If the IDs differ only in their low 0 to 3 bits, SVT = 1 with the
 * smallest such SQ; otherwise SVT = 2 with the bus range they span.  With
 * no ID at all, no validation.
 */
static inline void xrmu_ir_sv_from_rids(const u16 *rids, unsigned int n,
					struct xrmu_ir_sv *sv)
{
	unsigned int i, sq, lo = 0xff, hi = 0;
	u16 diff = 0;

	*sv = (struct xrmu_ir_sv){ .svt = XRMU_IRTE_SVT_NONE };
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		diff |= rids[i] ^ rids[0];
		lo = min(lo, (unsigned int)(rids[i] >> 8));
		hi = max(hi, (unsigned int)(rids[i] >> 8));
	}
	for (sq = 0; sq <= 3; sq++) {
		if (diff < BIT(sq)) {
			sv->svt = XRMU_IRTE_SVT_RID;
			sv->sq = sq;
			sv->sid = rids[0] & ~(BIT(sq) - 1);
			return;
		}
	}
	sv->svt = XRMU_IRTE_SVT_BUS;
	sv->sid = lo << 8 | hi;
}

/* Interface of irq_remap.c to the core (all no-ops when IR is off). */
#define XRMU_IR_MAX_RIDS	8	/* requester IDs tracked per IRT */

struct xrmu_ir;
struct xrmu_ir_dev;

#ifdef CONFIG_XRMU_IOMMU_IRQ_REMAP
int xrmu_ir_unit_init(struct xrmu_unit *unit);
void xrmu_ir_unit_exit(struct xrmu_unit *unit);
bool xrmu_ir_enabled(struct xrmu_unit *unit);
void xrmu_ir_probe_device(struct xrmu_master *master, const u16 *rids,
			  unsigned int nr_rids, bool aliased);
void xrmu_ir_fill_dte(struct xrmu_master *master, struct xrmu_dte *dte);
bool xrmu_ir_release_prepare(struct xrmu_master *master);
void xrmu_ir_release_device(struct xrmu_master *master);
#else
static inline int xrmu_ir_unit_init(struct xrmu_unit *unit) { return 0; }
static inline void xrmu_ir_unit_exit(struct xrmu_unit *unit) { }
static inline bool xrmu_ir_enabled(struct xrmu_unit *unit) { return false; }
static inline void xrmu_ir_probe_device(struct xrmu_master *master,
					const u16 *rids, unsigned int nr_rids,
					bool aliased)
{
}

static inline void xrmu_ir_fill_dte(struct xrmu_master *master,
				    struct xrmu_dte *dte)
{
	xrmu_dte_set_ir(dte, XRMU_DTE_IM_COMPAT, 0, 0);
}

static inline bool xrmu_ir_release_prepare(struct xrmu_master *master)
{
	return false;
}

static inline void xrmu_ir_release_device(struct xrmu_master *master) { }
#endif

#endif /* __XRMU_IRQ_REMAP_H */
