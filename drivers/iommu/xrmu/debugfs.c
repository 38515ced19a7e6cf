// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu debugfs, all of it: /sys/kernel/debug/iommu/xrmu/<unit>/ with the
 * unit's registers, fault injection and a lone SYNC (units with CAP.DBG),
 * counters, device table, page walks and interrupt remapping tables.
 *
 * The tables are read as the unit would read them, from memory, with no
 * lock against concurrent map/unmap: a walk of a page table that is being
 * changed may show a mix of old and new entries.  Table pages are only
 * followed if they are RAM.
 */

#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "irq_remap.h"
#include "xrmu.h"

static struct dentry *xrmu_debugfs_root;

static const char * const xrmu_dte_mode[] = { "blocked", "pass", "xlate", "?" };
static const char * const xrmu_dte_im[] = { "block", "compat", "remap", "?" };

/* Memory the unit points at, if it is RAM the kernel can read. */
static void *xrmu_dbg_phys(u64 pa)
{
	if (!pfn_valid(PHYS_PFN(pa)))
		return NULL;
	return phys_to_virt(pa);
}

static const struct xrmu_dte *xrmu_dbg_dte(struct xrmu_unit *unit, u16 rid)
{
	struct xrmu_dte *l2 = unit->dt_l2[rid >> XRMU_DT_L1_SHIFT];

	return l2 ? &l2[rid & (XRMU_DT_L2_ENTRIES - 1)] : NULL;
}

/* ---- counters ---- */

static int xrmu_counters_show(struct seq_file *s, void *unused)
{
	static const char * const cmd_err[] = {
		"unknown", "illegal", "read_error", "sync_write_error",
	};
	static const struct {
		const char *name;
		unsigned int off;
	} hw[] = {
		{ "hw_translated", XRMU_REG_CNT_XLATE },
		{ "hw_faults", XRMU_REG_CNT_FAULT },
		{ "hw_irq_remapped", XRMU_REG_CNT_IR_REMAP },
		{ "hw_irq_blocked", XRMU_REG_CNT_IR_BLOCK },
		{ "hw_iotlb_hits", XRMU_REG_CNT_IOTLB_HIT },
		{ "hw_iotlb_misses", XRMU_REG_CNT_IOTLB_MISS },
		{ "hw_commands", XRMU_REG_CNT_CMD },
	};
	struct xrmu_unit *unit = s->private;
	const struct xrmu_counters *c = &unit->cnt;
	unsigned int i;

	seq_printf(s, "fault_irqs %llu\n", READ_ONCE(c->fault_irqs));
	seq_printf(s, "fault_records %llu\n", READ_ONCE(c->fault_records));
	seq_printf(s, "fault_reported %llu\n", READ_ONCE(c->fault_reported));
	seq_printf(s, "fault_lost %llu\n", READ_ONCE(c->fault_lost));
	seq_printf(s, "fault_overflows %llu\n", READ_ONCE(c->fault_overflows));
	seq_printf(s, "fault_write_errors %llu\n",
		   READ_ONCE(c->fault_write_errors));
	for (i = 0; i < XRMU_FLT_NR_REASONS; i++)
		if (READ_ONCE(c->fault_reason[i]))
			seq_printf(s, "fault_reason_0x%02x %llu\n", i,
				   READ_ONCE(c->fault_reason[i]));
	for (i = 0; i < ARRAY_SIZE(cmd_err); i++)
		seq_printf(s, "cmd_error_%s %llu\n", cmd_err[i],
			   READ_ONCE(c->cmd_errors[i]));
	seq_printf(s, "cmd_timeouts %llu\n", READ_ONCE(c->cmd_timeouts));
	seq_printf(s, "fences %llu\n", READ_ONCE(c->fences));
	seq_printf(s, "recoveries %llu\n", READ_ONCE(c->recoveries));
	seq_printf(s, "fenced %u\n", READ_ONCE(unit->fenced));
	seq_printf(s, "blocked %u\n", READ_ONCE(unit->blocked));
	seq_printf(s, "quarantined %llu\n", READ_ONCE(c->quarantined));
	seq_printf(s, "storm_blocks %llu\n", READ_ONCE(c->storm_blocks));
	seq_printf(s, "resumes %llu\n", READ_ONCE(c->resumes));
	seq_printf(s, "resumes_reset %llu\n", READ_ONCE(c->resumes_reset));
	seq_printf(s, "asleep %u\n", READ_ONCE(unit->asleep));
	seq_printf(s, "gone %u\n", xrmu_gone(unit));
	if (!(unit->cap & XRMU_CAP_DBG))
		return 0;
	for (i = 0; i < ARRAY_SIZE(hw); i++)
		seq_printf(s, "%s %llu\n", hw[i].name,
			   xrmu_readq(unit, hw[i].off));
	seq_printf(s, "hw_lost %u\n", xrmu_readl(unit, XRMU_REG_FLTQ_LOST));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xrmu_counters);

/* ---- device table ---- */

static void xrmu_dte_print(struct seq_file *s, u16 rid,
			   const struct xrmu_dte *d)
{
	u64 q0 = READ_ONCE(d->qw[0]), q1 = READ_ONCE(d->qw[1]);
	u64 q2 = READ_ONCE(d->qw[2]), q3 = READ_ONCE(d->qw[3]);

	seq_printf(s, "%02x:%02x.%u %016llx %016llx %016llx %016llx",
		   rid >> 8, (rid >> 3) & 0x1f, rid & 7, q0, q1, q2, q3);
	if (!(q0 & XRMU_DTE0_V)) {
		seq_puts(s, " invalid\n");
		return;
	}
	seq_printf(s, " %s", xrmu_dte_mode[FIELD_GET(XRMU_DTE0_MODE, q0)]);
	if (FIELD_GET(XRMU_DTE0_MODE, q0) == XRMU_DTE_MODE_XLATE)
		seq_printf(s, " levels=%llu root=0x%llx did=%llu",
			   FIELD_GET(XRMU_DTE0_LEVELS, q0), q0 & XRMU_DTE0_PTROOT,
			   FIELD_GET(XRMU_DTE1_DID, q1));
	if (q0 & XRMU_DTE0_FSD)
		seq_puts(s, " fsd");
	seq_printf(s, " im=%s", xrmu_dte_im[FIELD_GET(XRMU_DTE1_IM, q1)]);
	if (FIELD_GET(XRMU_DTE1_IM, q1) == XRMU_DTE_IM_REMAP)
		seq_printf(s, " irt=0x%llx irtlog2=%llu", q2 & XRMU_DTE2_IRTPTR,
			   FIELD_GET(XRMU_DTE2_IRTLOG2, q2));
	seq_putc(s, '\n');
}

/* Every level-2 entry that is not all zero (all-zero entries are invalid). */
static int xrmu_dte_show(struct seq_file *s, void *unused)
{
	struct xrmu_unit *unit = s->private;
	static const struct xrmu_dte zero;
	unsigned int l1, i;

	seq_puts(s, "rid      qw0              qw1              qw2              qw3              decoded\n");
	mutex_lock(&unit->dt_lock);
	for (l1 = 0; l1 < XRMU_DT_L1_ENTRIES; l1++) {
		const struct xrmu_dte *l2 = unit->dt_l2[l1];

		if (!l2)
			continue;
		for (i = 0; i < XRMU_DT_L2_ENTRIES; i++)
			if (memcmp(&l2[i], &zero, sizeof(zero)))
				xrmu_dte_print(s, l1 << XRMU_DT_L1_SHIFT | i,
					       &l2[i]);
	}
	mutex_unlock(&unit->dt_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xrmu_dte);

/* ---- interrupt remapping tables ---- */

static void xrmu_irt_print(struct seq_file *s, u16 rid, u64 q2)
{
	unsigned int n = 1U << FIELD_GET(XRMU_DTE2_IRTLOG2, q2);
	const struct xrmu_irte *irt = xrmu_dbg_phys(q2 & XRMU_DTE2_IRTPTR);
	unsigned int i;

	if (!irt) {
		seq_printf(s, "%02x:%02x.%u IRT at 0x%llx is not RAM\n",
			   rid >> 8, (rid >> 3) & 0x1f, rid & 7,
			   q2 & XRMU_DTE2_IRTPTR);
		return;
	}
	for (i = 0; i < n; i++) {
		u64 w0 = READ_ONCE(irt[i].qw[0]), w1 = READ_ONCE(irt[i].qw[1]);

		if (!(w0 & XRMU_IRTE0_V))
			continue;
		seq_printf(s, "%02x:%02x.%u %4u %016llx %016llx vector=%llu dest=0x%llx dm=%u dlm=%llu svt=%llu sq=%llu sid=%04llx%s\n",
			   rid >> 8, (rid >> 3) & 0x1f, rid & 7, i, w0, w1,
			   FIELD_GET(XRMU_IRTE0_VECTOR, w0),
			   FIELD_GET(XRMU_IRTE0_DEST, w0),
			   !!(w0 & XRMU_IRTE0_DM),
			   FIELD_GET(XRMU_IRTE0_DLM, w0),
			   FIELD_GET(XRMU_IRTE0_SVT, w0),
			   FIELD_GET(XRMU_IRTE0_SQ, w0),
			   FIELD_GET(XRMU_IRTE1_SID, w1),
			   w0 & XRMU_IRTE0_FPD ? " fpd" : "");
	}
}

/* The valid IRTEs of every device whose DTE remaps its interrupts. */
static int xrmu_irte_show(struct seq_file *s, void *unused)
{
	struct xrmu_unit *unit = s->private;
	unsigned int rid;

	seq_puts(s, "rid      index qw0              qw1              decoded\n");
	mutex_lock(&unit->dt_lock);
	for (rid = 0; rid < BIT(16); rid++) {
		const struct xrmu_dte *d = xrmu_dbg_dte(unit, rid);
		u64 q0, q1;

		if (!d) {
			rid |= XRMU_DT_L2_ENTRIES - 1;
			continue;
		}
		q0 = READ_ONCE(d->qw[0]);
		q1 = READ_ONCE(d->qw[1]);
		if ((q0 & XRMU_DTE0_V) &&
		    FIELD_GET(XRMU_DTE1_IM, q1) == XRMU_DTE_IM_REMAP)
			xrmu_irt_print(s, rid, READ_ONCE(d->qw[2]));
	}
	mutex_unlock(&unit->dt_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xrmu_irte);

/* ---- page walk ---- */

/*
 * Walk the page table of walk_rid for walk_iova the way the unit does,
 * printing every entry on the way and the result.  The tables belong to a
 * domain that may be unmapping (and freeing table pages) at the same
 * time, and no lock of this driver keeps them: like the unit, the walk
 * reads whatever memory it is pointed at, without faulting, and may show
 * an entry of a table that was just freed.  It is a snapshot for
 * debugging, never used for a decision.
 */
static int xrmu_walk_show(struct seq_file *s, void *unused)
{
	struct xrmu_unit *unit = s->private;
	u16 rid = READ_ONCE(unit->walk_rid);
	u64 iova = READ_ONCE(unit->walk_iova);
	const struct xrmu_dte *d;
	unsigned int levels, lvl;
	u64 q0, table, pte = 0;

	seq_printf(s, "rid %02x:%02x.%u iova 0x%llx\n", rid >> 8,
		   (rid >> 3) & 0x1f, rid & 7, iova);
	mutex_lock(&unit->dt_lock);
	d = xrmu_dbg_dte(unit, rid);
	q0 = d ? READ_ONCE(d->qw[0]) : 0;
	mutex_unlock(&unit->dt_lock);
	if (!(q0 & XRMU_DTE0_V)) {
		seq_puts(s, "device-table entry invalid: DTE_INVALID fault\n");
		return 0;
	}
	switch (FIELD_GET(XRMU_DTE0_MODE, q0)) {
	case XRMU_DTE_MODE_BLOCKED:
		seq_puts(s, "mode blocked: BLOCKED fault\n");
		return 0;
	case XRMU_DTE_MODE_PASS:
		seq_printf(s, "mode pass: pa 0x%llx\n", iova);
		return 0;
	case XRMU_DTE_MODE_XLATE:
		break;
	default:
		seq_puts(s, "mode reserved: DTE_RSVD fault\n");
		return 0;
	}
	levels = FIELD_GET(XRMU_DTE0_LEVELS, q0);
	table = q0 & XRMU_DTE0_PTROOT;
	seq_printf(s, "mode xlate: levels %u root 0x%llx\n", levels, table);
	if (levels < 3 || levels > XRMU_PT_MAX_LEVELS) {
		seq_puts(s, "bad LEVELS: DTE_RSVD fault\n");
		return 0;
	}
	if (iova >> xrmu_pt_va_bits(levels)) {
		seq_puts(s, "iova beyond the address width: ADDR_RANGE fault\n");
		return 0;
	}
	for (lvl = levels; lvl >= 1; lvl--) {
		unsigned int shift = xrmu_pt_va_bits(lvl - 1);
		unsigned int idx = (iova >> shift) & (XRMU_PT_ENTRIES - 1);
		const u64 *t = xrmu_dbg_phys(table);

		if (!t) {
			seq_printf(s, "level %u table 0x%llx is not RAM\n", lvl,
				   table);
			return 0;
		}
		if (copy_from_kernel_nofault(&pte, &t[idx], sizeof(pte))) {
			seq_printf(s, "level %u table 0x%llx is unreadable (freed)\n",
				   lvl, table);
			return 0;
		}
		seq_printf(s, "level %u table 0x%llx [%3u] = 0x%016llx", lvl,
			   table, idx, pte);
		if (!(pte & XRMU_PTE_V)) {
			seq_puts(s, " not present: PT_NOT_PRESENT fault\n");
			return 0;
		}
		if (pte & XRMU_PTE_LEAF) {
			seq_printf(s, " leaf %s%s size 0x%llx\n",
				   pte & XRMU_PTE_R ? "r" : "-",
				   pte & XRMU_PTE_W ? "w" : "-", BIT_ULL(shift));
			seq_printf(s, "pa 0x%llx\n",
				   (pte & XRMU_PTE_ADDR & ~(BIT_ULL(shift) - 1)) |
				   (iova & (BIT_ULL(shift) - 1)));
			return 0;
		}
		seq_puts(s, " table\n");
		table = pte & XRMU_PTE_ADDR;
	}
	seq_puts(s, "no leaf at level 1: PT_RSVD fault\n");
	return 0;
}

static int xrmu_walk_open(struct inode *inode, struct file *file)
{
	return single_open(file, xrmu_walk_show, inode->i_private);
}

/* "<bus>:<dev>.<fn> <iova>" selects what the next read walks. */
static ssize_t xrmu_walk_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct xrmu_unit *unit = file_inode(file)->i_private;
	unsigned int bus, dev, fn;
	char buf[64];
	u64 iova;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%x:%x.%x %llx", &bus, &dev, &fn, &iova) != 4 ||
	    bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	WRITE_ONCE(unit->walk_rid, bus << 8 | dev << 3 | fn);
	WRITE_ONCE(unit->walk_iova, iova);
	return len;
}

static const struct file_operations xrmu_walk_fops = {
	.owner = THIS_MODULE,
	.open = xrmu_walk_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = xrmu_walk_write,
	.release = single_release,
};

/* ---- registers, fault injection, a lone SYNC ---- */

static int xrmu_regs_show(struct seq_file *s, void *unused)
{
	static const struct {
		const char *name;
		unsigned int off;
		bool wide;
	} regs[] = {
		{ "VERSION", XRMU_REG_VERSION, false },
		{ "CAP", XRMU_REG_CAP, true },
		{ "RIDRANGE", XRMU_REG_RIDRANGE, true },
		{ "ECAP", XRMU_REG_ECAP, true },
		{ "CTRL", XRMU_REG_CTRL, false },
		{ "STATUS", XRMU_REG_STATUS, false },
		{ "DTBASE", XRMU_REG_DTBASE, true },
		{ "CMDQ_BASE", XRMU_REG_CMDQ_BASE, true },
		{ "CMDQ_HEAD", XRMU_REG_CMDQ_HEAD, false },
		{ "CMDQ_TAIL", XRMU_REG_CMDQ_TAIL, false },
		{ "CMDQ_STS", XRMU_REG_CMDQ_STS, false },
		{ "FLTQ_BASE", XRMU_REG_FLTQ_BASE, true },
		{ "FLTQ_HEAD", XRMU_REG_FLTQ_HEAD, false },
		{ "FLTQ_TAIL", XRMU_REG_FLTQ_TAIL, false },
		{ "FLTQ_STS", XRMU_REG_FLTQ_STS, false },
		{ "FLTQ_LOST", XRMU_REG_FLTQ_LOST, false },
		{ "DBG_VIOL_COUNT", XRMU_REG_DBG_VIOL_COUNT, false },
		{ "DBG_VIOL_LAST", XRMU_REG_DBG_VIOL_LAST, false },
		{ "CNT_XLATE", XRMU_REG_CNT_XLATE, true },
		{ "CNT_FAULT", XRMU_REG_CNT_FAULT, true },
		{ "CNT_IR_REMAP", XRMU_REG_CNT_IR_REMAP, true },
		{ "CNT_IR_BLOCK", XRMU_REG_CNT_IR_BLOCK, true },
		{ "CNT_IOTLB_HIT", XRMU_REG_CNT_IOTLB_HIT, true },
		{ "CNT_IOTLB_MISS", XRMU_REG_CNT_IOTLB_MISS, true },
		{ "CNT_CMD", XRMU_REG_CNT_CMD, true },
	};
	struct xrmu_unit *unit = s->private;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		if (regs[i].wide)
			seq_printf(s, "%-15s 0x%016llx\n", regs[i].name,
				   xrmu_readq(unit, regs[i].off));
		else
			seq_printf(s, "%-15s 0x%08x\n", regs[i].name,
				   xrmu_readl(unit, regs[i].off));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xrmu_regs);

/* Fault injection through DBG_INJECT (units with CAP.DBG only). */
static int xrmu_inject_set(void *data, u64 val)
{
	struct xrmu_unit *unit = data;

	if (val > GENMASK(6, 0))
		return -EINVAL;
	xrmu_writel(unit, XRMU_REG_DBG_INJECT, val);
	return 0;
}

static int xrmu_inject_get(void *data, u64 *val)
{
	struct xrmu_unit *unit = data;

	*val = xrmu_readl(unit, XRMU_REG_DBG_INJECT);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xrmu_inject_fops, xrmu_inject_get, xrmu_inject_set,
			 "0x%02llx\n");

/*
 * Writing 1 issues a SYNC alone and returns its result: with CMD_ILLEGAL
 * injected just before, the unit rejects the SYNC itself (a path no other
 * submission reaches: every one starts with another command).
 */
static int xrmu_sync_set(void *data, u64 val)
{
	if (val != 1)
		return -EINVAL;
	return xrmu_cmdq_submit(data, NULL, 0);
}
DEFINE_DEBUGFS_ATTRIBUTE(xrmu_sync_fops, NULL, xrmu_sync_set, "%llu\n");

/**
 * xrmu_debugfs_unit_init() - create a unit's debugfs directory
 * @unit: the unit, registered with the IOMMU core
 *
 * /sys/kernel/debug/iommu/xrmu/<device name>/: "regs", "counters", "dte",
 * "irte", "walk", and with CAP.DBG "inject" and "sync".
 */
void xrmu_debugfs_unit_init(struct xrmu_unit *unit)
{
	unit->debugfs = debugfs_create_dir(dev_name(unit->dev),
					   xrmu_debugfs_root);
	debugfs_create_file("regs", 0444, unit->debugfs, unit,
			    &xrmu_regs_fops);
	if (unit->cap & XRMU_CAP_DBG) {
		debugfs_create_file_unsafe("inject", 0600, unit->debugfs, unit,
					   &xrmu_inject_fops);
		debugfs_create_file_unsafe("sync", 0200, unit->debugfs, unit,
					   &xrmu_sync_fops);
	}
	debugfs_create_file("counters", 0444, unit->debugfs, unit,
			    &xrmu_counters_fops);
	debugfs_create_file("dte", 0444, unit->debugfs, unit, &xrmu_dte_fops);
	debugfs_create_file("irte", 0444, unit->debugfs, unit,
			    &xrmu_irte_fops);
	debugfs_create_file("walk", 0600, unit->debugfs, unit,
			    &xrmu_walk_fops);
}

/**
 * xrmu_debugfs_unit_exit() - remove a unit's debugfs directory
 * @unit: the unit
 */
void xrmu_debugfs_unit_exit(struct xrmu_unit *unit)
{
	debugfs_remove_recursive(unit->debugfs);
}

/**
 * xrmu_debugfs_init() - the driver's directory, beside the other IOMMU
 * drivers': /sys/kernel/debug/iommu/xrmu/ (with CONFIG_IOMMU_DEBUGFS)
 */
void xrmu_debugfs_init(void)
{
#ifdef CONFIG_IOMMU_DEBUGFS
	xrmu_debugfs_root = debugfs_create_dir("xrmu", iommu_debugfs_dir);
#endif
}

/**
 * xrmu_debugfs_exit() - remove the driver's directory
 */
void xrmu_debugfs_exit(void)
{
	debugfs_remove_recursive(xrmu_debugfs_root);
}
