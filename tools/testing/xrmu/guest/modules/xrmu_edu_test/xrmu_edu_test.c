// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu_edu_test: DMA API test driver for QEMU's edu device (1234:11e8).
 *
 * On probe it maps buffers with dma_map_single(), has the edu device copy
 * them into its 4 KiB internal buffer and back into other mapped buffers
 * (both DMA directions), and checks every byte.  With fault_test=1 it
 * also has edu write to an IOVA that was just unmapped, which a strict DMA
 * domain must block.  Results are TAP lines in
 * /sys/kernel/debug/xrmu_edu_test/<pci-address> (and in the kernel log).
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/seq_buf.h>
#include <linux/slab.h>

#include "xrmu_edu.h"

static unsigned int dma_bits = 64;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA mask width; must match edu's dma_mask property (default 64)");

static bool fault_test;
module_param(fault_test, bool, 0444);
MODULE_PARM_DESC(fault_test, "also DMA to an unmapped IOVA (strict DMA domains only)");

static unsigned int rounds = 4;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "number of random transfer rounds (default 4)");

struct edu_test {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct dentry *file;
	struct seq_buf sb;
	char *log;
	unsigned int n;
	unsigned int failed;
};

static struct dentry *edu_dir;

static __printf(3, 4) void edu_tap(struct edu_test *t, bool ok,
				   const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->n++;
	if (!ok)
		t->failed++;
	seq_buf_printf(&t->sb, "%s %u - %s\n", ok ? "ok" : "not ok", t->n,
		       line);
	dev_info(&t->pdev->dev, "%s %u - %s\n", ok ? "ok" : "not ok", t->n,
		 line);
}

/*
 * Copy @len bytes from a fresh random buffer at offset @off into the edu
 * buffer and back into a second buffer at offset @off2; compare.
 */
static void edu_roundtrip(struct edu_test *t, size_t off, size_t off2,
			  u32 len)
{
	struct device *dev = &t->pdev->dev;
	size_t alloc = max(off, off2) + len;
	dma_addr_t a_dma, b_dma;
	u8 *a, *b;
	bool ok = false;
	int ret;

	a = kmalloc(alloc, GFP_KERNEL);
	b = kmalloc(alloc, GFP_KERNEL);
	if (!a || !b)
		goto out_free;
	get_random_bytes(a, alloc);
	memset(b, 0x5a, alloc);

	a_dma = dma_map_single(dev, a + off, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, a_dma))
		goto out_free;
	ret = xrmu_edu_dma(t->regs, a_dma, EDU_BUF_ADDR, len, false);
	dma_unmap_single(dev, a_dma, len, DMA_TO_DEVICE);
	if (ret)
		goto out_free;

	b_dma = dma_map_single(dev, b + off2, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, b_dma))
		goto out_free;
	ret = xrmu_edu_dma(t->regs, EDU_BUF_ADDR, b_dma, len, true);
	dma_unmap_single(dev, b_dma, len, DMA_FROM_DEVICE);
	if (ret)
		goto out_free;

	ok = !memcmp(a + off, b + off2, len);
	/* bytes around the target are untouched */
	if (ok && off2 && b[off2 - 1] != 0x5a)
		ok = false;
	if (ok && off2 + len < alloc && b[off2 + len] != 0x5a)
		ok = false;
	edu_tap(t, ok, "%u bytes RAM@+%zu -> edu -> RAM@+%zu (iova %pad / %pad)",
		len, off, off2, &a_dma, &b_dma);
	kfree(a);
	kfree(b);
	return;

out_free:
	edu_tap(t, false, "%u bytes RAM@+%zu -> edu -> RAM@+%zu: setup or DMA timeout",
		len, off, off2);
	kfree(a);
	kfree(b);
}

/*
 * In a strict DMA domain an unmapped IOVA is invalidated before
 * dma_unmap_single() returns: a device write to it must not reach memory.
 */
static void edu_stale_write(struct edu_test *t)
{
	struct device *dev = &t->pdev->dev;
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	dma_addr_t b_dma;
	unsigned int i;
	bool ok = true;
	u8 *b;

	if (!dom || dom->type != IOMMU_DOMAIN_DMA) {
		edu_tap(t, true, "DMA to an unmapped IOVA # SKIP not a strict DMA domain");
		return;
	}
	b = kmalloc(EDU_BUF_SIZE, GFP_KERNEL);
	if (!b) {
		edu_tap(t, false, "DMA to an unmapped IOVA: no memory");
		return;
	}
	memset(b, 0x5a, EDU_BUF_SIZE);
	b_dma = dma_map_single(dev, b, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, b_dma)) {
		kfree(b);
		edu_tap(t, false, "DMA to an unmapped IOVA: map failed");
		return;
	}
	dma_unmap_single(dev, b_dma, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	if (xrmu_edu_dma(t->regs, EDU_BUF_ADDR, b_dma, EDU_BUF_SIZE, true))
		ok = false;
	for (i = 0; i < EDU_BUF_SIZE; i++)
		if (b[i] != 0x5a)
			ok = false;
	edu_tap(t, ok, "DMA to an unmapped IOVA %pad did not reach memory",
		&b_dma);
	kfree(b);
}

static int edu_show(struct seq_file *s, void *unused)
{
	struct edu_test *t = s->private;

	seq_printf(s, "TAP version 13\n1..%u\n", t->n);
	seq_puts(s, t->log);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edu);

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_test *t;
	unsigned int i;
	int ret;

	t = devm_kzalloc(&pdev->dev, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->pdev = pdev;
	t->log = devm_kzalloc(&pdev->dev, PAGE_SIZE * 4, GFP_KERNEL);
	if (!t->log)
		return -ENOMEM;
	seq_buf_init(&t->sb, t->log, PAGE_SIZE * 4);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	t->regs = pcim_iomap_region(pdev, 0, "xrmu_edu_test");
	if (IS_ERR(t->regs))
		return PTR_ERR(t->regs);
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		return ret;

	dev_info(&pdev->dev, "iommu group %d\n",
		 pdev->dev.iommu_group ? iommu_group_id(pdev->dev.iommu_group) :
		 -1);
	edu_roundtrip(t, 0, 0, EDU_BUF_SIZE);
	edu_roundtrip(t, 0, 0, 1);
	edu_roundtrip(t, 100, 3000, 2000);	/* crosses a page on return */
	edu_roundtrip(t, 4000, 5, 4096);	/* crosses a page going out */
	for (i = 0; i < rounds; i++) {
		u32 len = 1 + get_random_u32_below(EDU_BUF_SIZE);

		edu_roundtrip(t, get_random_u32_below(PAGE_SIZE * 2),
			      get_random_u32_below(PAGE_SIZE * 2), len);
	}
	if (fault_test)
		edu_stale_write(t);
	dev_info(&pdev->dev, "%u tests, %u failed\n", t->n, t->failed);

	pci_set_drvdata(pdev, t);
	t->file = debugfs_create_file(pci_name(pdev), 0444, edu_dir, t,
				      &edu_fops);
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu_test *t = pci_get_drvdata(pdev);

	debugfs_remove(t->file);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "xrmu_edu_test",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

static int __init edu_init(void)
{
	edu_dir = debugfs_create_dir("xrmu_edu_test", NULL);
	return pci_register_driver(&edu_driver);
}
module_init(edu_init);

static void __exit edu_exit(void)
{
	pci_unregister_driver(&edu_driver);
	debugfs_remove_recursive(edu_dir);
}
module_exit(edu_exit);

MODULE_DESCRIPTION("DMA API test driver for the QEMU edu device");
MODULE_LICENSE("GPL");
