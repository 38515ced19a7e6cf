/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xrmu I/O remapping unit: driver state and the interfaces between the
 * driver's files.  The hardware layouts are in xrmu-bits.h.
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

#include "xrmu-bits.h"

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
void xrmu_debugfs_unit_exit(struct xrmu_unit *unit);
void xrmu_debugfs_init(void);
void xrmu_debugfs_exit(void);

/* fault.c */
irqreturn_t xrmu_fault_thread(int irq, void *data);

/* core.c: interface of the bus glue */
bool xrmu_report_fault(struct xrmu_unit *unit, u16 rid, unsigned long iova,
		       int flags);
int xrmu_core_probe(struct xrmu_unit *unit);
void xrmu_core_remove(struct xrmu_unit *unit);
extern const struct dev_pm_ops xrmu_pm_ops;
void xrmu_core_shutdown(struct xrmu_unit *unit);

/* The bus glues (pci.c, platform.c), registered by the module's init */
int xrmu_pci_register(void);
void xrmu_pci_unregister(void);
int xrmu_platform_register(void);
void xrmu_platform_unregister(void);

#endif /* __XRMU_H */
