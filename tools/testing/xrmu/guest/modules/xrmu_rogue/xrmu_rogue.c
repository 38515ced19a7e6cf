// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu_rogue: QEMU's edu device (1234:11e8, full dma_mask) as a rogue DMA
 * master behind an IOMMU.
 *
 * On probe the device is attached to a paging domain of the module's own
 * (iommu_paging_domain_alloc() + iommu_attach_device(), as VFIO does) with
 * a fault handler installed, and only these IOVAs are mapped:
 *
 *   IOVA_RW  one page, read/write      IOVA_RO  one page, read-only
 *   IOVA_WO  one page, write-only
 *
 * edu then writes to an unmapped IOVA, to the read-only page and to the
 * physical address of a kernel page, and reads from the physical address
 * of a kernel page and from the write-only page.  Every access must be
 * blocked: the target memory and all the test pages are compared byte for
 * byte with copies taken before, data read by edu is checked not to be
 * the target's, and the
 * domain's fault handler must see the IOVA and direction.  Reads through
 * the read-only page and round trips through the read/write page must keep
 * working.  Results are TAP lines in
 * /sys/kernel/debug/xrmu_rogue/<pci-address>/results; "expect" lists the
 * faults (address, access, reason code) the IOMMU should have recorded.
 *
 * Writing N to ".../storm" makes edu send N MSIs whose address is an
 * unmapped IOVA (MSI capability programmed by hand), i.e. N DMA write
 * faults, in bursts of STORM_BURST with a short sleep in between: under
 * TCG every MMIO write holds QEMU's big lock, and an unpaced loop of them
 * starves the other vCPUs and QEMU's main loop, which would measure the
 * emulator rather than the guest.  Reading it shows the number sent and
 * the time taken.  Writing N to ".../burst" sends N such MSIs at once with
 * interrupts off on the writing CPU: if the IOMMU's fault interrupt is
 * handled on that CPU, its fault queue must overflow.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/seq_buf.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "xrmu_edu.h"

#define IOVA_RW			0x100000UL
#define IOVA_RO			0x200000UL
#define IOVA_WO			0x280000UL
#define IOVA_UNMAPPED		0x300000UL
#define IOVA_LIMIT		0x400000UL	/* kernel pages must be above */

/* Fault reason codes of Documentation/xrmu/fault-queue.rst */
#define XRMU_PT_NOT_PRESENT	0x10
#define XRMU_PT_READ		0x11
#define XRMU_PT_WRITE		0x12

#define ROGUE_MAX_EVENTS	64
#define STORM_BURST		32
#define STORM_PAUSE_US		200
#define ROGUE_NR_PAGES		4	/* rw, ro, wo, secret */

struct rogue_event {
	unsigned long iova;
	int flags;
};

struct rogue {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct iommu_domain *domain;
	struct page *rw, *ro, *wo, *secret;
	u8 *snap;	/* ROGUE_NR_PAGES pages */

	spinlock_t ev_lock;	/* ev, nev */
	struct rogue_event ev[ROGUE_MAX_EVENTS];
	unsigned int nev;

	struct dentry *dir;
	struct seq_buf sb;
	char *log;
	struct seq_buf esb;
	char *expect;
	unsigned int n;
	unsigned int failed;

	struct mutex storm_lock;	/* storm_* */
	u64 storm_sent;
	u64 storm_ns;
};

static struct dentry *rogue_dir;

static __printf(3, 4) void rogue_tap(struct rogue *r, bool ok,
				     const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->n++;
	if (!ok)
		r->failed++;
	seq_buf_printf(&r->sb, "%s %u - %s\n", ok ? "ok" : "not ok", r->n,
		       line);
	dev_info(&r->pdev->dev, "%s %u - %s\n", ok ? "ok" : "not ok", r->n,
		 line);
}

static int rogue_fault(struct iommu_domain *domain, struct device *dev,
		       unsigned long iova, int flags, void *token)
{
	struct rogue *r = token;
	unsigned long irqflags;

	spin_lock_irqsave(&r->ev_lock, irqflags);
	if (r->nev < ROGUE_MAX_EVENTS) {
		r->ev[r->nev].iova = iova;
		r->ev[r->nev].flags = flags;
	}
	r->nev++;
	spin_unlock_irqrestore(&r->ev_lock, irqflags);
	return 0;
}

static unsigned int rogue_nev(struct rogue *r)
{
	unsigned long irqflags;
	unsigned int n;

	spin_lock_irqsave(&r->ev_lock, irqflags);
	n = r->nev;
	spin_unlock_irqrestore(&r->ev_lock, irqflags);
	return n;
}

/* Wait (2 s at most) for the handler to see @iova/@flags after event @from. */
static bool rogue_wait_fault(struct rogue *r, unsigned int from,
			     unsigned long iova, int flags)
{
	unsigned long irqflags;
	unsigned int i, tries;
	bool seen = false;

	for (tries = 0; tries < 100 && !seen; tries++) {
		spin_lock_irqsave(&r->ev_lock, irqflags);
		for (i = from; i < min(r->nev, ROGUE_MAX_EVENTS); i++)
			if (r->ev[i].iova == iova && r->ev[i].flags == flags)
				seen = true;
		spin_unlock_irqrestore(&r->ev_lock, irqflags);
		if (!seen)
			msleep(20);
	}
	return seen;
}

static void rogue_expect(struct rogue *r, u64 addr, const char *acc,
			 unsigned int reason)
{
	seq_buf_printf(&r->esb, "0x%llx %s 0x%02x\n", addr, acc, reason);
}

/* RAM(rw) -> edu -> RAM(rw) through the module's domain. */
static void rogue_roundtrip(struct rogue *r, const char *when)
{
	u8 *p = page_address(r->rw);
	int ret;

	get_random_bytes(p, PAGE_SIZE);
	memcpy(r->snap, p, PAGE_SIZE);
	ret = xrmu_edu_dma(r->regs, IOVA_RW, EDU_BUF_ADDR, PAGE_SIZE, false);
	memset(p, 0, PAGE_SIZE);
	if (!ret)
		ret = xrmu_edu_dma(r->regs, EDU_BUF_ADDR, IOVA_RW, PAGE_SIZE,
				   true);
	rogue_tap(r, !ret && !memcmp(p, r->snap, PAGE_SIZE),
		  "%s: 4096 bytes RAM -> edu -> RAM through read/write IOVA 0x%lx",
		  when, IOVA_RW);
}

static void rogue_pages(struct rogue *r, struct page **pages)
{
	pages[0] = r->rw;
	pages[1] = r->ro;
	pages[2] = r->wo;
	pages[3] = r->secret;
}

/*
 * edu writes its buffer to @iova, which must be blocked: every test page
 * (among them the target, the memory a successful write would reach, if
 * there is one) is byte-for-byte unchanged.
 */
static void rogue_write(struct rogue *r, u64 iova, unsigned int reason,
			const char *what)
{
	struct page *pages[ROGUE_NR_PAGES];
	unsigned int from = rogue_nev(r), i;
	bool ok = true, seen;
	int ret;

	rogue_pages(r, pages);
	for (i = 0; i < ROGUE_NR_PAGES; i++)
		memcpy(r->snap + i * PAGE_SIZE, page_address(pages[i]),
		       PAGE_SIZE);
	ret = xrmu_edu_dma(r->regs, EDU_BUF_ADDR, iova, PAGE_SIZE, true);
	seen = rogue_wait_fault(r, from, iova, IOMMU_FAULT_WRITE);
	for (i = 0; i < ROGUE_NR_PAGES; i++)
		if (memcmp(r->snap + i * PAGE_SIZE, page_address(pages[i]),
			   PAGE_SIZE))
			ok = false;
	rogue_tap(r, !ret && ok && seen,
		  "DMA write to %s 0x%llx blocked: test pages %s, domain handler %s",
		  what, iova, ok ? "unchanged" : "CHANGED",
		  seen ? "saw the write fault" : "saw NO fault");
	rogue_expect(r, iova, "write", reason);
}

/*
 * edu reads from @iova into its buffer, which must be blocked: the buffer
 * (copied out through the read/write page) must not hold @target's bytes.
 */
static void rogue_read(struct rogue *r, u64 iova, const void *target,
		       unsigned int reason, const char *what)
{
	unsigned int from = rogue_nev(r);
	u8 *p = page_address(r->rw);
	bool leaked, seen;
	int ret;

	ret = xrmu_edu_dma(r->regs, iova, EDU_BUF_ADDR, PAGE_SIZE, false);
	seen = rogue_wait_fault(r, from, iova, IOMMU_FAULT_READ);
	memset(p, 0xa5, PAGE_SIZE);
	if (!ret)
		ret = xrmu_edu_dma(r->regs, EDU_BUF_ADDR, IOVA_RW, PAGE_SIZE,
				   true);
	leaked = !memcmp(p, target, PAGE_SIZE);
	rogue_tap(r, !ret && !leaked && seen,
		  "DMA read from %s 0x%llx blocked: data %s, domain handler %s",
		  what, iova, leaked ? "LEAKED" : "not leaked",
		  seen ? "saw the read fault" : "saw NO fault");
	rogue_expect(r, iova, "read", reason);
}

/* Reads through the read-only page are allowed. */
static void rogue_read_ro(struct rogue *r)
{
	u8 *p = page_address(r->rw);
	unsigned int from = rogue_nev(r);
	int ret;

	ret = xrmu_edu_dma(r->regs, IOVA_RO, EDU_BUF_ADDR, PAGE_SIZE, false);
	memset(p, 0, PAGE_SIZE);
	if (!ret)
		ret = xrmu_edu_dma(r->regs, EDU_BUF_ADDR, IOVA_RW, PAGE_SIZE,
				   true);
	rogue_tap(r, !ret && !memcmp(p, page_address(r->ro), PAGE_SIZE) &&
		  rogue_nev(r) == from,
		  "DMA read through read-only IOVA 0x%lx allowed, no fault",
		  IOVA_RO);
}

static void rogue_run(struct rogue *r)
{
	phys_addr_t secret = page_to_phys(r->secret);

	rogue_roundtrip(r, "before");
	rogue_write(r, IOVA_UNMAPPED, XRMU_PT_NOT_PRESENT, "unmapped IOVA");
	rogue_write(r, IOVA_RO, XRMU_PT_WRITE, "read-only IOVA");
	rogue_write(r, secret, XRMU_PT_NOT_PRESENT,
		    "kernel memory at physical address");
	rogue_read(r, secret, page_address(r->secret), XRMU_PT_NOT_PRESENT,
		   "kernel memory at physical address (unmapped IOVA)");
	rogue_read(r, IOVA_WO, page_address(r->wo), XRMU_PT_READ,
		   "write-only IOVA");
	rogue_read_ro(r);
	rogue_roundtrip(r, "after");
	rogue_tap(r, rogue_nev(r) == 5,
		  "domain fault handler called %u times (5 expected)",
		  rogue_nev(r));
}

/* ---- debugfs ---- */

static int results_show(struct seq_file *s, void *unused)
{
	struct rogue *r = s->private;

	seq_printf(s, "TAP version 13\n1..%u\n", r->n);
	seq_puts(s, r->log);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static int expect_show(struct seq_file *s, void *unused)
{
	struct rogue *r = s->private;

	seq_puts(s, r->expect);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(expect);

static int faults_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "%u\n", rogue_nev(s->private));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(faults);

/* Program edu's MSI capability by hand: address @addr, enabled or not. */
static int rogue_msi(struct rogue *r, u64 addr, bool enable)
{
	struct pci_dev *pdev = r->pdev;
	int pos = pdev->msi_cap;
	u16 ctl;

	if (!pos)
		return -ENODEV;
	pci_read_config_word(pdev, pos + PCI_MSI_FLAGS, &ctl);
	if (enable) {
		pci_write_config_dword(pdev, pos + PCI_MSI_ADDRESS_LO,
				       lower_32_bits(addr));
		if (ctl & PCI_MSI_FLAGS_64BIT) {
			pci_write_config_dword(pdev, pos + PCI_MSI_ADDRESS_HI,
					       upper_32_bits(addr));
			pci_write_config_word(pdev, pos + PCI_MSI_DATA_64,
					      0x4d53);
		} else {
			pci_write_config_word(pdev, pos + PCI_MSI_DATA_32,
					      0x4d53);
		}
		ctl = (ctl & ~PCI_MSI_FLAGS_QSIZE) | PCI_MSI_FLAGS_ENABLE;
	} else {
		ctl &= ~PCI_MSI_FLAGS_ENABLE;
	}
	pci_write_config_word(pdev, pos + PCI_MSI_FLAGS, ctl);
	return 0;
}

static ssize_t storm_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct rogue *r = file_inode(file)->i_private;
	u64 n, i;
	ktime_t t0;
	int ret;

	ret = kstrtou64_from_user(ubuf, len, 0, &n);
	if (ret)
		return ret;
	mutex_lock(&r->storm_lock);
	ret = rogue_msi(r, IOVA_UNMAPPED, true);
	if (ret)
		goto out;
	t0 = ktime_get();
	for (i = 0; i < n; i++) {
		writel(1, r->regs + EDU_REG_IRQ_RAISE);
		if (i % STORM_BURST == STORM_BURST - 1) {
			usleep_range(STORM_PAUSE_US, 2 * STORM_PAUSE_US);
			if (fatal_signal_pending(current))
				break;
		}
	}
	r->storm_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	r->storm_sent = i;
	rogue_msi(r, 0, false);
	writel(1, r->regs + EDU_REG_IRQ_ACK);
	ret = len;
out:
	mutex_unlock(&r->storm_lock);
	return ret;
}

static ssize_t burst_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct rogue *r = file_inode(file)->i_private;
	unsigned long flags;
	unsigned int n, i;
	int ret;

	ret = kstrtouint_from_user(ubuf, len, 0, &n);
	if (ret)
		return ret;
	if (n > 4096)
		return -EINVAL;
	mutex_lock(&r->storm_lock);
	ret = rogue_msi(r, IOVA_UNMAPPED, true);
	if (!ret) {
		local_irq_save(flags);
		for (i = 0; i < n; i++)
			writel(1, r->regs + EDU_REG_IRQ_RAISE);
		local_irq_restore(flags);
		rogue_msi(r, 0, false);
		writel(1, r->regs + EDU_REG_IRQ_ACK);
		ret = len;
	}
	mutex_unlock(&r->storm_lock);
	return ret;
}

static const struct file_operations burst_fops = {
	.owner = THIS_MODULE,
	.write = burst_write,
};

static int storm_show(struct seq_file *s, void *unused)
{
	struct rogue *r = s->private;

	mutex_lock(&r->storm_lock);
	seq_printf(s, "%llu %llu\n", r->storm_sent, r->storm_ns);
	mutex_unlock(&r->storm_lock);
	return 0;
}

static int storm_open(struct inode *inode, struct file *file)
{
	return single_open(file, storm_show, inode->i_private);
}

static const struct file_operations storm_fops = {
	.owner = THIS_MODULE,
	.open = storm_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = storm_write,
	.release = single_release,
};

/* ---- probe ---- */

static void rogue_free_pages(struct rogue *r)
{
	struct page *pages[ROGUE_NR_PAGES];
	unsigned int i;

	rogue_pages(r, pages);
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		if (pages[i])
			__free_page(pages[i]);
	kfree(r->snap);
}

/*
 * A page of random bytes.  Its physical address must not be one of the
 * test IOVAs; GFP_KERNEL pages come from above ZONE_DMA, so this only
 * fails on an unusual memory layout.
 */
static struct page *rogue_page(void)
{
	struct page *p = alloc_page(GFP_KERNEL);

	if (p && page_to_phys(p) < IOVA_LIMIT) {
		__free_page(p);
		p = NULL;
	}
	if (p)
		get_random_bytes(page_address(p), PAGE_SIZE);
	return p;
}

static int rogue_map(struct rogue *r)
{
	int ret;

	ret = iommu_map(r->domain, IOVA_RW, page_to_phys(r->rw), PAGE_SIZE,
			IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
	if (!ret)
		ret = iommu_map(r->domain, IOVA_RO, page_to_phys(r->ro),
				PAGE_SIZE, IOMMU_READ, GFP_KERNEL);
	if (!ret)
		ret = iommu_map(r->domain, IOVA_WO, page_to_phys(r->wo),
				PAGE_SIZE, IOMMU_WRITE, GFP_KERNEL);
	return ret;
}

static void rogue_unmap(struct rogue *r)
{
	iommu_unmap(r->domain, IOVA_RW, PAGE_SIZE);
	iommu_unmap(r->domain, IOVA_RO, PAGE_SIZE);
	iommu_unmap(r->domain, IOVA_WO, PAGE_SIZE);
}

static int rogue_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct rogue *r;
	int ret;

	r = devm_kzalloc(dev, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->pdev = pdev;
	spin_lock_init(&r->ev_lock);
	mutex_init(&r->storm_lock);
	r->log = devm_kzalloc(dev, PAGE_SIZE, GFP_KERNEL);
	r->expect = devm_kzalloc(dev, PAGE_SIZE, GFP_KERNEL);
	if (!r->log || !r->expect)
		return -ENOMEM;
	seq_buf_init(&r->sb, r->log, PAGE_SIZE);
	seq_buf_init(&r->esb, r->expect, PAGE_SIZE);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	r->regs = pcim_iomap_region(pdev, 0, "xrmu_rogue");
	if (IS_ERR(r->regs))
		return PTR_ERR(r->regs);

	r->rw = rogue_page();
	r->ro = rogue_page();
	r->wo = rogue_page();
	r->secret = rogue_page();
	r->snap = kmalloc_array(ROGUE_NR_PAGES, PAGE_SIZE, GFP_KERNEL);
	if (!r->rw || !r->ro || !r->wo || !r->secret || !r->snap) {
		ret = -ENOMEM;
		goto err_pages;
	}

	r->domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(r->domain)) {
		ret = PTR_ERR(r->domain);
		goto err_pages;
	}
	iommu_set_fault_handler(r->domain, rogue_fault, r);
	ret = rogue_map(r);
	if (ret)
		goto err_domain;
	ret = iommu_attach_device(r->domain, dev);
	if (ret)
		goto err_unmap;
	pci_set_master(pdev);

	dev_info(dev, "rogue DMA tests: secret page at 0x%llx\n",
		 (u64)page_to_phys(r->secret));
	rogue_run(r);
	dev_info(dev, "%u tests, %u failed\n", r->n, r->failed);

	pci_set_drvdata(pdev, r);
	r->dir = debugfs_create_dir(pci_name(pdev), rogue_dir);
	debugfs_create_file("results", 0444, r->dir, r, &results_fops);
	debugfs_create_file("expect", 0444, r->dir, r, &expect_fops);
	debugfs_create_file("faults", 0444, r->dir, r, &faults_fops);
	debugfs_create_file("storm", 0600, r->dir, r, &storm_fops);
	debugfs_create_file("burst", 0200, r->dir, r, &burst_fops);
	return 0;

err_unmap:
	rogue_unmap(r);
err_domain:
	iommu_domain_free(r->domain);
err_pages:
	rogue_free_pages(r);
	return ret;
}

static void rogue_remove(struct pci_dev *pdev)
{
	struct rogue *r = pci_get_drvdata(pdev);

	debugfs_remove_recursive(r->dir);
	rogue_msi(r, 0, false);
	pci_clear_master(pdev);
	iommu_detach_device(r->domain, &pdev->dev);
	rogue_unmap(r);
	iommu_domain_free(r->domain);
	rogue_free_pages(r);
}

static const struct pci_device_id rogue_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, rogue_ids);

static struct pci_driver rogue_driver = {
	.name = "xrmu_rogue",
	.id_table = rogue_ids,
	.probe = rogue_probe,
	.remove = rogue_remove,
};

static int __init rogue_init(void)
{
	rogue_dir = debugfs_create_dir("xrmu_rogue", NULL);
	return pci_register_driver(&rogue_driver);
}
module_init(rogue_init);

static void __exit rogue_exit(void)
{
	pci_unregister_driver(&rogue_driver);
	debugfs_remove_recursive(rogue_dir);
}
module_exit(rogue_exit);

MODULE_DESCRIPTION("Rogue DMA tests for an IOMMU with QEMU's edu device");
MODULE_LICENSE("GPL");
