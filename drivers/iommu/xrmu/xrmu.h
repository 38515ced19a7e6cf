/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xrmu I/O remapping unit: hardware definitions and driver-private types.
 *
 * All hardware layouts (registers, device table, page tables, commands and
 * fault records) are defined here once, from Documentation/xrmu/.  Memory
 * structures are little-endian; the driver keeps them as native u64 and
 * therefore depends on !CPU_BIG_ENDIAN (see Kconfig).
 */
#ifndef __XRMU_H
#define __XRMU_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/generic_pt/iommu.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

/* Register offsets (BAR0 / platform register block) */
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

/* Device table */
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

/* Page-table entries */
#define XRMU_PTE_V		BIT_ULL(0)
#define XRMU_PTE_R		BIT_ULL(1)
#define XRMU_PTE_W		BIT_ULL(2)
#define XRMU_PTE_LEAF		BIT_ULL(3)
#define XRMU_PTE_ADDR		GENMASK_ULL(51, 12)

#define XRMU_PT_ENTRIES		512
#define XRMU_PT_MAX_LEVELS	5

/* Commands: 16 bytes each */
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

/* Fault records: 32 bytes each */
#define XRMU_FLT_REASON		GENMASK_ULL(7, 0)
#define XRMU_FLT_ACC		GENMASK_ULL(9, 8)
#define XRMU_FLT_DIDV		BIT_ULL(10)
#define XRMU_FLT_RID		GENMASK_ULL(31, 16)
#define XRMU_FLT_DID		GENMASK_ULL(47, 32)
#define XRMU_FLT_NR_REASONS	0x28	/* codes 0x00 .. 0x27 */
#define XRMU_FLT_ACC_READ	0
#define XRMU_FLT_ACC_WRITE	1
#define XRMU_FLT_ACC_IRQ	2

#define XRMU_MSI_WINDOW_BASE	0xfee00000UL
#define XRMU_MSI_WINDOW_SIZE	SZ_1M
#define XRMU_PCI_CLASS_IOMMU	0x0806

/**
 * struct xrmu_cmd - one command queue entry
 * @qw: the two little-endian quadwords of the entry
 */
struct xrmu_cmd {
	u64 qw[2];
};

/**
 * struct xrmu_dte - one device-table entry
 * @qw: the four quadwords of the entry
 */
struct xrmu_dte {
	u64 qw[4];
};

/**
 * struct xrmu_dte_step - one store of a device-table entry update
 * @val: the value stored
 * @qw: the word it goes to (0 to 3)
 */
struct xrmu_dte_step {
	u64 val;
	u8 qw;
};

/*
 * Steps of an xrmu_dte_plan(): at most three joins of seven stores each
 * (words the old entry ignores, the word that switches, words the new
 * one ignores).
 */
#define XRMU_DTE_MAX_STEPS	21

unsigned int xrmu_dte_plan(const struct xrmu_dte *cur,
			   const struct xrmu_dte *tgt,
			   struct xrmu_dte_step *steps);

/* Encoders: pure functions, checked by hw_kunit.c against the spec. */
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

static inline u64 xrmu_l1e_encode(phys_addr_t l2)
{
	return XRMU_L1E_V | (l2 & XRMU_L1E_ADDR);
}

/**
 * xrmu_dte_encode() - build a valid device-table entry
 * @mode: XRMU_DTE_MODE_*
 * @levels: page-table levels (translate mode only, else ignored)
 * @root: physical address of the top-level table (translate mode only)
 * @did: domain ID (translate mode only)
 * @fsd: suppress fault records
 *
 * Interrupt fields: IM=1 (compatibility-format MSIs pass through) so the
 * entry keeps today's MSI behaviour should interrupt remapping be enabled;
 * no IRT.
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
	dte.qw[1] |= FIELD_PREP(XRMU_DTE1_IM, XRMU_DTE_IM_COMPAT);
	return dte;
}

/**
 * struct xrmu_counters - software event counters of a unit
 * @fault_irqs: runs of the fault interrupt thread
 * @fault_records: fault records read from the queue
 * @fault_reason: fault records by reason code
 * @fault_reported: records handed to a domain fault handler that took them
 * @fault_lost: records the unit dropped on a full queue (FLTQ_LOST)
 * @fault_overflows: fault queue overflows (FLTQ_STS.OVF seen and cleared)
 * @fault_write_errors: fault record write errors (FLTQ_STS.WERR)
 * @cmd_errors: command queue errors by ERRCODE (0: unknown code)
 * @cmd_timeouts: command queue waits that timed out
 * @fences: times the unit was fenced (DMA blocked) after a timeout
 * @recoveries: times a fenced unit was brought back
 * @quarantined: table pages kept because their invalidation failed on a
 *	unit that did not acknowledge its block
 * @storm_blocks: devices whose DMA was blocked for a fault storm
 * @resumes: times the unit was programmed again after a system sleep
 * @resumes_reset: of those, times it was found in its reset state (it had
 *	lost power, as in S3) rather than as the suspend left it
 *
 * Fault counters are written by the fault thread only, command counters
 * under cmdq_lock; readers (debugfs) may see them slightly out of date.
 */
struct xrmu_counters {
	u64 fault_irqs;
	u64 fault_records;
	u64 fault_reason[XRMU_FLT_NR_REASONS];
	u64 fault_reported;
	u64 fault_lost;
	u64 fault_overflows;
	u64 fault_write_errors;
	u64 cmd_errors[4];
	u64 cmd_timeouts;
	u64 fences;
	u64 recoveries;
	u64 quarantined;
	u64 storm_blocks;
	u64 resumes;
	u64 resumes_reset;
};

/* Interrupt remapping state, private to irq_remap.c. */
struct xrmu_ir;
struct xrmu_ir_dev;

/**
 * struct xrmu_unit - one xrmu instance
 * @iommu: IOMMU core handle
 * @dev: the device providing the unit (PCI function or platform device)
 * @regs: register block
 * @node: entry in the global unit list
 * @irq_fault: Linux IRQ of the fault interrupt (vector 0)
 * @irq_cmd: Linux IRQ of the command-queue interrupt (vector 1), or 0
 * @id: instance number (sysfs name xrmu<id>)
 * @version: VERSION register
 * @cap: CAP register
 * @ecap: ECAP register
 * @segment: PCI segment covered
 * @bus_first: first bus covered
 * @bus_last: last bus covered
 * @didw: domain ID width
 * @paw: physical address width
 * @levels: page-table levels used for paging domains
 * @pgsize_bitmap: leaf sizes supported
 * @ctrl: shadow of CTRL
 * @nr_masters: number of probed devices (under @dt_lock)
 * @masters: the probed devices, &struct xrmu_master.node (under @dt_lock)
 * @dt_lock: serialises device-table writes and L2 allocation
 * @dt_l1: level-1 device table
 * @dt_l2: level-2 device table pages, by L1 index
 * @cmdq_lock: serialises queueing, publishing (CMDQ_TAIL) and error
 *	recovery; waiters poll for their SYNC without it
 * @cmdq: command queue memory
 * @cmdq_log2: log2 of the number of command queue entries
 * @cmdq_tail: software copy of CMDQ_TAIL
 * @cmdq_head: a CMDQ_HEAD value read from the register (HEAD only moves
 *	towards TAIL, so this is never ahead of the register)
 * @cmdq_lost: commands other than SYNCs that the unit rejected and the
 *	driver replaced by a NOP (an invalidation may have been lost; a
 *	rejected SYNC is completed by the driver and not counted)
 * @sync_word: completion word written by SYNC commands; SYNCs complete in
 *	queue order, so it only moves forward
 * @sync_seq: last sequence number used in a SYNC
 * @fltq: fault queue memory
 * @fltq_log2: log2 of the number of fault records
 * @did_ida: domain ID allocator
 * @ir: interrupt remapping state (irq_remap.c), NULL when remapping is off
 * @debugfs: debugfs directory
 * @cnt: software event counters
 * @fltq_lost: last FLTQ_LOST value seen (fault thread)
 * @fenced: the command queue stopped making progress: submissions fail at
 *	once until @recover_work sees the queue move again.  Set only once
 *	the unit acknowledged the block, or failed to within the fence
 *	timeout (then @blocked stays false)
 * @blocked: the unit acknowledged CTRL.BLK with EN off when it was fenced:
 *	nothing is translated, walked or cached until recovery
 * @asleep: the unit is switched off for a system sleep or a shutdown:
 *	submissions return at once (xrmu_cmdq_sleep()); under @cmdq_lock
 * @flags: XRMU_UNIT_* bits
 * @recover_work: retries a fenced unit
 * @quarantine: table pages whose invalidation failed while the unit was
 *	not known to be blocked: freed only after a recovery invalidated
 *	every cache, or when the unit is removed
 * @quarantine_lock: protects @quarantine
 * @walk_rid: requester ID of the debugfs "walk" file
 * @walk_iova: IOVA of the debugfs "walk" file
 */
struct xrmu_unit {
	struct iommu_device iommu;
	struct device *dev;
	void __iomem *regs;
	struct list_head node;
	int irq_fault;
	int irq_cmd;
	int id;
	u32 version;
	u64 cap;
	u64 ecap;
	u16 segment;
	u8 bus_first;
	u8 bus_last;
	unsigned int didw;
	unsigned int paw;
	unsigned int levels;
	unsigned long pgsize_bitmap;
	u32 ctrl;
	unsigned int nr_masters;
	struct list_head masters;

	struct mutex dt_lock;	/* device table */
	u64 *dt_l1;
	struct xrmu_dte *dt_l2[XRMU_DT_L1_ENTRIES];

	raw_spinlock_t cmdq_lock;	/* command queue */
	struct xrmu_cmd *cmdq;
	unsigned int cmdq_log2;
	u32 cmdq_tail;
	u32 cmdq_head;
	u32 cmdq_lost;
	u32 *sync_word;
	u32 sync_seq;

	void *fltq;
	unsigned int fltq_log2;

	struct ida did_ida;
	struct xrmu_ir *ir;
	struct dentry *debugfs;

	struct xrmu_counters cnt;
	u32 fltq_lost;
	bool fenced;
	bool blocked;
	bool asleep;
	unsigned long flags;
	struct delayed_work recover_work;
	struct iommu_pages_list quarantine;
	spinlock_t quarantine_lock;	/* quarantine */
	u16 walk_rid;
	u64 walk_iova;
};

/* Distinct requester IDs a device's DMA may carry (its own and aliases) */
#define XRMU_MAX_ALIASES	16

/**
 * struct xrmu_master - per covered device data
 * @unit: the unit covering the device
 * @dev: the device
 * @rid: its requester ID
 * @ir: interrupt remapping state (irq_remap.c), NULL if MSIs are not remapped
 * @node: entry in the unit's @masters list
 * @dte: the translation it was last attached to (interrupt fields not
 *	filled in; zero before the first attach)
 * @domain: the domain it was last attached to (NULL before the first
 *	attach); @dte and @domain are written under the unit's dt_lock
 * @nr_rids: number of entries in @rids
 * @rids: the distinct requester IDs of its DMA in the unit's range: its
 *	own and its aliases', found when it was probed
 * @flt_start: jiffies at the start of the current fault-storm window
 * @flt_count: DMA fault records of the device in that window
 * @storm_blocked: its entries block DMA after a fault storm (until the next
 *	attach); these three are written under dt_lock
 */
struct xrmu_master {
	struct xrmu_unit *unit;
	struct device *dev;
	u16 rid;
	struct xrmu_ir_dev *ir;
	struct list_head node;
	struct xrmu_dte dte;
	struct iommu_domain *domain;
	unsigned int nr_rids;
	u16 rids[XRMU_MAX_ALIASES];
	unsigned long flt_start;
	unsigned int flt_count;
	bool storm_blocked;
};

/**
 * struct xrmu_domain_unit - a unit a paging domain is attached through
 * @node: entry in the domain's @units list
 * @unit: the unit
 * @did: the domain's ID in that unit's DID space
 * @users: devices of @unit attached to the domain
 */
struct xrmu_domain_unit {
	struct list_head node;
	struct xrmu_unit *unit;
	u16 did;
	unsigned int users;
};

/**
 * struct xrmu_domain - a paging domain
 * @domain: IOMMU core domain (the first member of @pt's &struct pt_iommu)
 * @pt: its page table, in the xrmu format of the generic page-table
 *	library (drivers/iommu/generic_pt/fmt/xrmu.h)
 * @levels: page-table levels (from the unit it was allocated for)
 * @paw: physical address width its tables and output addresses fit in
 * @ps: the large leaf sizes it uses (CAP.PS2M, CAP.PS1G bits)
 * @attach_lock: serialises changes to @units (sleeps)
 * @lock: protects @units for the invalidation paths (any context)
 * @units: &struct xrmu_domain_unit of each unit with attached devices: a
 *	domain spans every unit whose capabilities fit it, with one DID on
 *	each, as intel and amd do
 * @kept: an invalidation of a unit that left failed: never free the tables
 */
struct xrmu_domain {
	union {
		struct iommu_domain domain;
		struct pt_iommu_xrmu pt;
	};
	unsigned int levels;
	unsigned int paw;
	u64 ps;
	struct mutex attach_lock;	/* @units changes */
	spinlock_t lock;		/* @units, invalidations */
	struct list_head units;
	bool kept;
};

/* Bits of xrmu_unit::flags */
#define XRMU_UNIT_GONE		0	/* registers read all ones: removed */

bool xrmu_check_gone(struct xrmu_unit *unit);

/**
 * xrmu_gone() - the unit was found removed (registers read all ones)
 * @unit: the unit
 *
 * Return: true once xrmu_check_gone() found the unit gone; never reset.
 */
static inline bool xrmu_gone(struct xrmu_unit *unit)
{
	return test_bit(XRMU_UNIT_GONE, &unit->flags);
}

/*
 * Register accessors.  A read of all ones is what a removed PCI function
 * (or a dead register block) returns: it makes xrmu_check_gone() look at
 * VERSION, which reads all ones only then.
 */
static inline u32 xrmu_readl(struct xrmu_unit *unit, unsigned int off)
{
	u32 val = readl(unit->regs + off);

	if (unlikely(val == U32_MAX))
		xrmu_check_gone(unit);
	return val;
}

static inline u64 xrmu_readq(struct xrmu_unit *unit, unsigned int off)
{
	u64 val = readq(unit->regs + off);

	if (unlikely(val == U64_MAX))
		xrmu_check_gone(unit);
	return val;
}

static inline void xrmu_writel(struct xrmu_unit *unit, unsigned int off,
			       u32 val)
{
	writel(val, unit->regs + off);
}

static inline void xrmu_writeq(struct xrmu_unit *unit, unsigned int off,
			       u64 val)
{
	writeq(val, unit->regs + off);
}

/* cmdq.c */
int xrmu_cmdq_submit(struct xrmu_unit *unit, const struct xrmu_cmd *cmds,
		     unsigned int n);
int xrmu_cmdq_submit_store(struct xrmu_unit *unit, u64 *ptr, u64 val,
			   const struct xrmu_cmd *cmds, unsigned int n);
int xrmu_inv_iotlb_range(struct xrmu_unit *unit, u16 did, unsigned long iova,
			 size_t size);
bool xrmu_cmdq_quiesced(struct xrmu_unit *unit, int ret);
void xrmu_free_table_pages(struct xrmu_unit *unit, int ret,
			   struct iommu_pages_list *pages);
void xrmu_cmdq_init(struct xrmu_unit *unit);
void xrmu_cmdq_exit(struct xrmu_unit *unit);
int xrmu_cmdq_sleep(struct xrmu_unit *unit);
void xrmu_cmdq_wake(struct xrmu_unit *unit);
void xrmu_cmdq_free(struct xrmu_unit *unit);

/* debugfs.c */
void xrmu_debugfs_unit_init(struct xrmu_unit *unit);

/* fault.c */
irqreturn_t xrmu_fault_thread(int irq, void *data);

/* core.c: interface of the bus glue */
bool xrmu_report_fault(struct xrmu_unit *unit, u16 rid, unsigned long iova,
		       int flags);
int xrmu_core_probe(struct xrmu_unit *unit);
void xrmu_core_remove(struct xrmu_unit *unit);
int xrmu_core_suspend(struct xrmu_unit *unit);
int xrmu_core_resume(struct xrmu_unit *unit);
void xrmu_core_shutdown(struct xrmu_unit *unit);

/* The bus glues (pci.c, platform.c), registered by the module's init */
int xrmu_pci_register(void);
void xrmu_pci_unregister(void);
int xrmu_platform_register(void);
void xrmu_platform_unregister(void);

#endif /* __XRMU_H */
