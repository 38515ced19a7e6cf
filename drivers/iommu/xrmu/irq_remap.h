/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xrmu interrupt remapping: hardware layouts, encoders and the interface
 * between the core and irq_remap.c.
 *
 * Layouts are from Documentation/xrmu/interrupt-remapping.rst (IRTE,
 * remappable MSI format), device-table.rst (DTE interrupt fields) and
 * command-queue.rst (INV_IRTE).  The encoders are pure functions checked by
 * ir_kunit.c against literal values worked out from those tables.
 */
#ifndef __XRMU_IRQ_REMAP_H
#define __XRMU_IRQ_REMAP_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/types.h>

#include "xrmu.h"

/* Interrupt remapping table entry: 16 bytes */
#define XRMU_IRTE0_V		BIT_ULL(0)
#define XRMU_IRTE0_FPD		BIT_ULL(1)
#define XRMU_IRTE0_SVT		GENMASK_ULL(3, 2)
#define XRMU_IRTE0_SQ		GENMASK_ULL(5, 4)
#define XRMU_IRTE0_DM		BIT_ULL(6)
#define XRMU_IRTE0_TM		BIT_ULL(7)
#define XRMU_IRTE0_DLM		GENMASK_ULL(10, 8)
#define XRMU_IRTE0_RH		BIT_ULL(11)
#define XRMU_IRTE0_VECTOR	GENMASK_ULL(23, 16)
#define XRMU_IRTE0_DEST		GENMASK_ULL(63, 32)
#define XRMU_IRTE1_SID		GENMASK_ULL(15, 0)

#define XRMU_IRTE_SVT_NONE	0
#define XRMU_IRTE_SVT_RID	1	/* RID == SID, ignoring SQ low bits */
#define XRMU_IRTE_SVT_BUS	2	/* SID[15:8] <= bus <= SID[7:0] */

#define XRMU_IRTE_DLM_FIXED	0
#define XRMU_IRTE_DLM_LOWPRI	1
#define XRMU_IRTE_DLM_NMI	4

#define XRMU_IRTE_SIZE		16
#define XRMU_IRT_MAX_LOG2	11	/* CAP.IRT_MAXLOG2 legal range 0..11 */

/* Remappable MSI address (low 32 bits; the high 32 bits are 0) and data */
#define XRMU_MSI_ADDR_SHV	BIT(3)
#define XRMU_MSI_ADDR_IF	BIT(4)
#define XRMU_MSI_ADDR_HANDLE	GENMASK(19, 5)
#define XRMU_MSI_ADDR_WINDOW	GENMASK(31, 20)
#define XRMU_MSI_WINDOW_VAL	0xfee
#define XRMU_MSI_DATA_SUBHANDLE	GENMASK(15, 0)

/**
 * struct xrmu_irte - one interrupt remapping table entry
 * @qw: the two little-endian quadwords of the entry
 */
struct xrmu_irte {
	u64 qw[2];
};

/**
 * struct xrmu_ir_sv - source validation of the IRTEs of one device
 * @svt: XRMU_IRTE_SVT_*
 * @sq: for XRMU_IRTE_SVT_RID, number of low RID bits ignored (0..3)
 * @sid: requester ID (SVT_RID) or bus range first << 8 | last (SVT_BUS)
 */
struct xrmu_ir_sv {
	u8 svt;
	u8 sq;
	u16 sid;
};

/**
 * xrmu_irte_qw0() - build word 0 of a valid, well-formed IRTE
 * @vector: interrupt vector (16..255 for fixed and lowest-priority delivery)
 * @dest: destination APIC ID (32-bit x2APIC ID, or an 8-bit xAPIC ID)
 * @logical: logical destination mode (DM = 1)
 * @dlm: delivery mode, XRMU_IRTE_DLM_*
 * @sv: source validation fields (SVT, SQ)
 *
 * Edge triggered (TM = 0), no redirection hint, faults recorded (FPD = 0).
 *
 * Return: the word, V = 1.
 */
static inline u64 xrmu_irte_qw0(u8 vector, u32 dest, bool logical,
				unsigned int dlm, const struct xrmu_ir_sv *sv)
{
	return XRMU_IRTE0_V | FIELD_PREP(XRMU_IRTE0_SVT, sv->svt) |
	       FIELD_PREP(XRMU_IRTE0_SQ, sv->sq) |
	       (logical ? XRMU_IRTE0_DM : 0) |
	       FIELD_PREP(XRMU_IRTE0_DLM, dlm) |
	       FIELD_PREP(XRMU_IRTE0_VECTOR, vector) |
	       FIELD_PREP(XRMU_IRTE0_DEST, dest);
}

/**
 * xrmu_irte_encode() - build a valid, well-formed IRTE
 * @vector: interrupt vector
 * @dest: destination APIC ID
 * @logical: logical destination mode
 * @dlm: delivery mode, XRMU_IRTE_DLM_*
 * @sv: source validation
 *
 * Return: the entry.
 */
static inline struct xrmu_irte xrmu_irte_encode(u8 vector, u32 dest,
						bool logical, unsigned int dlm,
						const struct xrmu_ir_sv *sv)
{
	return (struct xrmu_irte){ {
		xrmu_irte_qw0(vector, dest, logical, dlm, sv),
		FIELD_PREP(XRMU_IRTE1_SID, sv->sid) } };
}

/**
 * xrmu_msi_remap_addr() - low 32 bits of a remappable-format MSI address
 * @handle: base index into the device's IRT (15 bits)
 * @shv: subhandle valid: the unit adds data[15:0] to @handle
 *
 * Return: the address; the high 32 bits of the address are 0.
 */
static inline u32 xrmu_msi_remap_addr(u16 handle, bool shv)
{
	return FIELD_PREP(XRMU_MSI_ADDR_WINDOW, XRMU_MSI_WINDOW_VAL) |
	       FIELD_PREP(XRMU_MSI_ADDR_HANDLE, handle) | XRMU_MSI_ADDR_IF |
	       (shv ? XRMU_MSI_ADDR_SHV : 0);
}

/**
 * xrmu_cmd_inv_irte() - invalidate cached IRTEs of one requester
 * @rid: requester ID
 * @index: first IRT index
 * @count: number of entries, 1 .. 2^32
 *
 * Return: the command.
 */
static inline struct xrmu_cmd xrmu_cmd_inv_irte(u16 rid, u16 index, u64 count)
{
	return (struct xrmu_cmd){ {
		FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_INV_IRTE) |
		FIELD_PREP(XRMU_CMD_RID, rid) |
		FIELD_PREP(XRMU_CMD_IRTE_COUNT_M1, count - 1),
		FIELD_PREP(XRMU_CMD_IRTE_INDEX, index) } };
}

/**
 * xrmu_dte_set_ir() - set the interrupt fields of a device-table entry
 * @dte: the entry (its DMA fields are kept)
 * @im: XRMU_DTE_IM_*
 * @irt: physical address of the IRT (4 KiB aligned), for XRMU_DTE_IM_REMAP
 * @log2: log2 of the number of IRT entries, for XRMU_DTE_IM_REMAP
 *
 * With @im = XRMU_DTE_IM_REMAP, IRSV is set: every IRTE's source-validation
 * fields are checked against the requester.  Otherwise IRSV, IRTLOG2 and
 * IRTPTR are 0.
 */
static inline void xrmu_dte_set_ir(struct xrmu_dte *dte, unsigned int im,
				   phys_addr_t irt, unsigned int log2)
{
	dte->qw[1] &= ~(XRMU_DTE1_IM | XRMU_DTE1_IRSV);
	dte->qw[1] |= FIELD_PREP(XRMU_DTE1_IM, im);
	dte->qw[2] = 0;
	if (im == XRMU_DTE_IM_REMAP) {
		dte->qw[1] |= XRMU_DTE1_IRSV;
		dte->qw[2] = FIELD_PREP(XRMU_DTE2_IRTLOG2, log2) |
			     (irt & XRMU_DTE2_IRTPTR);
	}
}

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
}

static inline bool xrmu_ir_release_prepare(struct xrmu_master *master)
{
	return false;
}

static inline void xrmu_ir_release_device(struct xrmu_master *master) { }
#endif

#endif /* __XRMU_IRQ_REMAP_H */
