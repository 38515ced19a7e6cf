// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu I/O remapping unit: bus-agnostic core (probe, IOMMU and domain ops).
 *
 * The bus glue (pci.c today, a platform glue later) maps the registers,
 * sets up the interrupts, fills in a struct xrmu_unit and calls
 * xrmu_core_probe() / xrmu_core_remove().
 *
 * Coverage: units register with a NULL fwnode, like the Intel and AMD
 * drivers, and probe_device() picks the unit whose RIDRANGE holds the PCI
 * device (never the unit's own function, which the unit never translates).
 * Beside another such driver (VT-d for the other root buses, say) the
 * IOMMU core offers each device to both (kernel patch 0004) and each
 * answers -ENODEV for the devices it does not cover.
 *
 * Late load: when the driver is loaded after devices were bound to their
 * drivers, those devices are left alone.  Before translation is enabled
 * their device-table entries (and their aliases') are set to pass-through
 * with compatibility-format MSIs, so their DMA and interrupts keep
 * working, and probe_device() refuses them: the IOMMU core must not give
 * a device a new DMA API under its bound driver (it WARNs "late IOMMU
 * probe at driver bind" if a driver does), and the IOMMU core would not
 * account that driver as a user of its group.  Such a device is not
 * isolated until it is removed and rescanned (or the module is loaded
 * before its driver, e.g. from the initramfs).  Unbound devices and
 * devices added later get the configured default domain (a DMA domain
 * unless iommu.passthrough=1).
 *
 * Removal: the IOMMU core takes a module reference for every covered
 * device, so the module cannot be unloaded while it covers devices, and
 * the PCI driver suppresses sysfs bind/unbind.  The unit is therefore only
 * torn down when it covers nothing, or when its function disappears (hot
 * removal), in which case the unit is left blocking DMA.
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <uapi/linux/iommufd.h>

#include "../iommu-pages.h"
#include "irq_remap.h"
#include "trace.h"
#include "xrmu.h"

#define XRMU_POLL_TIMEOUT_US	(100 * USEC_PER_MSEC)
#define XRMU_CMDQ_LOG2		8	/* 256 entries: one page */
#define XRMU_FLTQ_LOG2		7	/* 128 records: one page */

static LIST_HEAD(xrmu_units);
static DEFINE_MUTEX(xrmu_units_lock);	/* xrmu_units */
static DEFINE_IDA(xrmu_unit_ida);

static const struct iommu_domain_ops xrmu_paging_ops;

PT_IOMMU_CHECK_DOMAIN(struct xrmu_domain, pt.iommu, domain);

static inline struct xrmu_domain *to_xrmu_domain(struct iommu_domain *dom)
{
	return container_of(dom, struct xrmu_domain, domain);
}

/* ---- device table ---- */

static bool xrmu_unit_covers(struct xrmu_unit *unit, int seg, u8 bus)
{
	return seg == unit->segment && bus >= unit->bus_first &&
	       bus <= unit->bus_last;
}

/* Allocate the L2 page holding @rid's entry.  Called with dt_lock held. */
static int xrmu_dt_prepare(struct xrmu_unit *unit, u16 rid)
{
	unsigned int l1 = rid >> XRMU_DT_L1_SHIFT;
	struct xrmu_dte *l2;

	lockdep_assert_held(&unit->dt_lock);
	if (unit->dt_l2[l1])
		return 0;
	l2 = iommu_alloc_pages_node_sz(dev_to_node(unit->dev), GFP_KERNEL,
				       SZ_4K);
	if (!l2)
		return -ENOMEM;
	unit->dt_l2[l1] = l2;
	/* L1E V 0->1: no invalidation owed; the zeroed page is seen first. */
	dma_wmb();
	WRITE_ONCE(unit->dt_l1[l1], xrmu_l1e_encode(virt_to_phys(l2)));
	return 0;
}

/*
 * Install @new as @rid's entry in the order xrmu_dte_plan() gives (R16):
 * each store to a valid entry is made under the command queue lock right
 * before its INV_DTE and SYNC, so that no other submitter's SYNC completes
 * between them; stores to an invalid entry need no invalidation, and the
 * one that sets V is ordered after the others.  Called with dt_lock held.
 */
static void xrmu_dte_write(struct xrmu_unit *unit, u16 rid,
			   const struct xrmu_dte *new)
{
	struct xrmu_dte *dte = &unit->dt_l2[rid >> XRMU_DT_L1_SHIFT]
					   [rid & (XRMU_DT_L2_ENTRIES - 1)];
	struct xrmu_dte_step steps[XRMU_DTE_MAX_STEPS];
	struct xrmu_cmd inv = xrmu_cmd_inv_dte(rid);
	unsigned int i, n;

	lockdep_assert_held(&unit->dt_lock);
	n = xrmu_dte_plan(dte, new, steps);
	for (i = 0; i < n; i++) {
		u64 *w = &dte->qw[steps[i].qw];

		if (dte->qw[0] & XRMU_DTE0_V) {
			xrmu_cmdq_submit_store(unit, w, steps[i].val, &inv, 1);
			continue;
		}
		/* Coherent unit: order the other words before V for its reads. */
		if (!steps[i].qw)
			dma_wmb();
		WRITE_ONCE(*w, steps[i].val);
	}
}

/*
 * Per-alias work: with @dte NULL, allocate the level-2 page of the alias
 * and collect the distinct IDs in @rids; else write @dte to it.  Aliases
 * outside the unit's range are skipped.  @aliased: an ID came from a quirk
 * or a bridge, even one equal to the device's own (the device at devfn 0
 * of a PCIe-to-PCI bridge's secondary bus): other devices may use it too.
 */
struct xrmu_alias_ctx {
	struct xrmu_unit *unit;
	const struct xrmu_dte *dte;
	int ret;
	bool aliased;
	unsigned int nr_rids;
	u16 rids[XRMU_MAX_ALIASES];
};

static int xrmu_alias_prepare(struct pci_dev *pdev, u16 alias,
			      struct xrmu_alias_ctx *ctx)
{
	unsigned int i;

	if (!xrmu_unit_covers(ctx->unit, pci_domain_nr(pdev->bus),
			      PCI_BUS_NUM(alias)))
		return 0;
	if (ctx->nr_rids)
		ctx->aliased = true;
	for (i = 0; i < ctx->nr_rids && ctx->rids[i] != alias; i++)
		;
	if (i == ctx->nr_rids) {
		if (i == ARRAY_SIZE(ctx->rids)) {
			pci_err(pdev, "more than %u DMA aliases: not translated\n",
				XRMU_MAX_ALIASES);
			return -ENOSPC;
		}
		ctx->rids[ctx->nr_rids++] = alias;
	}
	ctx->ret = xrmu_dt_prepare(ctx->unit, alias);
	return ctx->ret;
}

static int xrmu_alias_write(struct pci_dev *pdev, u16 alias,
			    struct xrmu_alias_ctx *ctx)
{
	if (xrmu_unit_covers(ctx->unit, pci_domain_nr(pdev->bus),
			     PCI_BUS_NUM(alias)))
		xrmu_dte_write(ctx->unit, alias, ctx->dte);
	return 0;
}

static int xrmu_alias_fn(struct pci_dev *pdev, u16 alias,
			 struct xrmu_alias_ctx *ctx)
{
	return ctx->dte ? xrmu_alias_write(pdev, alias, ctx) :
			  xrmu_alias_prepare(pdev, alias, ctx);
}

/*
 * Call xrmu_alias_fn() for every requester ID the unit may see for @pdev's
 * DMA: its own, its quirk aliases, and the IDs that bridges on the way to
 * the root bus substitute (a PCIe-to-PCI bridge uses its secondary bus with devfn
 * 0, a conventional bridge its own ID); virtual buses (no bridge device)
 * are skipped, as pci_for_each_dma_alias() does.  That function is not
 * exported to modules, hence this walk.
 */
static int xrmu_walk_aliases(struct pci_dev *pdev, struct xrmu_alias_ctx *ctx)
{
	struct pci_bus *bus;
	unsigned int devfn;
	int ret;

	ret = xrmu_alias_fn(pdev, pci_dev_id(pdev), ctx);
	if (ret)
		return ret;
	if (pdev->dma_alias_mask) {
		for_each_set_bit(devfn, pdev->dma_alias_mask, 256) {
			ret = xrmu_alias_fn(pdev,
					    PCI_DEVID(pdev->bus->number, devfn),
					    ctx);
			if (ret)
				return ret;
		}
	}
	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		struct pci_dev *br = bus->self;

		if (!br)
			continue;
		if (pci_is_pcie(br)) {
			switch (pci_pcie_type(br)) {
			case PCI_EXP_TYPE_PCI_BRIDGE:
				ret = xrmu_alias_fn(br,
						    PCI_DEVID(br->subordinate->number, 0),
						    ctx);
				break;
			case PCI_EXP_TYPE_PCIE_BRIDGE:
				ret = xrmu_alias_fn(br, pci_dev_id(br), ctx);
				break;
			default:
				continue;
			}
		} else if (br->dev_flags & PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS) {
			ret = xrmu_alias_fn(br,
					    PCI_DEVID(br->subordinate->number, 0),
					    ctx);
		} else {
			ret = xrmu_alias_fn(br, pci_dev_id(br), ctx);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static bool xrmu_master_uses(const struct xrmu_master *master, u16 rid)
{
	unsigned int i;

	for (i = 0; i < master->nr_rids; i++)
		if (master->rids[i] == rid)
			return true;
	return false;
}

/*
 * May @rid's entry be set to what @master asks for now?  Devices that share
 * a requester ID (DMA aliases behind a PCIe-to-PCI bridge) are in one IOMMU
 * group and move between domains together, one attach after the other: the
 * shared entry follows once every live user agrees (users not attached yet
 * have no say).  So the attach that parks a device being released on the
 * blocked domain, the only attach of one device alone, leaves an entry that
 * a sibling still uses as it is.  Called with dt_lock held.
 */
static bool xrmu_rid_agreed(struct xrmu_unit *unit,
			    const struct xrmu_master *master, u16 rid)
{
	const struct xrmu_master *m;

	lockdep_assert_held(&unit->dt_lock);
	list_for_each_entry(m, &unit->masters, node) {
		if (m == master || !(m->dte.qw[0] & XRMU_DTE0_V) ||
		    !xrmu_master_uses(m, rid))
			continue;
		if (memcmp(&m->dte, &master->dte, sizeof(m->dte)))
			return false;
	}
	return true;
}

/*
 * Point the entries of @master's device and of its DMA aliases at @dte
 * (translation fields; the interrupt fields are the device's), except
 * shared ones its siblings do not agree on yet.
 */
static void xrmu_set_dte(struct xrmu_master *master, const struct xrmu_dte *dte,
			 struct iommu_domain *domain)
{
	struct xrmu_unit *unit = master->unit;
	struct xrmu_dte d = *dte;
	unsigned int i;

	/* Interrupt fields: the device's IRT, or IM = 1 if not remapped. */
	xrmu_ir_fill_dte(master, &d);
	mutex_lock(&unit->dt_lock);
	master->dte = *dte;
	master->domain = domain;
	master->storm_blocked = false;
	master->flt_count = 0;
	for (i = 0; i < master->nr_rids; i++)
		if (xrmu_rid_agreed(unit, master, master->rids[i]))
			xrmu_dte_write(unit, master->rids[i], &d);
	mutex_unlock(&unit->dt_lock);
}

/* Point @pdev's entries (and its aliases') at pass-through. */
static int xrmu_pass_device(struct xrmu_unit *unit, struct pci_dev *pdev)
{
	struct xrmu_dte pass = xrmu_dte_encode(XRMU_DTE_MODE_PASS, 0, 0, 0,
					       false);
	struct xrmu_alias_ctx ctx = { .unit = unit };

	/* Not probed: its MSIs are not remapped. */
	xrmu_ir_fill_dte(NULL, &pass);

	mutex_lock(&unit->dt_lock);
	xrmu_walk_aliases(pdev, &ctx);
	if (!ctx.ret) {
		ctx.dte = &pass;
		xrmu_walk_aliases(pdev, &ctx);
	}
	mutex_unlock(&unit->dt_lock);
	return ctx.ret;
}

static unsigned int fault_storm_limit = 1000;
module_param(fault_storm_limit, uint, 0644);
MODULE_PARM_DESC(fault_storm_limit,
		 "DMA fault records of one device within a second that block its DMA until its next domain attach (default: 1000; 0: never)");

/*
 * Count a DMA fault record of @m in its one-second window (opened by the
 * first record after the window ended).  Returns true for the record that
 * exceeds fault_storm_limit.  Called with dt_lock held.
 */
static bool xrmu_fault_storm(struct xrmu_master *m)
{
	unsigned int limit = READ_ONCE(fault_storm_limit);

	if (!limit || m->storm_blocked)
		return false;
	if (!m->flt_count || time_after(jiffies, m->flt_start + HZ)) {
		m->flt_start = jiffies;
		m->flt_count = 0;
	}
	return ++m->flt_count > limit;
}

/*
 * A fault storm: make every entry of @m block DMA with fault records
 * suppressed (DTE.FSD; the unit still counts the faults), interrupt fields
 * kept, so the storm costs neither the fault queue nor the CPUs any more.
 * @m->dte and @m->domain stay: the next attach of any domain, and only
 * that, rewrites the entries and ends the block.  Called with dt_lock held.
 */
static void xrmu_storm_block(struct xrmu_master *m)
{
	struct xrmu_dte d = xrmu_dte_encode(XRMU_DTE_MODE_BLOCKED, 0, 0, 0,
					    true);
	struct xrmu_unit *unit = m->unit;
	unsigned int i;

	lockdep_assert_held(&unit->dt_lock);
	xrmu_ir_fill_dte(m, &d);
	m->storm_blocked = true;
	for (i = 0; i < m->nr_rids; i++)
		xrmu_dte_write(unit, m->rids[i], &d);
	unit->cnt.storm_blocks++;
	trace_xrmu_storm_block(unit, m->rid, m->flt_count);
	dev_warn(m->dev,
		 "fault storm: more than %u DMA faults within a second, DMA blocked until the next domain attach\n",
		 m->flt_count - 1);
}

/**
 * xrmu_report_fault() - hand a DMA fault to the requester's domain
 * @unit: the unit that recorded it
 * @rid: the requester ID of the record
 * @iova: the faulting address
 * @flags: IOMMU_FAULT_READ or IOMMU_FAULT_WRITE
 *
 * The device and its domain are the ones the driver attached, looked up
 * under dt_lock: release_device() and every attach take it to change
 * them, and the core frees a domain only after the attach that replaced
 * it, so neither can go away while the domain's handler runs.  A record
 * of a requester ID no device of this unit uses (any more) is not passed
 * on.  A device with more than fault_storm_limit records in a second has
 * its DMA blocked (xrmu_storm_block()).  Sleeps (the fault thread).
 *
 * Return: true if the domain's fault handler took the fault.
 */
bool xrmu_report_fault(struct xrmu_unit *unit, u16 rid, unsigned long iova,
		       int flags)
{
	struct xrmu_master *m;
	bool taken = false;

	mutex_lock(&unit->dt_lock);
	list_for_each_entry(m, &unit->masters, node) {
		if (m->rid != rid || !m->domain)
			continue;
		if (m->domain->type != IOMMU_DOMAIN_SVA)
			taken = !report_iommu_fault(m->domain, m->dev, iova,
						    flags);
		if (xrmu_fault_storm(m))
			xrmu_storm_block(m);
		break;
	}
	mutex_unlock(&unit->dt_lock);
	return taken;
}

/* ---- static domains ---- */

static void xrmu_domain_leave(struct xrmu_master *master,
			      struct iommu_domain *prev);

static int xrmu_attach_mode(struct iommu_domain *domain, struct device *dev,
			    unsigned int mode)
{
	struct xrmu_master *master = dev_iommu_priv_get(dev);
	struct xrmu_dte dte = xrmu_dte_encode(mode, 0, 0, 0, false);
	struct iommu_domain *prev = master->domain;

	xrmu_set_dte(master, &dte, domain);
	xrmu_domain_leave(master, prev);
	return 0;
}

static int xrmu_identity_attach(struct iommu_domain *domain,
				struct device *dev, struct iommu_domain *old)
{
	return xrmu_attach_mode(domain, dev, XRMU_DTE_MODE_PASS);
}

static int xrmu_blocked_attach(struct iommu_domain *domain,
			       struct device *dev, struct iommu_domain *old)
{
	return xrmu_attach_mode(domain, dev, XRMU_DTE_MODE_BLOCKED);
}

static struct iommu_domain xrmu_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = xrmu_identity_attach,
	},
};

static struct iommu_domain xrmu_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = xrmu_blocked_attach,
	},
};

/* ---- paging domains ---- */

/*
 * Paging domains use the generic page-table library's xrmu format: it
 * maps and unmaps for the IOMMU core (map_range/unmap_range), gathers the
 * IOVA ranges that lost translations and the table pages it unlinked, and
 * calls iotlb_sync() below before anything it freed can be reused.
 */
static struct iommu_domain *xrmu_domain_alloc_paging(struct device *dev)
{
	struct xrmu_master *master = dev ? dev_iommu_priv_get(dev) : NULL;
	struct pt_iommu_xrmu_cfg cfg = {};
	struct xrmu_unit *unit;
	struct xrmu_domain *xd;
	int ret;

	if (!master)
		return ERR_PTR(-ENODEV);
	unit = master->unit;

	cfg.levels = unit->levels;
	cfg.common.hw_max_vasz_lg2 = xrmu_pt_va_bits(unit->levels);
	cfg.common.hw_max_oasz_lg2 = unit->paw;
	/* INV_IOTLB takes any range: one per gather, gaps included. */
	cfg.common.features = BIT(PT_FEAT_FLUSH_RANGE);
	if (unit->cap & XRMU_CAP_PS2M)
		cfg.common.features |= BIT(PT_FEAT_XRMU_PS2M);
	if (unit->cap & XRMU_CAP_PS1G)
		cfg.common.features |= BIT(PT_FEAT_XRMU_PS1G);

	xd = kzalloc_obj(*xd);
	if (!xd)
		return ERR_PTR(-ENOMEM);
	xd->pt.iommu.nid = dev_to_node(unit->dev);
	xd->domain.ops = &xrmu_paging_ops;
	/* Sets pgsize_bitmap (per CAP and PAW) and the aperture. */
	ret = pt_iommu_xrmu_init(&xd->pt, &cfg, GFP_KERNEL);
	if (ret) {
		kfree(xd);
		return ERR_PTR(ret);
	}
	xd->levels = unit->levels;
	xd->paw = unit->paw;
	xd->ps = unit->cap & (XRMU_CAP_PS2M | XRMU_CAP_PS1G);
	mutex_init(&xd->attach_lock);
	spin_lock_init(&xd->lock);
	INIT_LIST_HEAD(&xd->units);
	return &xd->domain;
}

/* Can @unit walk @xd's tables and use all of its leaves? */
static bool xrmu_domain_fits(const struct xrmu_domain *xd,
			     const struct xrmu_unit *unit)
{
	return unit->levels == xd->levels && unit->paw >= xd->paw &&
	       !(xd->ps & ~unit->cap);
}

static struct xrmu_domain_unit *xrmu_domain_find(struct xrmu_domain *xd,
						 struct xrmu_unit *unit)
{
	struct xrmu_domain_unit *du;

	list_for_each_entry(du, &xd->units, node)
		if (du->unit == unit)
			return du;
	return NULL;
}

/*
 * A device of @unit joins @xd: the domain's ID on that unit, allocated on
 * its first device.  The unit is on the domain's list (seen by every
 * later invalidation) before any entry points it at the tables.
 */
static int xrmu_domain_get_unit(struct xrmu_domain *xd, struct xrmu_unit *unit,
				u16 *did)
{
	struct xrmu_domain_unit *du;
	unsigned long flags;
	int id, ret = 0;

	if (!xrmu_domain_fits(xd, unit))
		return -EINVAL;
	mutex_lock(&xd->attach_lock);
	du = xrmu_domain_find(xd, unit);
	if (du) {
		du->users++;
		goto out;
	}
	du = kzalloc_obj(*du);
	if (!du) {
		ret = -ENOMEM;
		goto unlock;
	}
	id = ida_alloc_max(&unit->did_ida, BIT(unit->didw) - 1, GFP_KERNEL);
	if (id < 0) {
		kfree(du);
		ret = id == -ENOMEM ? -ENOMEM : -ENOSPC;
		goto unlock;
	}
	du->unit = unit;
	du->did = id;
	du->users = 1;
	spin_lock_irqsave(&xd->lock, flags);
	list_add_tail(&du->node, &xd->units);
	spin_unlock_irqrestore(&xd->lock, flags);
out:
	*did = du->did;
unlock:
	mutex_unlock(&xd->attach_lock);
	return ret;
}

/*
 * A device of @unit left @xd (its entries were rewritten and invalidated).
 * After the last one no entry of the unit uses the ID: drop the ID's IOTLB
 * entries while unmaps still invalidate on the unit, then take the unit
 * off the list and free the ID.
 */
static void xrmu_domain_put_unit(struct xrmu_domain *xd,
				 struct xrmu_unit *unit)
{
	struct xrmu_domain_unit *du;
	struct xrmu_cmd inv;
	unsigned long flags;
	int ret;

	mutex_lock(&xd->attach_lock);
	du = xrmu_domain_find(xd, unit);
	if (WARN_ON(!du) || --du->users)
		goto unlock;
	inv = xrmu_cmd_inv_iotlb_domain(du->did);
	ret = xrmu_cmdq_submit(unit, &inv, 1);
	spin_lock_irqsave(&xd->lock, flags);
	list_del(&du->node);
	spin_unlock_irqrestore(&xd->lock, flags);
	if (xrmu_cmdq_quiesced(unit, ret)) {
		ida_free(&unit->did_ida, du->did);
	} else {
		dev_err(unit->dev,
			"domain ID %u kept: its IOTLB invalidation failed (%d) and the unit did not acknowledge its block\n",
			du->did, ret);
		xd->kept = true;	/* its tables stay allocated too */
	}
	kfree(du);
unlock:
	mutex_unlock(&xd->attach_lock);
}

/* After @master's entries were pointed elsewhere: leave its old domain. */
static void xrmu_domain_leave(struct xrmu_master *master,
			      struct iommu_domain *prev)
{
	if (prev && prev->ops == &xrmu_paging_ops)
		xrmu_domain_put_unit(to_xrmu_domain(prev), master->unit);
}

static void xrmu_domain_free(struct iommu_domain *domain)
{
	struct xrmu_domain *xd = to_xrmu_domain(domain);

	/*
	 * No device uses the domain any more: the last one of each unit
	 * dropped the unit's IOTLB entries of its ID when it left.
	 */
	if (WARN_ON(!list_empty(&xd->units)) || xd->kept) {
		pr_err("xrmu: domain not freed: a unit may still use its tables\n");
		return;		/* its tables (and the domain) stay allocated */
	}
	pt_iommu_deinit(&xd->pt.iommu);
	kfree(xd);
}

static int xrmu_paging_attach(struct iommu_domain *domain, struct device *dev,
			      struct iommu_domain *old)
{
	struct xrmu_master *master = dev_iommu_priv_get(dev);
	struct xrmu_domain *xd = to_xrmu_domain(domain);
	struct iommu_domain *prev = master->domain;
	struct pt_iommu_xrmu_hw_info info;
	struct xrmu_dte dte;
	u16 did;
	int ret;

	/* Another unit joins with its own DID, if the tables fit it. */
	ret = xrmu_domain_get_unit(xd, master->unit, &did);
	if (ret)
		return ret;
	pt_iommu_xrmu_hw_info(&xd->pt, &info);
	dte = xrmu_dte_encode(XRMU_DTE_MODE_XLATE, info.levels, info.ptroot,
			      did, false);
	xrmu_set_dte(master, &dte, domain);
	xrmu_domain_leave(master, prev);
	return 0;
}

static void xrmu_iotlb_sync(struct iommu_domain *domain,
			    struct iommu_iotlb_gather *gather)
{
	struct xrmu_domain *xd = to_xrmu_domain(domain);
	struct xrmu_unit *stuck = NULL;
	struct xrmu_domain_unit *du;
	unsigned long flags;
	int ret, stuck_ret = 0;

	if (gather->start <= gather->end) {
		spin_lock_irqsave(&xd->lock, flags);
		list_for_each_entry(du, &xd->units, node) {
			ret = xrmu_inv_iotlb_range(du->unit, du->did,
						   gather->start,
						   gather->end - gather->start + 1);
			if (!stuck && !xrmu_cmdq_quiesced(du->unit, ret)) {
				stuck = du->unit;
				stuck_ret = ret;
			}
		}
		spin_unlock_irqrestore(&xd->lock, flags);
	}
	/*
	 * Table pages are released only after their invalidation on every
	 * unit; if one could not be made, they wait for that unit.
	 */
	if (stuck)
		xrmu_free_table_pages(stuck, stuck_ret, &gather->freelist);
	else
		iommu_put_pages_list(&gather->freelist);
}

static void xrmu_flush_iotlb_all(struct iommu_domain *domain)
{
	struct xrmu_domain *xd = to_xrmu_domain(domain);
	struct xrmu_domain_unit *du;
	unsigned long flags;

	spin_lock_irqsave(&xd->lock, flags);
	list_for_each_entry(du, &xd->units, node) {
		struct xrmu_cmd inv = xrmu_cmd_inv_iotlb_domain(du->did);

		xrmu_cmdq_submit(du->unit, &inv, 1);
	}
	spin_unlock_irqrestore(&xd->lock, flags);
}

static const struct iommu_domain_ops xrmu_paging_ops = {
	IOMMU_PT_DOMAIN_OPS(xrmu),
	.attach_dev = xrmu_paging_attach,
	.iotlb_sync = xrmu_iotlb_sync,
	.flush_iotlb_all = xrmu_flush_iotlb_all,
	.free = xrmu_domain_free,
};

/* ---- iommu_ops ---- */

static struct xrmu_unit *xrmu_find_unit(struct pci_dev *pdev)
{
	struct xrmu_unit *unit, *found = NULL;

	mutex_lock(&xrmu_units_lock);
	list_for_each_entry(unit, &xrmu_units, node) {
		if (xrmu_unit_covers(unit, pci_domain_nr(pdev->bus),
				     pdev->bus->number)) {
			found = unit;
			break;
		}
	}
	mutex_unlock(&xrmu_units_lock);
	return found;
}

/* Is @dev a parent, or a parent of a parent..., of @of? */
static bool xrmu_is_ancestor(struct device *dev, struct device *of)
{
	for (of = of->parent; of; of = of->parent)
		if (of == dev)
			return true;
	return false;
}

static struct iommu_device *xrmu_probe_device(struct device *dev)
{
	struct xrmu_alias_ctx ctx = { };
	struct xrmu_master *master;
	struct xrmu_unit *unit;
	struct pci_dev *pdev;
	int ret;

	if (!dev_is_pci(dev))
		return ERR_PTR(-ENODEV);
	pdev = to_pci_dev(dev);
	unit = xrmu_find_unit(pdev);
	/* The unit never translates its own function. */
	if (!unit || unit->dev == dev)
		return ERR_PTR(-ENODEV);
	/*
	 * Bound before we loaded: left on a pass-through entry (set before
	 * EN, or now if it was bound since).
	 */
	if (READ_ONCE(dev->driver)) {
		ret = xrmu_pass_device(unit, pdev);

		if (!ret)
			dev_info(dev,
				 "driver bound before xrmu: left on pass-through, not isolated (remove and rescan to isolate)\n");
		return ERR_PTR(ret ?: -ENODEV);
	}

	master = kzalloc_obj(*master);
	if (!master)
		return ERR_PTR(-ENOMEM);
	master->unit = unit;
	master->dev = dev;
	master->rid = pci_dev_id(pdev);

	ctx.unit = unit;
	mutex_lock(&unit->dt_lock);
	ret = xrmu_walk_aliases(pdev, &ctx);
	if (!ret) {
		memcpy(master->rids, ctx.rids, sizeof(ctx.rids));
		master->nr_rids = ctx.nr_rids;
		list_add_tail(&master->node, &unit->masters);
		unit->nr_masters++;
	}
	mutex_unlock(&unit->dt_lock);
	if (ret) {
		kfree(master);
		return ERR_PTR(ret);
	}
	/* Before the first DTE of the device is written (attach). */
	xrmu_ir_probe_device(master, ctx.rids, ctx.nr_rids, ctx.aliased);

	/*
	 * Suspend and shut the device down before the unit, resume it after
	 * (the link orders both lists).  A bridge above the unit cannot be
	 * its consumer: as its ancestor it is suspended after and resumed
	 * before it whatever is done here.  Not fatal: without the link only
	 * the order of those transitions is not guaranteed.
	 */
	if (!xrmu_is_ancestor(dev, unit->dev) &&
	    !device_link_add(dev, unit->dev, DL_FLAG_STATELESS))
		dev_warn(dev, "no device link to %s: suspend and shutdown order not guaranteed\n",
			 dev_name(unit->dev));

	dev_iommu_priv_set(dev, master);
	return &unit->iommu;
}

static void xrmu_release_device(struct device *dev)
{
	struct xrmu_master *master = dev_iommu_priv_get(dev);

	/*
	 * The core attached the blocked release_domain first (entries shared
	 * with a sibling kept serving it, see xrmu_rid_agreed()).  The
	 * device's own entries still point to its IRT: block MSIs too, then
	 * drop it (an IRT shared with siblings stays theirs).
	 */
	if (xrmu_ir_release_prepare(master))
		xrmu_attach_mode(master->domain, dev, XRMU_DTE_MODE_BLOCKED);
	xrmu_ir_release_device(master);
	/* By devices, not by pointer: device_del() may have purged it. */
	device_link_remove(dev, master->unit->dev);
	mutex_lock(&master->unit->dt_lock);
	list_del(&master->node);
	master->unit->nr_masters--;
	mutex_unlock(&master->unit->dt_lock);
	kfree(master);
}

static int xrmu_def_domain_type(struct device *dev)
{
	/* Another xrmu (or other IOMMU) function: its DMA is physical. */
	if (dev_is_pci(dev) &&
	    (to_pci_dev(dev)->class >> 8) == XRMU_PCI_CLASS_IOMMU)
		return IOMMU_DOMAIN_IDENTITY;
	return 0;
}

static bool xrmu_capable(struct device *dev, enum iommu_cap cap)
{
	struct xrmu_master *master = dev_iommu_priv_get(dev);

	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
		return master && (master->unit->cap & XRMU_CAP_COH);
	case IOMMU_CAP_DEFERRED_FLUSH:
		return true;
	default:
		return false;
	}
}

/*
 * The interrupt window is never DMA-translated by the unit, whatever the
 * mode: writes there are interrupt requests and reads fault.  It is a
 * hardware MSI region (IOMMU_RESV_MSI): IOVA allocators must keep out of
 * it and nothing may be mapped there, and VFIO sees a hardware (not
 * software-managed) MSI window.
 */
static void xrmu_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct iommu_resv_region *reg;

	reg = iommu_alloc_resv_region(XRMU_MSI_WINDOW_BASE,
				      XRMU_MSI_WINDOW_SIZE,
				      IOMMU_WRITE | IOMMU_MMIO,
				      IOMMU_RESV_MSI, GFP_KERNEL);
	if (reg)
		list_add_tail(&reg->list, head);
}

/* IOMMU_GET_HW_INFO: the raw identification registers of the unit. */
static void *xrmu_hw_info(struct device *dev, u32 *length,
			  enum iommu_hw_info_type *type)
{
	struct xrmu_master *master = dev_iommu_priv_get(dev);
	struct iommu_hw_info_xrmu *info;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    *type != IOMMU_HW_INFO_TYPE_XRMU)
		return ERR_PTR(-EOPNOTSUPP);
	info = kzalloc_obj(*info);
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->version = master->unit->version;
	info->cap = master->unit->cap;
	info->ecap = master->unit->ecap;
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_XRMU;
	return info;
}

static struct iommu_group *xrmu_device_group(struct device *dev)
{
	return pci_device_group(dev);
}

static const struct iommu_ops xrmu_ops = {
	.capable = xrmu_capable,
	.hw_info = xrmu_hw_info,
	.domain_alloc_paging = xrmu_domain_alloc_paging,
	.probe_device = xrmu_probe_device,
	.release_device = xrmu_release_device,
	.device_group = xrmu_device_group,
	.get_resv_regions = xrmu_get_resv_regions,
	.def_domain_type = xrmu_def_domain_type,
	.identity_domain = &xrmu_identity_domain,
	.blocked_domain = &xrmu_blocked_domain,
	.release_domain = &xrmu_blocked_domain,
	.default_domain_ops = &xrmu_paging_ops,
	.owner = THIS_MODULE,
};

/* ---- sysfs ---- */

static struct xrmu_unit *xrmu_from_sysfs(struct device *dev)
{
	struct iommu_device *iommu = dev_get_drvdata(dev);

	return container_of(iommu, struct xrmu_unit, iommu);
}

#define XRMU_ATTR(_name, _fmt, ...)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct xrmu_unit *unit = xrmu_from_sysfs(dev);			\
									\
	return sysfs_emit(buf, _fmt "\n", __VA_ARGS__);		\
}									\
static DEVICE_ATTR_RO(_name)

XRMU_ATTR(version, "%u.%u",
	  (unsigned int)FIELD_GET(XRMU_VERSION_MAJOR, unit->version),
	  (unsigned int)FIELD_GET(XRMU_VERSION_MINOR, unit->version));
XRMU_ATTR(cap, "0x%016llx", unit->cap);
XRMU_ATTR(ecap, "0x%016llx", unit->ecap);
XRMU_ATTR(ridrange, "%04x:%02x-%02x", unit->segment, unit->bus_first,
	  unit->bus_last);
XRMU_ATTR(domain_id_bits, "%u", unit->didw);
XRMU_ATTR(address_width, "%u", xrmu_pt_va_bits(unit->levels));
XRMU_ATTR(phys_address_width, "%u", unit->paw);
XRMU_ATTR(page_sizes, "0x%lx", unit->pgsize_bitmap);
XRMU_ATTR(coherent, "%u", !!(unit->cap & XRMU_CAP_COH));

static struct attribute *xrmu_attrs[] = {
	&dev_attr_version.attr,
	&dev_attr_cap.attr,
	&dev_attr_ecap.attr,
	&dev_attr_ridrange.attr,
	&dev_attr_domain_id_bits.attr,
	&dev_attr_address_width.attr,
	&dev_attr_phys_address_width.attr,
	&dev_attr_page_sizes.attr,
	&dev_attr_coherent.attr,
	NULL,
};

static const struct attribute_group xrmu_attr_group = {
	.name = "xrmu",
	.attrs = xrmu_attrs,
};

static const struct attribute_group *xrmu_attr_groups[] = {
	&xrmu_attr_group,
	NULL,
};

/* ---- probe ---- */

static bool xrmu_range_in_use(u64 ridrange)
{
	unsigned int seg = FIELD_GET(XRMU_RIDRANGE_SEG, ridrange);
	unsigned int first = FIELD_GET(XRMU_RIDRANGE_BUS_FIRST, ridrange);
	unsigned int last = FIELD_GET(XRMU_RIDRANGE_BUS_LAST, ridrange);
	struct xrmu_unit *unit;
	bool overlap = false;

	mutex_lock(&xrmu_units_lock);
	list_for_each_entry(unit, &xrmu_units, node)
		if (unit->segment == seg && first <= unit->bus_last &&
		    last >= unit->bus_first)
			overlap = true;
	mutex_unlock(&xrmu_units_lock);
	return overlap;
}

/*
 * The last byte of system memory, hot-added memory included (high_memory
 * follows it).  Page-table pages come from the page allocator, which may
 * return any of it; spec R13 wants them below 2^PAW.
 */
static phys_addr_t xrmu_top_of_memory(void)
{
	return __pa(high_memory - 1);
}

/* Refusal rules of the spec (R14): no register is written before this. */
static int xrmu_validate(struct xrmu_unit *unit, u64 ridrange)
{
	u64 cap = unit->cap;
	unsigned int major = FIELD_GET(XRMU_VERSION_MAJOR, unit->version);
	unsigned int irtmax = FIELD_GET(XRMU_CAP_IRT_MAXLOG2, cap);
	const char *why = NULL;

	if (major != 1)
		why = "unsupported major version";
	else if (cap & ~XRMU_CAP_DEFINED)
		why = "reserved CAP bits set";
	else if (!(cap & (XRMU_CAP_AW39 | XRMU_CAP_AW48 | XRMU_CAP_AW57)))
		why = "no address width";
	else if (!FIELD_GET(XRMU_CAP_DIDW, cap))
		why = "DIDW is 0";
	else if (FIELD_GET(XRMU_CAP_CMDQ_MAXLOG2, cap) < XRMU_Q_MINLOG2 ||
		 FIELD_GET(XRMU_CAP_FLTQ_MAXLOG2, cap) < XRMU_Q_MINLOG2)
		why = "queue size limit below 16 entries";
	else if (FIELD_GET(XRMU_CAP_PAW, cap) < 32 ||
		 FIELD_GET(XRMU_CAP_PAW, cap) > 52)
		why = "PAW out of range";
	else if (xrmu_top_of_memory() >> FIELD_GET(XRMU_CAP_PAW, cap))
		why = "PAW below the top of system memory";
	else if ((cap & XRMU_CAP_IR) ? irtmax > XRMU_IRT_MAX_LOG2 : irtmax != 0)
		why = "IRT_MAXLOG2 inconsistent with IR";
	else if (ridrange & XRMU_RIDRANGE_RSVD)
		why = "reserved RIDRANGE bits set";
	else if (FIELD_GET(XRMU_RIDRANGE_BUS_FIRST, ridrange) >
		 FIELD_GET(XRMU_RIDRANGE_BUS_LAST, ridrange))
		why = "empty requester range";
	else if (IS_ENABLED(CONFIG_X86) && !(cap & XRMU_CAP_COH))
		why = "non-coherent unit";
	else if (xrmu_range_in_use(ridrange))
		why = "requester range overlaps a unit in use";

	if (why) {
		dev_err(unit->dev,
			"refusing unit: %s (VERSION 0x%08x CAP 0x%016llx RIDRANGE 0x%016llx)\n",
			why, unit->version, cap, ridrange);
		return -ENODEV;
	}
	return 0;
}

/**
 * xrmu_check_gone() - is a unit that read all ones still there?
 * @unit: the unit
 *
 * Called when a register read returned all ones.  VERSION never reads all
 * ones on a unit that is present (its major version is checked at probe):
 * if it does, the unit was removed (or its register block died), and is
 * from then on treated as gone by every path that touches it: submissions
 * and waits fail with -ENODEV, the fault thread stops, nothing is fenced
 * or retried, and teardown does not wait for it.  Safe in any context.
 *
 * Return: true if the unit is gone.
 */
bool xrmu_check_gone(struct xrmu_unit *unit)
{
	if (xrmu_gone(unit))
		return true;
	if (readl(unit->regs + XRMU_REG_VERSION) != U32_MAX)
		return false;
	if (!test_and_set_bit(XRMU_UNIT_GONE, &unit->flags))
		dev_err(unit->dev,
			"unit does not respond (registers read all ones): treated as removed, commands and fault reporting stopped\n");
	return true;
}

static int xrmu_wait_status(struct xrmu_unit *unit, u32 mask, u32 want)
{
	u32 sts;
	int ret;

	ret = read_poll_timeout(xrmu_readl, sts,
				xrmu_gone(unit) || (sts & mask) == want, 10,
				XRMU_POLL_TIMEOUT_US, false,
				unit, XRMU_REG_STATUS);
	if (xrmu_gone(unit))
		return -ENODEV;
	if (ret)
		dev_err(unit->dev, "STATUS 0x%08x, expected 0x%08x in 0x%08x\n",
			sts, want, mask);
	return ret;
}

static int xrmu_write_ctrl(struct xrmu_unit *unit, u32 ctrl)
{
	static const struct {
		u32 ctrl, sts;
	} acks[] = {
		{ XRMU_CTRL_EN, XRMU_STATUS_EN_ACK },
		{ XRMU_CTRL_IRE, XRMU_STATUS_IRE_ACK },
		{ XRMU_CTRL_CMDQ_EN, XRMU_STATUS_CMDQ_ON },
		{ XRMU_CTRL_FLTQ_EN, XRMU_STATUS_FLTQ_ON },
		{ XRMU_CTRL_BLK, XRMU_STATUS_BLK_ACK },
	};
	u32 mask = 0, want = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(acks); i++) {
		mask |= acks[i].sts;
		if (ctrl & acks[i].ctrl)
			want |= acks[i].sts;
	}
	unit->ctrl = ctrl;
	xrmu_writel(unit, XRMU_REG_CTRL, ctrl);
	trace_xrmu_ctrl(unit, ctrl);
	return xrmu_wait_status(unit, mask, want);
}

static void xrmu_free_memory(struct xrmu_unit *unit)
{
	unsigned int i;

	for (i = 0; i < XRMU_DT_L1_ENTRIES; i++) {
		iommu_free_pages(unit->dt_l2[i]);
		unit->dt_l2[i] = NULL;
	}
	iommu_free_pages(unit->dt_l1);
	iommu_free_pages(unit->cmdq);
	iommu_free_pages(unit->fltq);
	iommu_free_pages(unit->sync_word);
	unit->dt_l1 = NULL;
	unit->cmdq = NULL;
	unit->fltq = NULL;
	unit->sync_word = NULL;
}

static int xrmu_alloc_memory(struct xrmu_unit *unit)
{
	int nid = dev_to_node(unit->dev);
	void *pages[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = iommu_alloc_pages_node_sz(nid, GFP_KERNEL, SZ_4K);
		if (pages[i] && (virt_to_phys(pages[i]) >> unit->paw)) {
			iommu_free_pages(pages[i]);
			pages[i] = NULL;
		}
	}
	unit->dt_l1 = pages[0];
	unit->cmdq = pages[1];
	unit->fltq = pages[2];
	unit->sync_word = pages[3];
	if (!pages[0] || !pages[1] || !pages[2] || !pages[3]) {
		xrmu_free_memory(unit);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Devices already driven when the unit comes up keep working: their
 * entries (and their aliases') pass through, compatibility-format MSIs
 * included, from the moment translation is enabled, and probe_device()
 * leaves them alone.  This includes bridges bound to portdrv: their PME
 * and AER interrupts were set up before we loaded.  Entries of all other
 * requesters stay invalid (faulting) until the IOMMU core attaches a
 * domain.
 */
static int xrmu_prepare_bound(struct xrmu_unit *unit)
{
	struct pci_dev *pdev = NULL;
	int ret;

	for_each_pci_dev(pdev) {
		if (&pdev->dev == unit->dev || !READ_ONCE(pdev->dev.driver) ||
		    !xrmu_unit_covers(unit, pci_domain_nr(pdev->bus),
				      pdev->bus->number))
			continue;
		ret = xrmu_pass_device(unit, pdev);
		if (ret) {
			pci_dev_put(pdev);
			return ret;
		}
	}
	return 0;
}

/*
 * A unit reset through the RESET register: registers at their reset
 * values, caches empty, translation and queues off (DMA passes through).
 */
static int xrmu_hw_reset(struct xrmu_unit *unit)
{
	unsigned long flags;

	xrmu_writel(unit, XRMU_REG_RESET, XRMU_RESET_MAGIC);
	unit->ctrl = 0;
	unit->fltq_lost = 0;		/* FLTQ_LOST is cleared */
	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	WRITE_ONCE(unit->fenced, false);
	WRITE_ONCE(unit->blocked, false);
	raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
	return xrmu_wait_status(unit, ~0U, 0);
}

/*
 * Disable sequence of the spec: translation off (optionally keeping DMA
 * blocked), fault interrupt released and the fault queue drained, then
 * the queues off.  Only then may the memory be freed.
 */
static void xrmu_hw_disable(struct xrmu_unit *unit, bool block)
{
	u32 blk = block ? XRMU_CTRL_BLK : 0;

	xrmu_cmdq_exit(unit);	/* no recovery of a fenced unit from here */
	xrmu_write_ctrl(unit, (unit->ctrl & ~(XRMU_CTRL_EN | XRMU_CTRL_IRE)) |
			blk);
	if (unit->irq_fault > 0)
		free_irq(unit->irq_fault, unit);
	if (unit->ctrl & XRMU_CTRL_FLTQ_EN)
		xrmu_fault_thread(0, unit);
	xrmu_write_ctrl(unit, blk);
}

/*
 * Quiesce sequence for a system sleep or a shutdown: the disable sequence
 * with BLK = 1, the fault interrupt kept (only disabled) and the memory
 * kept.  From the first write on the unit translates nothing and blocks
 * every covered requester, pass-through entries included, until the next
 * enable.
 */
static void xrmu_hw_quiesce(struct xrmu_unit *unit)
{
	xrmu_cmdq_exit(unit);
	xrmu_write_ctrl(unit, (unit->ctrl & ~(XRMU_CTRL_EN | XRMU_CTRL_IRE)) |
			XRMU_CTRL_BLK);
	xrmu_cmdq_sleep(unit);
	if (unit->irq_fault > 0)
		disable_irq(unit->irq_fault);
	if (unit->ctrl & XRMU_CTRL_FLTQ_EN)
		xrmu_fault_thread(0, unit);
	xrmu_write_ctrl(unit, XRMU_CTRL_BLK);
}

/*
 * Enable sequence of the spec.  @blk is XRMU_CTRL_BLK to keep covered
 * requesters blocked until translation is on (the unit must then already
 * be blocked, CTRL = BLK acknowledged), or 0 after a reset.  With
 * @pass_bound, the entries of devices already driven are written before
 * translation starts (first enable after probe only: later, those entries
 * are in the device table already).
 */
static int xrmu_hw_enable(struct xrmu_unit *unit, u32 blk, bool pass_bound)
{
	struct xrmu_cmd cmds[3];
	unsigned int n = 0;
	u32 ctrl;
	int ret;

	/* (1) bases */
	xrmu_writeq(unit, XRMU_REG_DTBASE,
		    xrmu_dtbase_encode(virt_to_phys(unit->dt_l1),
				       XRMU_DT_LOG2SZ));
	xrmu_writeq(unit, XRMU_REG_CMDQ_BASE,
		    xrmu_qbase_encode(virt_to_phys(unit->cmdq),
				      unit->cmdq_log2));
	xrmu_writeq(unit, XRMU_REG_FLTQ_BASE,
		    xrmu_qbase_encode(virt_to_phys(unit->fltq),
				      unit->fltq_log2));

	/*
	 * (2) queues on: starting them sets HEAD = TAIL = 0 and clears
	 * FLTQ_LOST.
	 */
	ctrl = XRMU_CTRL_CMDQ_EN | XRMU_CTRL_FLTQ_EN | blk;
	if (unit->irq_fault > 0)
		ctrl |= XRMU_CTRL_FLT_IE;
	ret = xrmu_write_ctrl(unit, ctrl);
	if (ret)
		return ret;
	unit->fltq_lost = 0;
	xrmu_cmdq_wake(unit);

	/* (3) start from empty caches */
	cmds[n++] = xrmu_cmd_inv_dte_all();
	cmds[n++] = xrmu_cmd_inv_iotlb_global();
	if (unit->cap & XRMU_CAP_IR)
		cmds[n++] = xrmu_cmd_inv_irte_all();
	ret = xrmu_cmdq_submit(unit, cmds, n);
	if (ret == -ETIMEDOUT)	/* -EIO was recovered and reported */
		return ret;

	/* Entries of devices that are DMA-active right now. */
	if (pass_bound) {
		ret = xrmu_prepare_bound(unit);
		if (ret)
			return ret;
	}

	/*
	 * (4, 5) translation on, then interrupt remapping (same write); BLK
	 * has no effect while EN = 1 and is kept so that a refused EN still
	 * blocks.
	 */
	ctrl |= XRMU_CTRL_EN;
	if (xrmu_ir_enabled(unit))
		ctrl |= XRMU_CTRL_IRE;
	ret = xrmu_write_ctrl(unit, ctrl);
	if (ret || !blk)
		return ret;
	/* Translating: BLK off, so that every enable ends in one state. */
	return xrmu_write_ctrl(unit, ctrl & ~XRMU_CTRL_BLK);
}

/**
 * xrmu_core_probe() - bring up a unit and register it with the IOMMU core
 * @unit: the unit; the glue filled in @dev, @regs, @irq_fault and @irq_cmd
 *
 * Nothing is written to the unit if its capabilities are refused.
 *
 * Return: 0 or -errno.
 */
int xrmu_core_probe(struct xrmu_unit *unit)
{
	u32 sts, blk = 0;
	u64 ridrange;
	int ret;

	unit->version = xrmu_readl(unit, XRMU_REG_VERSION);
	unit->cap = xrmu_readq(unit, XRMU_REG_CAP);
	unit->ecap = xrmu_readq(unit, XRMU_REG_ECAP);
	ridrange = xrmu_readq(unit, XRMU_REG_RIDRANGE);
	ret = xrmu_validate(unit, ridrange);
	if (ret)
		return ret;

	unit->segment = FIELD_GET(XRMU_RIDRANGE_SEG, ridrange);
	unit->bus_first = FIELD_GET(XRMU_RIDRANGE_BUS_FIRST, ridrange);
	unit->bus_last = FIELD_GET(XRMU_RIDRANGE_BUS_LAST, ridrange);
	unit->didw = FIELD_GET(XRMU_CAP_DIDW, unit->cap);
	unit->paw = FIELD_GET(XRMU_CAP_PAW, unit->cap);
	if (unit->cap & XRMU_CAP_AW48)
		unit->levels = 4;
	else if (unit->cap & XRMU_CAP_AW39)
		unit->levels = 3;
	else
		unit->levels = 5;
	unit->pgsize_bitmap = SZ_4K;
	if (unit->cap & XRMU_CAP_PS2M)
		unit->pgsize_bitmap |= SZ_2M;
	if (unit->cap & XRMU_CAP_PS1G)
		unit->pgsize_bitmap |= SZ_1G;
	unit->cmdq_log2 = min_t(unsigned int, XRMU_CMDQ_LOG2,
				FIELD_GET(XRMU_CAP_CMDQ_MAXLOG2, unit->cap));
	unit->fltq_log2 = min_t(unsigned int, XRMU_FLTQ_LOG2,
				FIELD_GET(XRMU_CAP_FLTQ_MAXLOG2, unit->cap));
	if (unit->ecap)
		dev_info(unit->dev, "ignoring ECAP 0x%016llx\n", unit->ecap);

	mutex_init(&unit->dt_lock);
	raw_spin_lock_init(&unit->cmdq_lock);
	xrmu_cmdq_init(unit);
	ida_init(&unit->did_ida);
	INIT_LIST_HEAD(&unit->node);
	INIT_LIST_HEAD(&unit->masters);

	/*
	 * A unit in its reset state is reset again (registers at known
	 * values, caches empty).  One found running (kdump, or a kexec by a
	 * kernel that did not shut it down) or left blocked by a shutdown is
	 * blocked instead: a reset would pass its requesters' DMA through
	 * untranslated until the enable below, and their drivers in the old
	 * kernel may have left it running.  Its tables are not adopted: the
	 * enable programs new ones and invalidates every cache first.
	 */
	sts = xrmu_readl(unit, XRMU_REG_STATUS);
	if (sts & (XRMU_STATUS_EN_ACK | XRMU_STATUS_IRE_ACK |
		   XRMU_STATUS_CMDQ_ON | XRMU_STATUS_FLTQ_ON |
		   XRMU_STATUS_BLK_ACK)) {
		dev_info(unit->dev,
			 "found enabled (STATUS 0x%08x): DMA and MSIs of its requesters blocked until the driver's tables are on; old tables not adopted\n",
			 sts);
		blk = XRMU_CTRL_BLK;
		ret = xrmu_write_ctrl(unit, blk);
		/* Nothing gets past it if it already blocks, even so. */
		if (ret && !(xrmu_readl(unit, XRMU_REG_STATUS) &
			     XRMU_STATUS_BLK_ACK))
			return ret;
	} else {
		ret = xrmu_hw_reset(unit);
		if (ret)
			return ret;
	}

	ret = xrmu_alloc_memory(unit);
	if (ret)
		return ret;

	ret = xrmu_ir_unit_init(unit);
	if (ret)
		goto err_free;

	if (unit->irq_fault > 0) {
		ret = request_threaded_irq(unit->irq_fault, NULL,
					   xrmu_fault_thread, IRQF_ONESHOT,
					   dev_name(unit->dev), unit);
		if (ret)
			goto err_free;
	}

	ret = xrmu_hw_enable(unit, blk, true);
	if (ret) {
		xrmu_hw_disable(unit, blk);
		goto err_free;
	}

	unit->id = ida_alloc(&xrmu_unit_ida, GFP_KERNEL);
	if (unit->id < 0) {
		ret = unit->id;
		goto err_disable;
	}
	ret = iommu_device_sysfs_add(&unit->iommu, unit->dev, xrmu_attr_groups,
				     "xrmu%d", unit->id);
	if (ret)
		goto err_ida;

	mutex_lock(&xrmu_units_lock);
	list_add_tail(&unit->node, &xrmu_units);
	mutex_unlock(&xrmu_units_lock);

	ret = iommu_device_register(&unit->iommu, &xrmu_ops, NULL);
	if (ret)
		goto err_list;

	xrmu_debugfs_unit_init(unit);

	dev_info(unit->dev,
		 "xrmu %lu.%lu: requesters %04x:%02x-%02x, %u-bit IOVA, page sizes 0x%lx, %u-bit DIDs\n",
		 FIELD_GET(XRMU_VERSION_MAJOR, unit->version),
		 FIELD_GET(XRMU_VERSION_MINOR, unit->version),
		 unit->segment, unit->bus_first, unit->bus_last,
		 xrmu_pt_va_bits(unit->levels), unit->pgsize_bitmap,
		 unit->didw);
	return 0;

err_list:
	mutex_lock(&xrmu_units_lock);
	list_del(&unit->node);
	mutex_unlock(&xrmu_units_lock);
	iommu_device_sysfs_remove(&unit->iommu);
err_ida:
	ida_free(&xrmu_unit_ida, unit->id);
err_disable:
	xrmu_hw_disable(unit, blk);
err_free:
	xrmu_ir_unit_exit(unit);
	xrmu_free_memory(unit);
	ida_destroy(&unit->did_ida);
	return ret;
}

/**
 * xrmu_core_remove() - unregister and stop a unit
 * @unit: the unit
 */
void xrmu_core_remove(struct xrmu_unit *unit)
{
	bool had_masters;

	xrmu_debugfs_unit_exit(unit);
	mutex_lock(&xrmu_units_lock);
	list_del(&unit->node);
	mutex_unlock(&xrmu_units_lock);

	mutex_lock(&unit->dt_lock);
	had_masters = unit->nr_masters;
	mutex_unlock(&unit->dt_lock);

	/* Releases every covered device (blocked entry, release_device). */
	iommu_device_unregister(&unit->iommu);
	iommu_device_sysfs_remove(&unit->iommu);
	ida_free(&xrmu_unit_ida, unit->id);

	/* Devices that were translated must not fall back to raw DMA. */
	xrmu_hw_disable(unit, had_masters);
	xrmu_cmdq_free(unit);
	xrmu_ir_unit_exit(unit);
	xrmu_free_memory(unit);
	ida_destroy(&unit->did_ida);
}

/**
 * xrmu_core_suspend() - quiesce a unit for a system sleep
 * @unit: the unit
 *
 * Called after every device it translates was suspended (each is linked to
 * the unit as a consumer, xrmu_probe_device()), with device interrupts
 * off.  The unit is left translating nothing and blocking every covered
 * requester, its queues stopped; the memory stays allocated and the device
 * table keeps every entry.
 *
 * Return: 0.
 */
static int xrmu_core_suspend(struct xrmu_unit *unit)
{
	xrmu_hw_quiesce(unit);
	return 0;
}

/**
 * xrmu_core_resume() - program a unit again after a system sleep
 * @unit: the unit, its bus state restored by the glue
 *
 * Called before any device it translates resumes.  The unit may have lost
 * power (S3: in its reset state, passing DMA through) or kept its state
 * (suspend to idle: blocked by xrmu_core_suspend()): it is blocked first,
 * then the enable sequence runs with the same tables, every cache
 * invalidated before translation and interrupt remapping come back on.
 *
 * Return: 0 or -errno (the unit then stays blocked).
 */
static int xrmu_core_resume(struct xrmu_unit *unit)
{
	bool lost = !xrmu_readl(unit, XRMU_REG_STATUS);
	int ret;

	ret = xrmu_write_ctrl(unit, XRMU_CTRL_BLK);
	if (!ret)
		ret = xrmu_hw_enable(unit, XRMU_CTRL_BLK, false);
	if (unit->irq_fault > 0)
		enable_irq(unit->irq_fault);
	if (ret) {
		dev_err(unit->dev,
			"not enabled after resume (%d): its devices stay blocked\n",
			ret);
		return ret;
	}
	unit->cnt.resumes++;
	if (lost)
		unit->cnt.resumes_reset++;
	return 0;
}

static int xrmu_suspend_noirq(struct device *dev)
{
	return xrmu_core_suspend(dev_get_drvdata(dev));
}

static int xrmu_resume_noirq(struct device *dev)
{
	return xrmu_core_resume(dev_get_drvdata(dev));
}

/*
 * The PM callbacks of both glues (drvdata is the unit): the noirq phase
 * comes after the devices the unit translates (its consumers) have their
 * interrupts off, and before they are back.  The PCI core saves and
 * restores the function's config space (BAR, MSI-X) around these.
 */
DEFINE_NOIRQ_DEV_PM_OPS(xrmu_pm_ops, xrmu_suspend_noirq, xrmu_resume_noirq);

/**
 * xrmu_core_shutdown() - leave a unit quiescent for a reboot or a kexec
 * @unit: the unit
 *
 * Called after every device it translates was shut down.  The unit is
 * left blocking every covered requester with its queues stopped, so that
 * no DMA is translated through tables the next kernel overwrites; that
 * kernel finds it blocked and keeps it so until its own tables are on
 * (xrmu_core_probe()).  Memory is not freed.
 */
void xrmu_core_shutdown(struct xrmu_unit *unit)
{
	if (xrmu_check_gone(unit))
		return;
	xrmu_hw_quiesce(unit);
}

/*
 * Built in, register before the device_initcall() drivers bind: PCI is
 * enumerated and its resources assigned by then (fs_initcall), ACPI's
 * platform devices exist (subsys_initcall), and a device that no driver
 * has claimed yet gets a DMA domain and remapped MSIs from its first
 * probe.  At module_init() level, drivers linked before drivers/iommu
 * (virtio-pci, pcieport) would already be bound and keep an identity
 * domain and compatibility MSIs.  A module is loaded through
 * module_init() whatever the level.  Both glues are registered: a
 * machine may have PCI units and platform units side by side.
 */
static int __init xrmu_init(void)
{
	int ret;

	xrmu_debugfs_init();
	ret = xrmu_pci_register();
	if (ret)
		goto err_debugfs;
	ret = xrmu_platform_register();
	if (ret)
		goto err_pci;
	return 0;

err_pci:
	xrmu_pci_unregister();
err_debugfs:
	xrmu_debugfs_exit();
	return ret;
}
rootfs_initcall(xrmu_init);

static void __exit xrmu_exit(void)
{
	xrmu_platform_unregister();
	xrmu_pci_unregister();
	xrmu_debugfs_exit();
}
module_exit(xrmu_exit);

MODULE_DESCRIPTION("xrmu I/O remapping unit driver");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("GENERIC_PT_IOMMU");
