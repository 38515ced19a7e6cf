// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu interrupt remapping (Documentation/xrmu/interrupt-remapping.rst).
 *
 * Each unit with CAP.IR gets an irq_domain stacked on the x86 vector
 * domain.  It is the MSI parent (msi_parent_ops) of the covered PCI devices
 * it takes over, so the PCI/MSI core builds their per-device MSI and MSI-X
 * domains on top of it.  The domain is marked IRQ_DOMAIN_FLAG_ISOLATED_MSI:
 * a device can only raise the interrupts of the IRT its own device-table
 * entry points to, and each IRTE checks the requester (DTE.IRSV = 1).
 *
 * Tables: one IRT per device, pointed to by the DTEs (DTE.IM = 2) of the
 * device and of its DMA aliases.  Devices whose aliases overlap (several
 * conventional PCI devices behind one PCIe-to-PCI bridge, which all send
 * with the bridge's ID) must share the alias's DTE and so share one IRT;
 * the source-validation fields of each IRTE then narrow it to the IDs its
 * own device may use, as far as the unit can tell them apart.
 *
 * Messages: MSI-X entries and single MSIs use HANDLE = IRT index.  A
 * multiple-message MSI block of n vectors takes n consecutive entries and
 * uses SHV = 1 with data = 0: the device puts the vector number in the low
 * data bits, and the unit adds data[15:0] to HANDLE (no alignment needed).
 *
 * Updates follow the spec's rules (R9, R10, R16): an IRTE is made valid by
 * writing qw1 and then qw0 with V = 1 (no invalidation owed); an affinity
 * change rewrites qw0 alone with one 64-bit store (the entry stays
 * well-formed) and is followed by INV_IRTE of every requester ID using the
 * IRT and a SYNC before the old vector may be released; an entry is
 * retired by clearing qw0 (V = 0), INV_IRTE and SYNC before its index or
 * vector is reused.
 *
 * Which devices are remapped: a device is handed to the domain only when
 * it is probed with no driver bound and no MSI state (dev->msi.data NULL),
 * and its MSI parent is still the x86 default (not VMD, not Xen).  Other
 * devices keep compatibility-format MSIs (DTE.IM = 1): that is the case
 * for devices a late-loaded module finds already running.  With
 * xrmu.intremap=0, or without CAP.IR, no domain is created, CTRL.IRE stays
 * 0 and every DTE has IM = 1.
 *
 * The IOAPIC and HPET are not PCI requesters in any unit's range, so their
 * interrupts never pass through the unit and are not remapped.
 */

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/irq.h>
#include <linux/irqchip/irq-msi-lib.h>
#include <linux/irqdomain.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/msi.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include <asm/apic.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>

#include "../iommu-pages.h"
#include "irq_remap.h"
#include "xrmu.h"

static bool intremap = true;
module_param(intremap, bool, 0444);
MODULE_PARM_DESC(intremap,
		 "Remap the MSIs of covered PCI devices (default: 1; 0: MSIs pass through unchanged)");

/**
 * struct xrmu_ir - interrupt remapping state of one unit
 * @unit: the unit
 * @domain: the remapping irq_domain (MSI parent of covered devices)
 * @fwnode: the domain's name
 * @irt_log2: largest IRT the unit supports (CAP.IRT_MAXLOG2)
 * @lock: serialises @rid_irt and IRT users
 * @rid_irt: requester ID -> the IRT its DTE points to
 */
struct xrmu_ir {
	struct xrmu_unit *unit;
	struct irq_domain *domain;
	struct fwnode_handle *fwnode;
	unsigned int irt_log2;
	struct mutex lock;	/* rid_irt, xrmu_irt.users */
	struct xarray rid_irt;
};

/**
 * struct xrmu_irt - one interrupt remapping table
 * @ir: the unit's IR state
 * @table: the entries (physically contiguous, 4 KiB aligned)
 * @phys: physical address of @table
 * @log2: log2 of the number of entries
 * @users: devices using the table (under xrmu_ir.lock)
 * @lock: protects @used, @rids, @nr_rids and the entries
 * @used: allocated indexes
 * @nr_rids: number of valid entries in @rids
 * @rids: requester IDs whose DTE points to the table
 */
struct xrmu_irt {
	struct xrmu_ir *ir;
	struct xrmu_irte *table;
	phys_addr_t phys;
	unsigned int log2;
	unsigned int users;
	raw_spinlock_t lock;	/* entries, used, rids */
	unsigned long *used;
	unsigned int nr_rids;
	u16 rids[XRMU_IR_MAX_RIDS];
};

/**
 * struct xrmu_ir_dev - interrupt remapping state of one covered device
 * @irt: its IRT, or NULL when its MSIs are not remapped (DTE.IM = 1)
 * @sv: source validation written into each of its IRTEs
 * @off: being released: its DTEs block MSIs (DTE.IM = 0)
 */
struct xrmu_ir_dev {
	struct xrmu_irt *irt;
	struct xrmu_ir_sv sv;
	bool off;
};

/**
 * struct xrmu_ir_data - chip data of one remapped interrupt
 * @irt: the IRT holding its entry
 * @index: its IRT index
 * @handle: HANDLE of its message
 * @subhandle: data[15:0] of its message (multi-MSI vector number)
 * @shv: its message uses a subhandle (MSI) or not (MSI-X)
 * @sv: source validation of its device
 * @valid: the entry is valid (between activate and deactivate)
 */
struct xrmu_ir_data {
	struct xrmu_irt *irt;
	u16 index;
	u16 handle;
	u16 subhandle;
	bool shv;
	struct xrmu_ir_sv sv;
	bool valid;
};

/* ---- tables ---- */

/*
 * Invalidate entries [@index, @index + @count) for every requester ID that
 * uses @irt, and wait for the SYNC (R10); with @ptr, store @val there just
 * before (xrmu_cmdq_submit_store()).  Called with irt->lock held.
 */
static void xrmu_irt_inv_store(struct xrmu_irt *irt, unsigned int index,
			       unsigned int count, u64 *ptr, u64 val)
{
	struct xrmu_cmd cmds[XRMU_IR_MAX_RIDS];
	unsigned int i;

	lockdep_assert_held(&irt->lock);
	for (i = 0; i < irt->nr_rids; i++)
		cmds[i] = xrmu_cmd_inv_irte(irt->rids[i], index, count);
	if (xrmu_cmdq_submit_store(irt->ir->unit, ptr, val, cmds,
				   irt->nr_rids))
		dev_err_ratelimited(irt->ir->unit->dev,
				    "IRTE invalidation failed (index %u)\n",
				    index);
}

static void xrmu_irt_inv(struct xrmu_irt *irt, unsigned int index,
			 unsigned int count)
{
	xrmu_irt_inv_store(irt, index, count, NULL, 0);
}

static struct xrmu_irt *xrmu_irt_alloc(struct xrmu_ir *ir, unsigned int log2)
{
	struct xrmu_unit *unit = ir->unit;
	struct xrmu_irt *irt;

	irt = kzalloc_obj(*irt);
	if (!irt)
		return NULL;
	irt->used = bitmap_zalloc(BIT(log2), GFP_KERNEL);
	irt->table = iommu_alloc_pages_node_sz(dev_to_node(unit->dev),
					       GFP_KERNEL, XRMU_IRTE_SIZE << log2);
	if (!irt->used || !irt->table ||
	    (virt_to_phys(irt->table) >> unit->paw)) {
		iommu_free_pages(irt->table);
		bitmap_free(irt->used);
		kfree(irt);
		return NULL;
	}
	irt->ir = ir;
	irt->phys = virt_to_phys(irt->table);
	irt->log2 = log2;
	raw_spin_lock_init(&irt->lock);
	return irt;
}

static void xrmu_irt_free(struct xrmu_irt *irt)
{
	iommu_free_pages(irt->table);
	bitmap_free(irt->used);
	kfree(irt);
}

/* Make @rid use @irt.  Called with ir->lock held. */
static int xrmu_irt_add_rid(struct xrmu_irt *irt, u16 rid)
{
	unsigned long flags;
	unsigned int i;
	int ret;

	lockdep_assert_held(&irt->ir->lock);
	for (i = 0; i < irt->nr_rids; i++)
		if (irt->rids[i] == rid)
			return 0;
	if (irt->nr_rids == XRMU_IR_MAX_RIDS)
		return -ENOSPC;
	ret = xa_err(xa_store(&irt->ir->rid_irt, rid, irt, GFP_KERNEL));
	if (ret)
		return ret;
	raw_spin_lock_irqsave(&irt->lock, flags);
	irt->rids[irt->nr_rids++] = rid;
	raw_spin_unlock_irqrestore(&irt->lock, flags);
	return 0;
}

/* ---- irq_domain ---- */

/*
 * Point the entry of @irqd at its current vector and CPU.  @activate makes
 * an invalid entry valid; otherwise (affinity change) only a valid entry
 * is rewritten: an inactive one is written when it is activated.
 */
static void xrmu_ir_write_entry(struct irq_data *irqd, bool activate)
{
	struct xrmu_ir_data *data = irqd->chip_data;
	struct irq_cfg *cfg = irqd_cfg(irqd);
	struct xrmu_irt *irt = data->irt;
	struct xrmu_irte *e = &irt->table[data->index];
	struct xrmu_irte new;
	unsigned long flags;

	/* Fixed and lowest-priority delivery reserve vectors 0..15 (R9). */
	if (WARN_ON_ONCE(!cfg || cfg->vector < 16))
		return;
	new = xrmu_irte_encode(cfg->vector, cfg->dest_apicid,
			       apic->dest_mode_logical, XRMU_IRTE_DLM_FIXED,
			       &data->sv);

	raw_spin_lock_irqsave(&irt->lock, flags);
	if (!data->valid && activate) {
		/* V 0 -> 1: the other word first, V last; nothing owed. */
		WRITE_ONCE(e->qw[1], new.qw[1]);
		dma_wmb();
		WRITE_ONCE(e->qw[0], new.qw[0]);
		data->valid = true;
	} else if (data->valid && READ_ONCE(e->qw[0]) != new.qw[0]) {
		/* qw1 is unchanged: one 64-bit store, then invalidate. */
		xrmu_irt_inv_store(irt, data->index, 1, &e->qw[0], new.qw[0]);
	}
	raw_spin_unlock_irqrestore(&irt->lock, flags);
}

static void xrmu_ir_clear_entry(struct xrmu_ir_data *data)
{
	struct xrmu_irt *irt = data->irt;
	struct xrmu_irte *e = &irt->table[data->index];
	unsigned long flags;

	raw_spin_lock_irqsave(&irt->lock, flags);
	if (data->valid) {
		WRITE_ONCE(e->qw[0], 0);
		xrmu_irt_inv(irt, data->index, 1);
		WRITE_ONCE(e->qw[1], 0);
		data->valid = false;
	}
	raw_spin_unlock_irqrestore(&irt->lock, flags);
}

static int xrmu_ir_set_affinity(struct irq_data *irqd,
				const struct cpumask *mask, bool force)
{
	struct irq_data *parent = irqd->parent_data;
	int ret;

	ret = parent->chip->irq_set_affinity(parent, mask, force);
	if (ret < 0 || ret == IRQ_SET_MASK_OK_DONE)
		return ret;
	/*
	 * The new vector is live once the IRTE is rewritten and the SYNC
	 * completed (xrmu_ir_write_entry() waits for it), and the message
	 * the device sends does not change, so nothing above us needs to be
	 * updated.  From here on no interrupt can target the old vector:
	 * release it now, as the VT-d and AMD-Vi drivers do, rather than
	 * when the first interrupt arrives on the new one.
	 */
	xrmu_ir_write_entry(irqd, false);
	vector_schedule_cleanup(irqd_cfg(irqd));
	return IRQ_SET_MASK_OK_DONE;
}

static void xrmu_ir_compose_msg(struct irq_data *irqd, struct msi_msg *msg)
{
	struct xrmu_ir_data *data = irqd->chip_data;

	msg->address_hi = 0;
	msg->address_lo = xrmu_msi_remap_addr(data->handle, data->shv);
	msg->data = data->shv ? data->subhandle : 0;
}

static struct irq_chip xrmu_ir_chip = {
	.name			= "XRMU-IR",
	.irq_ack		= irq_chip_ack_parent,
	.irq_set_affinity	= xrmu_ir_set_affinity,
	.irq_compose_msi_msg	= xrmu_ir_compose_msg,
};

/* Called with the domain's parent allocation not yet made. */
static int xrmu_ir_index_alloc(struct xrmu_irt *irt, unsigned int nr)
{
	unsigned long flags, index;

	raw_spin_lock_irqsave(&irt->lock, flags);
	index = bitmap_find_next_zero_area(irt->used, BIT(irt->log2), 0, nr, 0);
	if (index < BIT(irt->log2))
		bitmap_set(irt->used, index, nr);
	raw_spin_unlock_irqrestore(&irt->lock, flags);
	return index < BIT(irt->log2) ? (int)index : -ENOSPC;
}

static void xrmu_ir_index_free(struct xrmu_irt *irt, unsigned int index,
			       unsigned int nr)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&irt->lock, flags);
	bitmap_clear(irt->used, index, nr);
	raw_spin_unlock_irqrestore(&irt->lock, flags);
}

static void xrmu_ir_domain_free(struct irq_domain *domain, unsigned int virq,
				unsigned int nr_irqs)
{
	struct irq_data *irqd;
	unsigned int i;

	for (i = 0; i < nr_irqs; i++) {
		struct xrmu_ir_data *data;

		irqd = irq_domain_get_irq_data(domain, virq + i);
		data = irqd ? irqd->chip_data : NULL;
		if (!data)
			continue;
		xrmu_ir_clear_entry(data);
		xrmu_ir_index_free(data->irt, data->index, 1);
		kfree(data);
	}
	irq_domain_free_irqs_common(domain, virq, nr_irqs);
}

static int xrmu_ir_domain_alloc(struct irq_domain *domain, unsigned int virq,
				unsigned int nr_irqs, void *arg)
{
	struct irq_alloc_info *info = arg;
	struct xrmu_master *master;
	struct xrmu_ir_dev *ird;
	struct irq_data *irqd;
	struct device *dev;
	unsigned int i;
	int index, ret;

	if (!info || !info->desc)
		return -EINVAL;
	if (info->type != X86_IRQ_ALLOC_TYPE_PCI_MSI &&
	    info->type != X86_IRQ_ALLOC_TYPE_PCI_MSIX)
		return -EINVAL;
	if (nr_irqs > 1 && info->type != X86_IRQ_ALLOC_TYPE_PCI_MSI)
		return -EINVAL;
	dev = msi_desc_to_dev(info->desc);
	master = dev_iommu_priv_get(dev);
	ird = master ? master->ir : NULL;
	if (!ird || !ird->irt || ird->off)
		return -ENODEV;

	index = xrmu_ir_index_alloc(ird->irt, nr_irqs);
	if (index < 0)
		return index;
	ret = irq_domain_alloc_irqs_parent(domain, virq, nr_irqs, arg);
	if (ret < 0) {
		xrmu_ir_index_free(ird->irt, index, nr_irqs);
		return ret;
	}

	for (i = 0; i < nr_irqs; i++) {
		struct xrmu_ir_data *data;

		irqd = irq_domain_get_irq_data(domain, virq + i);
		data = kzalloc_obj(*data);
		if (!irqd || !data) {
			kfree(data);
			ret = -ENOMEM;
			goto err;
		}
		data->irt = ird->irt;
		data->index = index + i;
		data->sv = ird->sv;
		if (info->type == X86_IRQ_ALLOC_TYPE_PCI_MSI) {
			data->shv = true;
			data->handle = index;
			data->subhandle = i;
		} else {
			data->handle = index + i;
		}
		irqd->hwirq = (irq_hw_number_t)master->rid << 16 | (index + i);
		irqd->chip = &xrmu_ir_chip;
		irqd->chip_data = data;
	}
	return 0;

err:
	/* Entries not yet given chip data still hold their index. */
	xrmu_ir_index_free(ird->irt, index + i, nr_irqs - i);
	xrmu_ir_domain_free(domain, virq, nr_irqs);
	return ret;
}

static int xrmu_ir_domain_activate(struct irq_domain *domain,
				   struct irq_data *irqd, bool reserve)
{
	xrmu_ir_write_entry(irqd, true);
	return 0;
}

static void xrmu_ir_domain_deactivate(struct irq_domain *domain,
				      struct irq_data *irqd)
{
	xrmu_ir_clear_entry(irqd->chip_data);
}

static const struct irq_domain_ops xrmu_ir_domain_ops = {
	.alloc		= xrmu_ir_domain_alloc,
	.free		= xrmu_ir_domain_free,
	.activate	= xrmu_ir_domain_activate,
	.deactivate	= xrmu_ir_domain_deactivate,
};

/*
 * The x86 vector domain sets up the per-device MSI domains of its children
 * (x86_init_dev_msi_info(), which knows DOMAIN_BUS_XRMU from the patch
 * series in tools/testing/xrmu/patches/linux/): hand the request down.
 */
static bool xrmu_ir_init_dev_msi_info(struct device *dev,
				      struct irq_domain *domain,
				      struct irq_domain *msi_parent_domain,
				      struct msi_domain_info *msi_child_info)
{
	struct irq_domain *parent = domain->parent;

	if (WARN_ON_ONCE(!parent || !parent->msi_parent_ops ||
			 !parent->msi_parent_ops->init_dev_msi_info))
		return false;
	return parent->msi_parent_ops->init_dev_msi_info(dev, parent,
							 msi_parent_domain,
							 msi_child_info);
}

static const struct msi_parent_ops xrmu_ir_msi_parent_ops = {
	.supported_flags	= X86_VECTOR_MSI_FLAGS_SUPPORTED |
				  MSI_FLAG_MULTI_PCI_MSI,
	.bus_select_token	= DOMAIN_BUS_XRMU,
	.bus_select_mask	= MATCH_PCI_MSI,
	.prefix			= "IR-",
	.init_dev_msi_info	= xrmu_ir_init_dev_msi_info,
};

/* ---- core interface ---- */

/**
 * xrmu_ir_unit_init() - create the remapping domain of a unit
 * @unit: the unit, validated, before its enable sequence
 *
 * Does nothing (and interrupt remapping stays off) without CAP.IR or with
 * xrmu.intremap=0.
 *
 * Return: 0 or -errno.
 */
int xrmu_ir_unit_init(struct xrmu_unit *unit)
{
	struct irq_domain_info info = {
		.ops		= &xrmu_ir_domain_ops,
		.domain_flags	= IRQ_DOMAIN_FLAG_ISOLATED_MSI,
	};
	struct xrmu_ir *ir;
	char *name;

	if (!(unit->cap & XRMU_CAP_IR)) {
		dev_info(unit->dev, "no interrupt remapping (CAP.IR = 0)\n");
		return 0;
	}
	if (!intremap) {
		dev_info(unit->dev,
			 "interrupt remapping disabled (xrmu.intremap=0)\n");
		return 0;
	}
	if (!x86_vector_domain)
		return 0;

	ir = kzalloc_obj(*ir);
	if (!ir)
		return -ENOMEM;
	ir->unit = unit;
	ir->irt_log2 = FIELD_GET(XRMU_CAP_IRT_MAXLOG2, unit->cap);
	mutex_init(&ir->lock);
	xa_init(&ir->rid_irt);

	name = kasprintf(GFP_KERNEL, "XRMU-IR-%s", dev_name(unit->dev));
	if (!name)
		goto err_free;
	/* The fwnode keeps its own copy of the name. */
	ir->fwnode = irq_domain_alloc_named_fwnode(name);
	kfree(name);
	if (!ir->fwnode)
		goto err_free;
	/* Stacked on the vector domain, as the VT-d and AMD-Vi domains. */
	info.fwnode = ir->fwnode;
	info.parent = x86_vector_domain;
	info.host_data = ir;
	ir->domain = msi_create_parent_irq_domain(&info,
						  &xrmu_ir_msi_parent_ops);
	if (!ir->domain)
		goto err_fwnode;
	unit->ir = ir;
	dev_info(unit->dev,
		 "interrupt remapping: up to %u entries per device\n",
		 1U << ir->irt_log2);
	return 0;

err_fwnode:
	irq_domain_free_fwnode(ir->fwnode);
err_free:
	mutex_destroy(&ir->lock);
	kfree(ir);
	return -ENOMEM;
}

/**
 * xrmu_ir_unit_exit() - remove the remapping domain of a unit
 * @unit: the unit, after every covered device was released
 */
void xrmu_ir_unit_exit(struct xrmu_unit *unit)
{
	struct xrmu_ir *ir = unit->ir;

	if (!ir)
		return;
	WARN_ON(!xa_empty(&ir->rid_irt));
	irq_domain_remove(ir->domain);
	irq_domain_free_fwnode(ir->fwnode);
	xa_destroy(&ir->rid_irt);
	mutex_destroy(&ir->lock);
	kfree(ir);
	unit->ir = NULL;
}

/**
 * xrmu_ir_enabled() - whether CTRL.IRE is to be set
 * @unit: the unit
 *
 * Return: true if the unit remaps interrupts.
 */
bool xrmu_ir_enabled(struct xrmu_unit *unit)
{
	return unit->ir;
}

/*
 * Entries for as many vectors as the device can ask for, within CAP; a
 * table that devices sharing an alias will share has the most CAP allows,
 * whichever of them comes first.
 */
static unsigned int xrmu_ir_irt_log2(struct xrmu_ir *ir, struct pci_dev *pdev,
				     bool shared)
{
	int n = max3(pci_msix_vec_count(pdev), pci_msi_vec_count(pdev), 1);

	if (shared)
		return ir->irt_log2;
	return min_t(unsigned int, order_base_2(n), ir->irt_log2);
}

/**
 * xrmu_ir_probe_device() - decide whether a device's MSIs are remapped
 * @master: the device, being probed; master->ir is set up here
 * @rids: the requester IDs of the device and of its DMA aliases inside the
 *	unit's range, the device's own first
 * @nr_rids: number of entries in @rids
 * @aliased: some of @rids (maybe the device's own) are bridge or quirk
 *	aliases, which siblings may share
 *
 * Must run before the first DTE of the device is written.  Failure is not
 * fatal: the device then keeps compatibility-format MSIs (DTE.IM = 1).
 */
void xrmu_ir_probe_device(struct xrmu_master *master, const u16 *rids,
			  unsigned int nr_rids, bool aliased)
{
	struct xrmu_ir *ir = master->unit->ir;
	struct device *dev = master->dev;
	struct xrmu_irt *irt = NULL, *found;
	struct xrmu_ir_dev *ird;
	unsigned int i;
	bool created = false;

	if (!ir || !dev_is_pci(dev) || !nr_rids)
		return;
	if (nr_rids > XRMU_IR_MAX_RIDS) {
		dev_warn(dev, "MSIs not remapped: too many DMA aliases\n");
		return;
	}
	/*
	 * Only a device with no driver and no MSI state can change its MSI
	 * parent: anything allocated so far came from the vector domain.
	 */
	if (READ_ONCE(dev->driver) || dev->msi.data ||
	    dev_get_msi_domain(dev) != x86_vector_domain) {
		dev_info(dev, "MSIs not remapped (device already active)\n");
		return;
	}

	ird = kzalloc_obj(*ird);
	if (!ird)
		return;

	mutex_lock(&ir->lock);
	for (i = 0; i < nr_rids; i++) {
		found = xa_load(&ir->rid_irt, rids[i]);
		if (found && irt && found != irt) {
			dev_warn(dev,
				 "MSIs not remapped: DMA aliases use two IRTs\n");
			goto err_unlock;
		}
		if (found)
			irt = found;
	}
	if (!irt) {
		irt = xrmu_irt_alloc(ir, xrmu_ir_irt_log2(ir, to_pci_dev(dev),
							  aliased));
		if (!irt)
			goto err_unlock;
		created = true;
	}
	for (i = 0; i < nr_rids; i++) {
		if (xrmu_irt_add_rid(irt, rids[i])) {
			dev_warn(dev, "MSIs not remapped: too many aliases\n");
			goto err_rids;
		}
	}
	irt->users++;
	mutex_unlock(&ir->lock);

	ird->irt = irt;
	xrmu_ir_sv_from_rids(rids, nr_rids, &ird->sv);
	master->ir = ird;
	dev_set_msi_domain(dev, ir->domain);
	return;

err_rids:
	if (created) {
		for (i = 0; i < irt->nr_rids; i++)
			xa_erase(&ir->rid_irt, irt->rids[i]);
		xrmu_irt_free(irt);
	}
err_unlock:
	mutex_unlock(&ir->lock);
	kfree(ird);
}

/**
 * xrmu_ir_fill_dte() - set the interrupt fields of a DTE of a device
 * @master: the device, or NULL for one the unit does not remap (IM = 1)
 * @dte: an entry for one of the device's requester IDs, its DMA fields
 *	from xrmu_dte_encode()
 *
 * The one place that decides a DTE's interrupt fields.
 */
void xrmu_ir_fill_dte(struct xrmu_master *master, struct xrmu_dte *dte)
{
	struct xrmu_ir_dev *ird = master ? master->ir : NULL;

	if (!ird)
		xrmu_dte_set_ir(dte, XRMU_DTE_IM_COMPAT, 0, 0);
	else if (ird->off)
		xrmu_dte_set_ir(dte, XRMU_DTE_IM_BLOCK, 0, 0);
	else
		xrmu_dte_set_ir(dte, XRMU_DTE_IM_REMAP, ird->irt->phys,
				ird->irt->log2);
}

/**
 * xrmu_ir_release_prepare() - stop a device's DTEs from using its IRT
 * @master: the device, being released (its blocked domain attached)
 *
 * Return: true if the core must now rewrite the device's DTEs (which then
 * block its MSIs, DTE.IM = 0) before calling xrmu_ir_release_device().
 */
bool xrmu_ir_release_prepare(struct xrmu_master *master)
{
	if (!master->ir)
		return false;
	master->ir->off = true;
	return true;
}

/**
 * xrmu_ir_release_device() - drop a device's IRT
 * @master: the device, after xrmu_ir_release_prepare() and the DTE rewrite
 *
 * The rewrite invalidated the DTEs; the IRT's cached entries are
 * invalidated here before the table can be freed (R10).
 */
void xrmu_ir_release_device(struct xrmu_master *master)
{
	struct xrmu_ir_dev *ird = master->ir;
	struct xrmu_ir *ir = master->unit->ir;
	struct xrmu_irt *irt;
	unsigned long flags;
	unsigned int i;

	if (!ird)
		return;
	irt = ird->irt;
	if (dev_get_msi_domain(master->dev) == ir->domain)
		dev_set_msi_domain(master->dev, x86_vector_domain);

	mutex_lock(&ir->lock);
	if (--irt->users == 0) {
		raw_spin_lock_irqsave(&irt->lock, flags);
		xrmu_irt_inv(irt, 0, BIT(irt->log2));
		raw_spin_unlock_irqrestore(&irt->lock, flags);
		for (i = 0; i < irt->nr_rids; i++)
			xa_erase(&ir->rid_irt, irt->rids[i]);
		/* Interrupts still allocated: keep (leak) their table. */
		if (!WARN_ON(!bitmap_empty(irt->used, BIT(irt->log2))))
			xrmu_irt_free(irt);
	}
	mutex_unlock(&ir->lock);
	master->ir = NULL;
	kfree(ird);
}
