// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu I/O remapping unit: platform glue for the memory-mapped variant
 * (Documentation/xrmu/identity.rst, "Memory-mapped (platform) variant").
 *
 * Firmware describes the unit: an ACPI device XRMU0001 whose _CRS holds
 * the 4 KiB register block, then the fault and the command interrupt.
 * Which requesters it covers is the unit's own RIDRANGE register, read by
 * the core as for the PCI function.  Maps the registers, looks up the two
 * interrupts and hands the unit to the bus-agnostic core.
 */

#include <linux/mod_devicetable.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "xrmu.h"

static int xrmu_platform_probe(struct platform_device *pdev)
{
	struct xrmu_unit *unit;
	int ret;

	unit = devm_kzalloc(&pdev->dev, sizeof(*unit), GFP_KERNEL);
	if (!unit)
		return -ENOMEM;
	unit->dev = &pdev->dev;

	unit->regs = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(unit->regs))
		return dev_err_probe(&pdev->dev, PTR_ERR(unit->regs),
				     "cannot map the register block\n");
	/* platform_get_irq() says which one is missing. */
	unit->irq_fault = platform_get_irq(pdev, 0);
	if (unit->irq_fault < 0)
		return unit->irq_fault;
	unit->irq_cmd = platform_get_irq(pdev, 1);
	if (unit->irq_cmd < 0)
		return unit->irq_cmd;

	ret = xrmu_core_probe(unit);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, unit);
	return 0;
}

static void xrmu_platform_remove(struct platform_device *pdev)
{
	xrmu_core_remove(platform_get_drvdata(pdev));
}

static void xrmu_platform_shutdown(struct platform_device *pdev)
{
	xrmu_core_shutdown(platform_get_drvdata(pdev));
}

static const struct acpi_device_id xrmu_acpi_ids[] = {
	{ "XRMU0001" },
	{ }
};
MODULE_DEVICE_TABLE(acpi, xrmu_acpi_ids);

static struct platform_driver xrmu_platform_driver = {
	.probe = xrmu_platform_probe,
	.remove = xrmu_platform_remove,
	.shutdown = xrmu_platform_shutdown,
	.driver = {
		.name = "xrmu-sys",
		.acpi_match_table = xrmu_acpi_ids,
		.pm = pm_sleep_ptr(&xrmu_pm_ops),
		/* Unbinding a unit under live DMA is not supported: core.c. */
		.suppress_bind_attrs = true,
	},
};

/**
 * xrmu_platform_register() - register the platform glue
 *
 * Return: 0 or the error of platform_driver_register().
 */
int xrmu_platform_register(void)
{
	return platform_driver_register(&xrmu_platform_driver);
}

/**
 * xrmu_platform_unregister() - unregister the platform glue
 */
void xrmu_platform_unregister(void)
{
	platform_driver_unregister(&xrmu_platform_driver);
}
