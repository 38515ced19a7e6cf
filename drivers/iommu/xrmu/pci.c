// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu I/O remapping unit: PCI glue.
 *
 * Maps BAR0, allocates the two MSI-X vectors (0: fault queue, 1: command
 * queue) and hands the unit to the bus-agnostic core.
 */

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "xrmu.h"

#define XRMU_PCI_VENDOR		0x1af4
#define XRMU_PCI_DEVICE		0x10f0
#define XRMU_MSIX_VECTORS	2

static int xrmu_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct xrmu_unit *unit;
	int ret;

	unit = devm_kzalloc(&pdev->dev, sizeof(*unit), GFP_KERNEL);
	if (!unit)
		return -ENOMEM;
	unit->dev = &pdev->dev;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	unit->regs = pcim_iomap_region(pdev, 0, "xrmu");
	if (IS_ERR(unit->regs))
		return dev_err_probe(&pdev->dev, PTR_ERR(unit->regs),
				     "cannot map BAR0\n");
	pci_set_master(pdev);

	ret = pci_alloc_irq_vectors(pdev, XRMU_MSIX_VECTORS, XRMU_MSIX_VECTORS,
				    PCI_IRQ_MSIX);
	if (ret < 0)
		return dev_err_probe(&pdev->dev, ret, "cannot allocate MSI-X\n");
	unit->irq_fault = pci_irq_vector(pdev, 0);
	unit->irq_cmd = pci_irq_vector(pdev, 1);

	/* The vectors are device-managed (pcim): freed on detach. */
	ret = xrmu_core_probe(unit);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, unit);
	return 0;
}

static void xrmu_pci_remove(struct pci_dev *pdev)
{
	xrmu_core_remove(pci_get_drvdata(pdev));
}

static void xrmu_pci_shutdown(struct pci_dev *pdev)
{
	xrmu_core_shutdown(pci_get_drvdata(pdev));
}

static const struct pci_device_id xrmu_pci_ids[] = {
	{ PCI_DEVICE(XRMU_PCI_VENDOR, XRMU_PCI_DEVICE),
	  .class = XRMU_PCI_CLASS_IOMMU << 8, .class_mask = 0xffffff },
	{ }
};
MODULE_DEVICE_TABLE(pci, xrmu_pci_ids);

static struct pci_driver xrmu_pci_driver = {
	.name = "xrmu",
	.id_table = xrmu_pci_ids,
	.probe = xrmu_pci_probe,
	.remove = xrmu_pci_remove,
	.shutdown = xrmu_pci_shutdown,
	.driver.pm = pm_sleep_ptr(&xrmu_pm_ops),
	/* Unbinding a unit under live DMA is not supported: see core.c. */
	.driver.suppress_bind_attrs = true,
};

/**
 * xrmu_pci_register() - register the PCI glue
 *
 * Return: 0 or the error of pci_register_driver().
 */
int xrmu_pci_register(void)
{
	return pci_register_driver(&xrmu_pci_driver);
}

/**
 * xrmu_pci_unregister() - unregister the PCI glue
 */
void xrmu_pci_unregister(void)
{
	pci_unregister_driver(&xrmu_pci_driver);
}
