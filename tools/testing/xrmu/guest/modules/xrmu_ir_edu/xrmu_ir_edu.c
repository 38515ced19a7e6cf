// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu_ir_edu: interrupt test driver for QEMU's edu device (1234:11e8).
 *
 * It binds edu, allocates its single MSI vector and counts the interrupts
 * it receives, so that a guest test can check interrupt delivery through
 * the xrmu interrupt remapping unit.  It can also make edu send an
 * arbitrary 32-bit write (a forged MSI) by DMA: the value is copied into
 * edu's buffer, then DMA-written to any bus address, bypassing the DMA API
 * on purpose (this is what a malicious or broken device does).
 *
 * debugfs, /sys/kernel/debug/xrmu_ir_edu/:
 *   irq    (read) the Linux interrupt number
 *   count  (read) interrupts handled so far
 *   raise  (write N) have edu raise N interrupts, one at a time, each
 *          waited for (-ETIMEDOUT if one does not arrive within 2 s)
 *   forge  (write "ADDR DATA", hex or decimal) have edu DMA-write the
 *          32-bit little-endian DATA to bus address ADDR
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "xrmu_edu.h"

#define EDU_IRQ_TIMEOUT_US	(2 * USEC_PER_SEC)
#define EDU_RAISE_MAX		1000

struct edu_ir {
	struct pci_dev *pdev;
	void __iomem *regs;
	int irq;
	atomic_t count;
	struct mutex lock;	/* one raise or forge at a time */
	struct dentry *dir;
};

static irqreturn_t edu_ir_handler(int irq, void *arg)
{
	struct edu_ir *t = arg;
	u32 status = readl(t->regs + EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	writel(status, t->regs + EDU_REG_IRQ_ACK);
	atomic_inc(&t->count);
	return IRQ_HANDLED;
}

static int edu_ir_raise(struct edu_ir *t, unsigned int n)
{
	unsigned int i;
	int ret = 0, seen;

	for (i = 0; i < n && !ret; i++) {
		int before = atomic_read(&t->count);

		writel(1, t->regs + EDU_REG_IRQ_RAISE);
		ret = read_poll_timeout(atomic_read, seen, seen != before,
					100, EDU_IRQ_TIMEOUT_US, false,
					&t->count);
	}
	return ret;
}

/* Copy @data into edu's buffer (DMA API), then DMA it raw to @addr. */
static int edu_ir_forge(struct edu_ir *t, u64 addr, u32 data)
{
	struct device *dev = &t->pdev->dev;
	dma_addr_t buf_dma;
	__le32 *buf;
	int ret;

	buf = kmalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	*buf = cpu_to_le32(data);
	buf_dma = dma_map_single(dev, buf, sizeof(*buf), DMA_TO_DEVICE);
	if (dma_mapping_error(dev, buf_dma)) {
		kfree(buf);
		return -ENOMEM;
	}
	ret = xrmu_edu_dma(t->regs, buf_dma, EDU_BUF_ADDR, sizeof(*buf), false);
	dma_unmap_single(dev, buf_dma, sizeof(*buf), DMA_TO_DEVICE);
	kfree(buf);
	if (ret)
		return ret;
	return xrmu_edu_dma(t->regs, EDU_BUF_ADDR, addr, sizeof(u32), true);
}

static int edu_ir_irq_get(void *data, u64 *val)
{
	struct edu_ir *t = data;

	*val = t->irq;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edu_ir_irq_fops, edu_ir_irq_get, NULL, "%llu\n");

static int edu_ir_count_get(void *data, u64 *val)
{
	struct edu_ir *t = data;

	*val = atomic_read(&t->count);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edu_ir_count_fops, edu_ir_count_get, NULL,
			 "%llu\n");

static int edu_ir_raise_set(void *data, u64 val)
{
	struct edu_ir *t = data;
	int ret;

	if (!val || val > EDU_RAISE_MAX)
		return -EINVAL;
	mutex_lock(&t->lock);
	ret = edu_ir_raise(t, val);
	mutex_unlock(&t->lock);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(edu_ir_raise_fops, NULL, edu_ir_raise_set,
			 "%llu\n");

static ssize_t edu_ir_forge_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct edu_ir *t = file->private_data;
	char kbuf[64], *p, *tok;
	u64 addr;
	u32 data;
	int ret;

	if (len >= sizeof(kbuf))
		return -EINVAL;
	if (copy_from_user(kbuf, ubuf, len))
		return -EFAULT;
	kbuf[len] = '\0';
	p = strim(kbuf);
	tok = strsep(&p, " \t");
	if (!tok || !p || kstrtou64(tok, 0, &addr) ||
	    kstrtou32(strim(p), 0, &data))
		return -EINVAL;

	mutex_lock(&t->lock);
	ret = edu_ir_forge(t, addr, data);
	mutex_unlock(&t->lock);
	dev_info(&t->pdev->dev, "forged write 0x%08x to 0x%llx: %d\n", data,
		 addr, ret);
	return ret ? ret : len;
}

static const struct file_operations edu_ir_forge_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = edu_ir_forge_write,
	.llseek = noop_llseek,
};

static struct dentry *edu_ir_root;

static int edu_ir_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct edu_ir *t;
	int ret;

	t = devm_kzalloc(dev, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->pdev = pdev;
	atomic_set(&t->count, 0);
	ret = devm_mutex_init(dev, &t->lock);
	if (ret)
		return ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	t->regs = pcim_iomap_region(pdev, 0, "xrmu_ir_edu");
	if (IS_ERR(t->regs))
		return PTR_ERR(t->regs);
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;
	t->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(t->irq, edu_ir_handler, 0, "xrmu_ir_edu", t);
	if (ret) {
		pci_free_irq_vectors(pdev);
		return ret;
	}

	t->dir = debugfs_create_dir(pci_name(pdev), edu_ir_root);
	debugfs_create_file_unsafe("irq", 0444, t->dir, t, &edu_ir_irq_fops);
	debugfs_create_file_unsafe("count", 0444, t->dir, t, &edu_ir_count_fops);
	debugfs_create_file_unsafe("raise", 0200, t->dir, t, &edu_ir_raise_fops);
	debugfs_create_file("forge", 0200, t->dir, t, &edu_ir_forge_fops);
	pci_set_drvdata(pdev, t);
	dev_info(dev, "MSI on irq %d\n", t->irq);
	return 0;
}

static void edu_ir_remove(struct pci_dev *pdev)
{
	struct edu_ir *t = pci_get_drvdata(pdev);

	debugfs_remove_recursive(t->dir);
	free_irq(t->irq, t);
	pci_free_irq_vectors(pdev);
}

static const struct pci_device_id edu_ir_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ir_ids);

static struct pci_driver edu_ir_driver = {
	.name = "xrmu_ir_edu",
	.id_table = edu_ir_ids,
	.probe = edu_ir_probe,
	.remove = edu_ir_remove,
};

static int __init edu_ir_init(void)
{
	int ret;

	edu_ir_root = debugfs_create_dir("xrmu_ir_edu", NULL);
	ret = pci_register_driver(&edu_ir_driver);
	if (ret)
		debugfs_remove_recursive(edu_ir_root);
	return ret;
}
module_init(edu_ir_init);

static void __exit edu_ir_exit(void)
{
	pci_unregister_driver(&edu_ir_driver);
	debugfs_remove_recursive(edu_ir_root);
}
module_exit(edu_ir_exit);

MODULE_DESCRIPTION("Interrupt test driver for the QEMU edu device (xrmu IR tests)");
MODULE_LICENSE("GPL");
