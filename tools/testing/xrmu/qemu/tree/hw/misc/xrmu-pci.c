/*
 * xrmu: I/O remapping unit (IOMMU) as a PCI function (-device xrmu-pci)
 *
 * A thin wrapper around the bus-independent core (xrmu.c): the PCI
 * identity, BAR0 holding the registers and the MSI-X table, the unit's
 * DMA through its bus-master address space, and the IOMMU hookup on its
 * root bus.  Every property of the core is a property of xrmu-pci.
 *
 * Copyright (c) 2026 The xrmu authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "xrmu-bits.h"
#include "xrmu.h"

#define TYPE_XRMU_PCI "xrmu-pci"
OBJECT_DECLARE_SIMPLE_TYPE(XrmuPciState, XRMU_PCI)

struct XrmuPciState {
    PCIDevice parent_obj;

    MemoryRegion bar0;
    /* over the MSI-X table and PBA while the unit is gone (UNIT_GONE) */
    MemoryRegion gone;
    XrmuState *core;
};

static void xrmu_pci_notify(void *host, unsigned vector)
{
    PCIDevice *pdev = host;

    if (msix_enabled(pdev)) {
        msix_notify(pdev, vector);
    }
}

static bool xrmu_pci_bus_master(void *host)
{
    PCIDevice *pdev = host;

    return pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

static uint16_t xrmu_pci_requester_id(void *host)
{
    return pci_requester_id(host);
}

static void xrmu_pci_gone(void *host)
{
    XrmuPciState *s = XRMU_PCI(host);

    memory_region_set_enabled(&s->gone, true);
}

static const XrmuHostOps xrmu_pci_host_ops = {
    .notify = xrmu_pci_notify,
    .bus_master = xrmu_pci_bus_master,
    .requester_id = xrmu_pci_requester_id,
    .gone = xrmu_pci_gone,
};

/*
 * A unit that stopped responding (DBG_INJECT.UNIT_GONE): reads of the
 * MSI-X table and PBA complete with all ones, writes are dropped, like
 * the core's register block.  Config space keeps working.
 */
static uint64_t xrmu_pci_gone_read(void *opaque, hwaddr addr, unsigned size)
{
    return MAKE_64BIT_MASK(0, size * 8);
}

static void xrmu_pci_gone_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
}

static const MemoryRegionOps xrmu_pci_gone_ops = {
    .read = xrmu_pci_gone_read,
    .write = xrmu_pci_gone_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static void xrmu_pci_realize(PCIDevice *pdev, Error **errp)
{
    XrmuPciState *s = XRMU_PCI(pdev);
    PCIBus *root = pci_device_root_bus(pdev);
    uint8_t *conf = pdev->config;

    /*
     * The unit serves the whole hierarchy of its root bus: pcie.0, or a
     * pxb-pcie root bus (which only takes bridges, so there the unit sits
     * behind a root port of that bus).
     */
    if (root->iommu_ops) {
        error_setg(errp, "xrmu: root bus %s already has an IOMMU",
                   root->qbus.name);
        return;
    }
    xrmu_core_attach(s->core, &xrmu_pci_host_ops, pdev,
                     pci_get_address_space(pdev), pci_get_bus(pdev),
                     pdev->devfn);
    if (!qdev_realize(DEVICE(s->core), NULL, errp)) {
        return;
    }

    pci_config_set_revision(conf, XRMU_REVISION);
    pci_set_word(conf + PCI_SUBSYSTEM_VENDOR_ID, XRMU_VENDOR_ID);
    pci_set_word(conf + PCI_SUBSYSTEM_ID, XRMU_SUBSYS_ID);

    memory_region_init(&s->bar0, OBJECT(s), "xrmu-bar0", XRMU_BAR_SIZE);
    memory_region_add_subregion(&s->bar0, 0, xrmu_core_regs(s->core));
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->bar0);
    if (msix_init(pdev, XRMU_NUM_VECTORS, &s->bar0, 0, XRMU_MSIX_TABLE,
                  &s->bar0, 0, XRMU_MSIX_PBA, 0, errp)) {
        return;
    }
    msix_vector_use(pdev, XRMU_VEC_FLT);
    msix_vector_use(pdev, XRMU_VEC_CMD);
    memory_region_init_io(&s->gone, OBJECT(s), &xrmu_pci_gone_ops, s,
                          "xrmu-gone", XRMU_BAR_SIZE - XRMU_REG_SIZE);
    memory_region_set_enabled(&s->gone, false);
    memory_region_add_subregion_overlap(&s->bar0, XRMU_REG_SIZE, &s->gone,
                                        1);
    xrmu_core_setup_iommu(s->core, root);
}

static void xrmu_pci_exit(PCIDevice *pdev)
{
    XrmuPciState *s = XRMU_PCI(pdev);

    memory_region_del_subregion(&s->bar0, &s->gone);
    msix_uninit(pdev, &s->bar0, &s->bar0);
    qdev_unrealize(DEVICE(s->core));
}

static void xrmu_pci_reset_hold(Object *obj, ResetType type)
{
    XrmuPciState *s = XRMU_PCI(obj);

    if (DEVICE(s->core)->realized) {
        xrmu_core_reset(s->core);
        memory_region_set_enabled(&s->gone, false);
    }
}

static void xrmu_pci_instance_init(Object *obj)
{
    XrmuPciState *s = XRMU_PCI(obj);

    s->core = XRMU(object_new(TYPE_XRMU));
    object_property_add_child(obj, "core", OBJECT(s->core));
    object_unref(OBJECT(s->core));
    qdev_alias_all_properties(DEVICE(s->core), obj);
}

static const VMStateDescription xrmu_pci_vmstate = {
    .name = "xrmu-pci",
    .unmigratable = 1,
};

static void xrmu_pci_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);
    ResettableClass *rc = RESETTABLE_CLASS(oc);

    k->realize = xrmu_pci_realize;
    k->exit = xrmu_pci_exit;
    k->vendor_id = XRMU_VENDOR_ID;
    k->device_id = XRMU_DEVICE_ID;
    k->revision = XRMU_REVISION;
    k->class_id = XRMU_CLASS;
    k->subsystem_vendor_id = XRMU_VENDOR_ID;
    k->subsystem_id = XRMU_SUBSYS_ID;
    rc->phases.hold = xrmu_pci_reset_hold;
    dc->desc = "xrmu I/O remapping unit";
    dc->vmsd = &xrmu_pci_vmstate;
    dc->hotpluggable = false;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo xrmu_pci_types[] = {
    {
        .name = TYPE_XRMU_PCI,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(XrmuPciState),
        .instance_init = xrmu_pci_instance_init,
        .class_init = xrmu_pci_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(xrmu_pci_types)
