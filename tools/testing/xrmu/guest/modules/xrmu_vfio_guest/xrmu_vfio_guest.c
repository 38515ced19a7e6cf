// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu_vfio_guest: edu test driver for the nested guest of the xrmu VFIO
 * passthrough test.  The edu it binds to is a host edu behind xrmu, given
 * to this guest with -device vfio-pci: its DMA goes through the host's
 * xrmu with the VMM's mappings and its MSI through VFIO's interrupt path.
 *
 * On probe it enables one MSI vector and runs @rounds transfers, each a
 * dma_alloc_coherent() buffer filled with a pattern, copied into edu's
 * buffer and back into a second buffer, every DMA with edu's completion
 * interrupt requested.  It waits for each interrupt (not for the command
 * register), compares every byte and prints one summary line:
 *   xrmu_vfio_guest <bdf>: result rounds N bytes-ok N irqs N timeouts N
 */

#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "xrmu_edu.h"

/* Interrupt status bit edu sets when a DMA with EDU_CMD_IRQ completes. */
#define EDU_IRQ_DMA		BIT(8)

static unsigned int rounds = 4;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "number of round trips (default 4)");

struct vg {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct completion done;
	atomic_t irqs;
};

static irqreturn_t vg_irq(int irq, void *data)
{
	struct vg *v = data;
	u32 st = readl(v->regs + EDU_REG_IRQ_STATUS);

	if (!st)
		return IRQ_NONE;
	writel(st, v->regs + EDU_REG_IRQ_ACK);
	if (st & EDU_IRQ_DMA) {
		atomic_inc(&v->irqs);
		complete(&v->done);
	}
	return IRQ_HANDLED;
}

/* One DMA; 0 once its completion interrupt arrived, -ETIMEDOUT if not. */
static int vg_dma(struct vg *v, dma_addr_t src, dma_addr_t dst, u32 len,
		  bool to_ram)
{
	reinit_completion(&v->done);
	writeq(src, v->regs + EDU_REG_DMA_SRC);
	writeq(dst, v->regs + EDU_REG_DMA_DST);
	writeq(len, v->regs + EDU_REG_DMA_COUNT);
	writeq(EDU_CMD_START | EDU_CMD_IRQ | (to_ram ? EDU_CMD_TO_RAM : 0),
	       v->regs + EDU_REG_DMA_CMD);
	if (!wait_for_completion_timeout(&v->done, 30 * HZ))
		return -ETIMEDOUT;
	return 0;
}

static int vg_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	unsigned int i, j, ok = 0, timeouts = 0;
	struct device *dev = &pdev->dev;
	dma_addr_t a_dma, b_dma;
	struct vg *v;
	u8 *a, *b;
	int ret;

	v = devm_kzalloc(dev, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	v->pdev = pdev;
	init_completion(&v->done);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	v->regs = pcim_iomap_region(pdev, 0, "xrmu_vfio_guest");
	if (IS_ERR(v->regs))
		return PTR_ERR(v->regs);
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;
	ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), vg_irq, 0,
			       "xrmu_vfio_guest", v);
	if (ret)
		goto free_vectors;
	a = dma_alloc_coherent(dev, EDU_BUF_SIZE, &a_dma, GFP_KERNEL);
	b = dma_alloc_coherent(dev, EDU_BUF_SIZE, &b_dma, GFP_KERNEL);
	if (!a || !b) {
		ret = -ENOMEM;
		goto free_bufs;
	}
	dev_info(dev, "edu id %#x, MSI irq %d, buffers at %pad and %pad\n",
		 readl(v->regs + EDU_REG_ID), pci_irq_vector(pdev, 0), &a_dma,
		 &b_dma);
	for (i = 0; i < rounds; i++) {
		bool same;

		for (j = 0; j < EDU_BUF_SIZE; j++)
			a[j] = (u8)(i * 37 + j * 11 + (j >> 8));
		memset(b, 0xa5, EDU_BUF_SIZE);
		if (vg_dma(v, a_dma, EDU_BUF_ADDR, EDU_BUF_SIZE, false) ||
		    vg_dma(v, EDU_BUF_ADDR, b_dma, EDU_BUF_SIZE, true)) {
			timeouts++;
			continue;
		}
		same = !memcmp(a, b, EDU_BUF_SIZE);
		ok += same;
		dev_info(dev, "round %u: %s\n", i, same ? "bytes match" :
			 "BYTES DIFFER");
	}
	dev_info(dev, "result rounds %u bytes-ok %u irqs %d timeouts %u\n",
		 rounds, ok, atomic_read(&v->irqs), timeouts);
	ret = 0;
free_bufs:
	if (b)
		dma_free_coherent(dev, EDU_BUF_SIZE, b, b_dma);
	if (a)
		dma_free_coherent(dev, EDU_BUF_SIZE, a, a_dma);
	devm_free_irq(dev, pci_irq_vector(pdev, 0), v);
free_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

static const struct pci_device_id vg_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vg_ids);

static struct pci_driver vg_driver = {
	.name = "xrmu_vfio_guest",
	.id_table = vg_ids,
	.probe = vg_probe,
};
module_pci_driver(vg_driver);

MODULE_DESCRIPTION("edu DMA and MSI test for a guest with a VFIO-assigned edu");
MODULE_LICENSE("GPL");
