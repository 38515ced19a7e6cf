/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xrmu I/O remapping unit: every hardware layout the driver uses, by
 * chapter of the specification (Documentation/xrmu/), and the pure
 * encoders of those layouts (checked by hw_kunit.c, ir_kunit.c and
 * dte_kunit.c against the spec's tables).  Nothing here knows about
 * driver state; see xrmu.h for that.
 *
 * Memory structures are little-endian; the driver keeps them as native
 * u64 and therefore depends on !CPU_BIG_ENDIAN (see Kconfig).
 */
#ifndef __XRMU_BITS_H
#define __XRMU_BITS_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/sizes.h>
#include <linux/types.h>

/* ---- identity.rst: the PCI function ---------------------------------- */

#define XRMU_PCI_CLASS_IOMMU	0x0806

/* ---- registers.rst: the register block (BAR0 or platform) ------------ */

#define XRMU_REG_VERSION	0x000
#define XRMU_REG_CAP		0x008
#define XRMU_REG_RIDRANGE	0x010
#define XRMU_REG_ECAP		0x018
#define XRMU_REG_CTRL		0x020
#define XRMU_REG_STATUS		0x024
#define XRMU_REG_RESET		0x028
#define XRMU_REG_DTBASE		0x030
#define XRMU_REG_CMDQ_BASE	0x040
#define XRMU_REG_CMDQ_HEAD	0x048
#define XRMU_REG_CMDQ_TAIL	0x04c
#define XRMU_REG_CMDQ_STS	0x050
#define XRMU_REG_FLTQ_BASE	0x058
#define XRMU_REG_FLTQ_HEAD	0x060
#define XRMU_REG_FLTQ_TAIL	0x064
#define XRMU_REG_FLTQ_STS	0x068
#define XRMU_REG_FLTQ_LOST	0x06c
#define XRMU_REG_DBG_VIOL_COUNT	0x100
#define XRMU_REG_DBG_VIOL_LAST	0x104
#define XRMU_REG_DBG_INJECT	0x108
#define XRMU_REG_CNT_XLATE	0x110
#define XRMU_REG_CNT_FAULT	0x118
#define XRMU_REG_CNT_IR_REMAP	0x120
#define XRMU_REG_CNT_IR_BLOCK	0x128
#define XRMU_REG_CNT_IOTLB_HIT	0x130
#define XRMU_REG_CNT_IOTLB_MISS	0x138
#define XRMU_REG_CNT_CMD	0x140

#define XRMU_VERSION_MAJOR	GENMASK(31, 16)
#define XRMU_VERSION_MINOR	GENMASK(15, 0)

#define XRMU_CAP_AW39		BIT_ULL(0)
#define XRMU_CAP_AW48		BIT_ULL(1)
#define XRMU_CAP_AW57		BIT_ULL(2)
#define XRMU_CAP_PS2M		BIT_ULL(4)
#define XRMU_CAP_PS1G		BIT_ULL(5)
#define XRMU_CAP_DIDW		GENMASK_ULL(11, 8)
#define XRMU_CAP_IR		BIT_ULL(12)
#define XRMU_CAP_COH		BIT_ULL(13)
#define XRMU_CAP_DBG		BIT_ULL(14)
#define XRMU_CAP_CMDQ_MAXLOG2	GENMASK_ULL(19, 16)
#define XRMU_CAP_FLTQ_MAXLOG2	GENMASK_ULL(23, 20)
#define XRMU_CAP_IRT_MAXLOG2	GENMASK_ULL(27, 24)
#define XRMU_CAP_PAW		GENMASK_ULL(37, 32)
#define XRMU_CAP_DEFINED	(XRMU_CAP_AW39 | XRMU_CAP_AW48 | XRMU_CAP_AW57 | \
				 XRMU_CAP_PS2M | XRMU_CAP_PS1G | XRMU_CAP_DIDW | \
				 XRMU_CAP_IR | XRMU_CAP_COH | XRMU_CAP_DBG | \
				 XRMU_CAP_CMDQ_MAXLOG2 | XRMU_CAP_FLTQ_MAXLOG2 | \
				 XRMU_CAP_IRT_MAXLOG2 | XRMU_CAP_PAW)

#define XRMU_RIDRANGE_SEG	GENMASK_ULL(15, 0)
#define XRMU_RIDRANGE_BUS_FIRST	GENMASK_ULL(23, 16)
#define XRMU_RIDRANGE_BUS_LAST	GENMASK_ULL(31, 24)
#define XRMU_RIDRANGE_RSVD	GENMASK_ULL(63, 32)

#define XRMU_CTRL_EN		BIT(0)
#define XRMU_CTRL_IRE		BIT(1)
#define XRMU_CTRL_CMDQ_EN	BIT(2)
#define XRMU_CTRL_FLTQ_EN	BIT(3)
#define XRMU_CTRL_FLT_IE	BIT(4)
#define XRMU_CTRL_CMD_IE	BIT(5)
#define XRMU_CTRL_BLK		BIT(8)

#define XRMU_STATUS_EN_ACK	BIT(0)
#define XRMU_STATUS_IRE_ACK	BIT(1)
#define XRMU_STATUS_CMDQ_ON	BIT(2)
#define XRMU_STATUS_FLTQ_ON	BIT(3)
#define XRMU_STATUS_BLK_ACK	BIT(8)

#define XRMU_RESET_MAGIC	0x52534554	/* "RSET" */

#define XRMU_DTBASE_FMT_2LVL	BIT_ULL(0)
#define XRMU_DTBASE_LOG2SZ	GENMASK_ULL(8, 4)
#define XRMU_DTBASE_BASE	GENMASK_ULL(63, 12)

/* CMDQ_BASE and FLTQ_BASE */
#define XRMU_QBASE_LOG2SZ	GENMASK_ULL(4, 0)
#define XRMU_QBASE_BASE		GENMASK_ULL(63, 12)
#define XRMU_QIDX		GENMASK(14, 0)
#define XRMU_Q_MINLOG2		4

#define XRMU_CMDQ_STS_ERR	BIT(0)
#define XRMU_CMDQ_STS_ERRCODE	GENMASK(11, 8)
#define XRMU_CMDQ_ERR_ILLEGAL	1
#define XRMU_CMDQ_ERR_READ	2
#define XRMU_CMDQ_ERR_SYNC_WRITE 3

#define XRMU_FLTQ_STS_OVF	BIT(0)
#define XRMU_FLTQ_STS_WERR	BIT(1)

/* DTBASE: two-level table covering 2^@log2sz requester IDs */
static inline u64 xrmu_dtbase_encode(phys_addr_t l1, unsigned int log2sz)
{
	return XRMU_DTBASE_FMT_2LVL | FIELD_PREP(XRMU_DTBASE_LOG2SZ, log2sz) |
	       (l1 & XRMU_DTBASE_BASE);
}

/* CMDQ_BASE / FLTQ_BASE */
static inline u64 xrmu_qbase_encode(phys_addr_t base, unsigned int log2sz)
{
	return FIELD_PREP(XRMU_QBASE_LOG2SZ, log2sz) | (base & XRMU_QBASE_BASE);
}

/* ---- device-table.rst ------------------------------------------------- */

#define XRMU_DT_LOG2SZ		16	/* the whole 16-bit RID space */
#define XRMU_DT_L1_SHIFT	7	/* L1 index = RID[15:7] */
#define XRMU_DT_L1_ENTRIES	512
#define XRMU_DT_L2_ENTRIES	128	/* 32-byte DTEs in a 4 KiB page */

#define XRMU_L1E_V		BIT_ULL(0)
#define XRMU_L1E_ADDR		GENMASK_ULL(63, 12)

#define XRMU_DTE0_V		BIT_ULL(0)
#define XRMU_DTE0_MODE		GENMASK_ULL(2, 1)
#define XRMU_DTE0_LEVELS	GENMASK_ULL(5, 3)
#define XRMU_DTE0_FSD		BIT_ULL(6)
#define XRMU_DTE0_PTROOT	GENMASK_ULL(63, 12)
#define XRMU_DTE1_DID		GENMASK_ULL(15, 0)
#define XRMU_DTE1_IM		GENMASK_ULL(17, 16)
#define XRMU_DTE1_IRSV		BIT_ULL(18)
#define XRMU_DTE2_IRTLOG2	GENMASK_ULL(3, 0)
#define XRMU_DTE2_IRTPTR	GENMASK_ULL(63, 12)

#define XRMU_DTE_MODE_BLOCKED	0
#define XRMU_DTE_MODE_PASS	1
#define XRMU_DTE_MODE_XLATE	2

#define XRMU_DTE_IM_BLOCK	0
#define XRMU_DTE_IM_COMPAT	1
#define XRMU_DTE_IM_REMAP	2

/**
 * struct xrmu_dte - one device-table entry
 * @qw: the four quadwords of the entry
 */
struct xrmu_dte {
	u64 qw[4];
};

static inline u64 xrmu_l1e_encode(phys_addr_t l2)
{
	return XRMU_L1E_V | (l2 & XRMU_L1E_ADDR);
}

/**
 * xrmu_dte_encode() - the DMA fields of a valid device-table entry
 * @mode: XRMU_DTE_MODE_*
 * @levels: page-table levels (translate mode only, else ignored)
 * @root: physical address of the top-level table (translate mode only)
 * @did: domain ID (translate mode only)
 * @fsd: suppress fault records
 *
 * The interrupt fields (IM, IRSV, IRTLOG2, IRTPTR) are left 0: they have
 * one writer, xrmu_dte_set_ir(), and an entry is only installed once it
 * has set them.
 *
 * Return: the entry.
 */
static inline struct xrmu_dte xrmu_dte_encode(unsigned int mode,
					      unsigned int levels,
					      phys_addr_t root, u16 did,
					      bool fsd)
{
	struct xrmu_dte dte = { };

	dte.qw[0] = XRMU_DTE0_V | FIELD_PREP(XRMU_DTE0_MODE, mode) |
		    (fsd ? XRMU_DTE0_FSD : 0);
	if (mode == XRMU_DTE_MODE_XLATE) {
		dte.qw[0] |= FIELD_PREP(XRMU_DTE0_LEVELS, levels) |
			     (root & XRMU_DTE0_PTROOT);
		dte.qw[1] = FIELD_PREP(XRMU_DTE1_DID, did);
	}
	return dte;
}

/* ---- page-tables.rst -------------------------------------------------- */

#define XRMU_PTE_V		BIT_ULL(0)
#define XRMU_PTE_R		BIT_ULL(1)
#define XRMU_PTE_W		BIT_ULL(2)
#define XRMU_PTE_LEAF		BIT_ULL(3)
#define XRMU_PTE_ADDR		GENMASK_ULL(51, 12)

#define XRMU_PT_ENTRIES		512
#define XRMU_PT_MAX_LEVELS	5
#define XRMU_PT_LEVEL_BITS	9	/* IOVA bits resolved per level */

/* IOVA bits translated by a table of @levels levels (4 KiB pages) */
static inline unsigned int xrmu_pt_va_bits(unsigned int levels)
{
	return 12 + XRMU_PT_LEVEL_BITS * levels;
}

/* ---- command-queue.rst: commands, 16 bytes each ----------------------- */

#define XRMU_CMD_OPCODE		GENMASK_ULL(7, 0)
#define XRMU_CMD_OP_NOP		0x01
#define XRMU_CMD_OP_INV_DTE	0x02
#define XRMU_CMD_OP_INV_IOTLB	0x03
#define XRMU_CMD_OP_INV_IRTE	0x04
#define XRMU_CMD_OP_SYNC	0x05

#define XRMU_CMD_INV_DTE_ALL	BIT_ULL(8)
#define XRMU_CMD_RID		GENMASK_ULL(31, 16)

#define XRMU_CMD_IOTLB_SCOPE	GENMASK_ULL(9, 8)
#define XRMU_CMD_IOTLB_RANGE	0
#define XRMU_CMD_IOTLB_DOMAIN	1
#define XRMU_CMD_IOTLB_GLOBAL	2
#define XRMU_CMD_IOTLB_DID	GENMASK_ULL(31, 16)
#define XRMU_CMD_IOTLB_NPAGES_M1 GENMASK_ULL(63, 32)
#define XRMU_CMD_IOTLB_ADDR	GENMASK_ULL(63, 12)

#define XRMU_CMD_INV_IRTE_ALL	BIT_ULL(8)
#define XRMU_CMD_IRTE_COUNT_M1	GENMASK_ULL(63, 32)
#define XRMU_CMD_IRTE_INDEX	GENMASK_ULL(15, 0)

#define XRMU_CMD_SYNC_WR	BIT_ULL(8)
#define XRMU_CMD_SYNC_IRQ	BIT_ULL(9)
#define XRMU_CMD_SYNC_DATA	GENMASK_ULL(63, 32)
#define XRMU_CMD_SYNC_ADDR	GENMASK_ULL(63, 2)

/**
 * struct xrmu_cmd - one command queue entry
 * @qw: the two little-endian quadwords of the entry
 */
struct xrmu_cmd {
	u64 qw[2];
};

static inline struct xrmu_cmd xrmu_cmd_nop(void)
{
	return (struct xrmu_cmd){ { FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_NOP), 0 } };
}

static inline struct xrmu_cmd xrmu_cmd_inv_dte(u16 rid)
{
	return (struct xrmu_cmd){ {
		FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_INV_DTE) |
		FIELD_PREP(XRMU_CMD_RID, rid), 0 } };
}

static inline struct xrmu_cmd xrmu_cmd_inv_dte_all(void)
{
	return (struct xrmu_cmd){ {
		FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_INV_DTE) |
		XRMU_CMD_INV_DTE_ALL, 0 } };
}

/* @npages: number of 4 KiB pages, 1 .. 2^32 */
static inline struct xrmu_cmd xrmu_cmd_inv_iotlb_range(u16 did, u64 iova,
						       u64 npages)
{
	return (struct xrmu_cmd){ {
		FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_INV_IOTLB) |
		FIELD_PREP(XRMU_CMD_IOTLB_SCOPE, XRMU_CMD_IOTLB_RANGE) |
		FIELD_PREP(XRMU_CMD_IOTLB_DID, did) |
		FIELD_PREP(XRMU_CMD_IOTLB_NPAGES_M1, npages - 1),
		iova & XRMU_CMD_IOTLB_ADDR } };
}

static inline struct xrmu_cmd xrmu_cmd_inv_iotlb_domain(u16 did)
{
	return (struct xrmu_cmd){ {
		FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_INV_IOTLB) |
		FIELD_PREP(XRMU_CMD_IOTLB_SCOPE, XRMU_CMD_IOTLB_DOMAIN) |
		FIELD_PREP(XRMU_CMD_IOTLB_DID, did), 0 } };
}

static inline struct xrmu_cmd xrmu_cmd_inv_iotlb_global(void)
{
	return (struct xrmu_cmd){ {
		FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_INV_IOTLB) |
		FIELD_PREP(XRMU_CMD_IOTLB_SCOPE, XRMU_CMD_IOTLB_GLOBAL), 0 } };
}

static inline struct xrmu_cmd xrmu_cmd_inv_irte_all(void)
{
	return (struct xrmu_cmd){ {
		FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_INV_IRTE) |
		XRMU_CMD_INV_IRTE_ALL, 0 } };
}

/* SYNC that writes @data to the 4-byte aligned physical address @addr */
static inline struct xrmu_cmd xrmu_cmd_sync(u64 addr, u32 data, bool irq)
{
	return (struct xrmu_cmd){ {
		FIELD_PREP(XRMU_CMD_OPCODE, XRMU_CMD_OP_SYNC) |
		XRMU_CMD_SYNC_WR | (irq ? XRMU_CMD_SYNC_IRQ : 0) |
		FIELD_PREP(XRMU_CMD_SYNC_DATA, data),
		addr & XRMU_CMD_SYNC_ADDR } };
}

/* ---- fault-queue.rst: fault records, 32 bytes each -------------------- */

#define XRMU_FLT_REASON		GENMASK_ULL(7, 0)
#define XRMU_FLT_ACC		GENMASK_ULL(9, 8)
#define XRMU_FLT_DIDV		BIT_ULL(10)
#define XRMU_FLT_RID		GENMASK_ULL(31, 16)
#define XRMU_FLT_DID		GENMASK_ULL(47, 32)
#define XRMU_FLT_NR_REASONS	0x28	/* codes 0x00 .. 0x27 */
#define XRMU_FLT_ACC_READ	0
#define XRMU_FLT_ACC_WRITE	1
#define XRMU_FLT_ACC_IRQ	2

/* ---- interrupt-remapping.rst ------------------------------------------ */

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
/* The interrupt window: MSI addresses 0xFEE00000-0xFEEFFFFF */
#define XRMU_MSI_WINDOW_BASE	0xfee00000UL
#define XRMU_MSI_WINDOW_SIZE	SZ_1M
#define XRMU_MSI_WINDOW_VAL	FIELD_GET(XRMU_MSI_ADDR_WINDOW, XRMU_MSI_WINDOW_BASE)
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
 * @dte: the entry (its DMA fields, from xrmu_dte_encode(), are kept)
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

#endif /* __XRMU_BITS_H */
