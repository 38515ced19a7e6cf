/*
 * xrmu: I/O remapping unit (IOMMU) as a memory-mapped platform device
 * (-device xrmu-sys), the variant of Documentation/xrmu/identity.rst
 * "Memory-mapped (platform) variant"
 *
 * A thin wrapper around the bus-independent core (xrmu.c), like
 * xrmu-pci.c: the 4 KiB register block at a fixed system address, two
 * edge-triggered interrupt lines into the machine's GSIs (fault, command)
 * instead of MSI-X, the unit's own DMA straight to system memory (no
 * requester ID, no Bus Master Enable), and the IOMMU hookup on the PCI
 * root bus named by "pci-bus".  Firmware describes it to the guest: the
 * harness passes an SSDT (tools/testing/xrmu/run-vm --iommu xrmu-sys).
 * Every property of the core is a property of xrmu-sys.
 *
 * Copyright (c) 2026 The xrmu authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "hw/i386/x86.h"
#include "hw/irq.h"
#include "hw/pci/pci_bus.h"
#include "hw/qdev-properties.h"
#include "hw/sysbus.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "xrmu-bits.h"
#include "xrmu.h"

#define TYPE_XRMU_SYS "xrmu-sys"
OBJECT_DECLARE_SIMPLE_TYPE(XrmuSysState, XRMU_SYS)

/* Defaults: above the PCI hole, beside intel-iommu's 0xfed90000 */
#define XRMU_SYS_ADDR           0xfeda0000ULL
#define XRMU_SYS_GSI_FLT        6
#define XRMU_SYS_GSI_CMD        7

struct XrmuSysState {
    SysBusDevice parent_obj;

    /* the register block: the first XRMU_REG_BLOCK bytes of the core's */
    MemoryRegion regs;
    qemu_irq irq[XRMU_NUM_VECTORS];
    XrmuState *core;

    uint64_t addr;
    uint32_t gsi[XRMU_NUM_VECTORS];
    char *pci_bus;
    /*
     * Pulses sent on each line, read-only properties "fault-interrupts"
     * and "command-interrupts": for tests and debugging, the spec has no
     * such register.
     */
    uint64_t pulses[XRMU_NUM_VECTORS];
};

/* One pulse per event: the edge the interrupt controller latches */
static void xrmu_sys_notify(void *host, unsigned vector)
{
    XrmuSysState *s = host;

    s->pulses[vector]++;
    qemu_irq_pulse(s->irq[vector]);
}

/* No configuration space, no Bus Master Enable: always on */
static bool xrmu_sys_bus_master(void *host)
{
    return true;
}

static const XrmuHostOps xrmu_sys_host_ops = {
    .notify = xrmu_sys_notify,
    .bus_master = xrmu_sys_bus_master,
};

static void xrmu_sys_realize(DeviceState *dev, Error **errp)
{
    XrmuSysState *s = XRMU_SYS(dev);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);
    X86MachineState *x86ms;
    Object *obj;
    PCIBus *root;
    int i;

    x86ms = (X86MachineState *)object_dynamic_cast(qdev_get_machine(),
                                                    TYPE_X86_MACHINE);
    if (!x86ms || !x86ms->gsi) {
        error_setg(errp, "xrmu-sys: needs an x86 machine with GSIs");
        return;
    }
    for (i = 0; i < XRMU_NUM_VECTORS; i++) {
        if (s->gsi[i] >= IOAPIC_NUM_PINS) {
            error_setg(errp, "xrmu-sys: GSI %u is not an IOAPIC input "
                       "(0..%d)", s->gsi[i], IOAPIC_NUM_PINS - 1);
            return;
        }
    }
    if (s->gsi[XRMU_VEC_FLT] == s->gsi[XRMU_VEC_CMD]) {
        error_setg(errp, "xrmu-sys: the fault and command interrupts need "
                   "two GSIs");
        return;
    }
    if (s->addr & (XRMU_REG_BLOCK - 1)) {
        error_setg(errp, "xrmu-sys: addr 0x%" PRIx64 " is not 4 KiB "
                   "aligned", s->addr);
        return;
    }
    obj = object_resolve_path_type(s->pci_bus ?: "pcie.0", TYPE_PCI_BUS,
                                   NULL);
    root = obj ? PCI_BUS(obj) : NULL;
    if (!root || !pci_bus_is_root(root)) {
        error_setg(errp, "xrmu-sys: pci-bus \"%s\" is not a PCI root bus "
                   "(create the unit after it)", s->pci_bus ?: "pcie.0");
        return;
    }
    if (root->iommu_ops) {
        error_setg(errp, "xrmu-sys: root bus %s already has an IOMMU",
                   root->qbus.name);
        return;
    }

    xrmu_core_attach(s->core, &xrmu_sys_host_ops, s, &address_space_memory,
                     NULL, -1);
    if (!qdev_realize(DEVICE(s->core), NULL, errp)) {
        return;
    }
    memory_region_init_alias(&s->regs, OBJECT(s), "xrmu-sys-regs",
                             xrmu_core_regs(s->core), 0, XRMU_REG_BLOCK);
    sysbus_init_mmio(sbd, &s->regs);
    sysbus_mmio_map(sbd, 0, s->addr);
    for (i = 0; i < XRMU_NUM_VECTORS; i++) {
        sysbus_init_irq(sbd, &s->irq[i]);
        sysbus_connect_irq(sbd, i, x86ms->gsi[s->gsi[i]]);
    }
    xrmu_core_setup_iommu(s->core, root);
}

static void xrmu_sys_reset_hold(Object *obj, ResetType type)
{
    XrmuSysState *s = XRMU_SYS(obj);

    if (DEVICE(s->core)->realized) {
        xrmu_core_reset(s->core);
    }
}

static void xrmu_sys_instance_init(Object *obj)
{
    XrmuSysState *s = XRMU_SYS(obj);

    s->core = XRMU(object_new(TYPE_XRMU));
    object_property_add_child(obj, "core", OBJECT(s->core));
    object_unref(OBJECT(s->core));
    qdev_alias_all_properties(DEVICE(s->core), obj);
    object_property_add_uint64_ptr(obj, "fault-interrupts",
                                   &s->pulses[XRMU_VEC_FLT],
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "command-interrupts",
                                   &s->pulses[XRMU_VEC_CMD],
                                   OBJ_PROP_FLAG_READ);
}

static const Property xrmu_sys_properties[] = {
    DEFINE_PROP_UINT64("addr", XrmuSysState, addr, XRMU_SYS_ADDR),
    DEFINE_PROP_UINT32("irq-fault", XrmuSysState, gsi[XRMU_VEC_FLT],
                       XRMU_SYS_GSI_FLT),
    DEFINE_PROP_UINT32("irq-cmd", XrmuSysState, gsi[XRMU_VEC_CMD],
                       XRMU_SYS_GSI_CMD),
    DEFINE_PROP_STRING("pci-bus", XrmuSysState, pci_bus),
};

static const VMStateDescription xrmu_sys_vmstate = {
    .name = "xrmu-sys",
    .unmigratable = 1,
};

static void xrmu_sys_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    ResettableClass *rc = RESETTABLE_CLASS(oc);

    dc->realize = xrmu_sys_realize;
    rc->phases.hold = xrmu_sys_reset_hold;
    device_class_set_props(dc, xrmu_sys_properties);
    dc->desc = "xrmu I/O remapping unit (memory-mapped)";
    dc->vmsd = &xrmu_sys_vmstate;
    dc->hotpluggable = false;
    /* q35 lets it be created with -device (patches/0005) */
    dc->user_creatable = true;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo xrmu_sys_types[] = {
    {
        .name = TYPE_XRMU_SYS,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(XrmuSysState),
        .instance_init = xrmu_sys_instance_init,
        .class_init = xrmu_sys_class_init,
    },
};

DEFINE_TYPES(xrmu_sys_types)
