/*
 * xrmu: I/O remapping unit (IOMMU), interface between the bus-independent
 * core (xrmu.c) and the wrapper that hosts its registers (xrmu-pci.c,
 * xrmu-sys.c)
 *
 * Copyright (c) 2026 The xrmu authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_XRMU_H
#define HW_MISC_XRMU_H

#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "qom/object.h"

#define TYPE_XRMU "xrmu"
OBJECT_DECLARE_SIMPLE_TYPE(XrmuState, XRMU)

/* What the core needs from the function or device that hosts it */
typedef struct XrmuHostOps {
    /* send interrupt @vector (0 fault queue, 1 command queue) */
    void (*notify)(void *host, unsigned vector);
    /* may the unit's own DMA and interrupts reach memory? */
    bool (*bus_master)(void *host);
    /*
     * Requester ID of the unit's own function (not translated); NULL
     * for a unit that has none (xrmu-sys), which covers every requester
     * of its range.
     */
    uint16_t (*requester_id)(void *host);
    /*
     * DBG_INJECT.UNIT_GONE was set: the unit stopped responding.  The
     * host makes the rest of what it maps for the unit (MSI-X table and
     * PBA) read all ones and ignore writes until xrmu_core_reset().
     * Called with the BQL held, outside the core's lock.  Optional.
     */
    void (*gone)(void *host);
} XrmuHostOps;

/*
 * Before realize: the host, the address space of the unit's own DMA
 * (queues, fault records, SYNC words), and the bus and devfn of the
 * unit's own function (NULL, -1 if it has none).
 */
void xrmu_core_attach(XrmuState *s, const XrmuHostOps *ops, void *host,
                      AddressSpace *dma_as, PCIBus *bus, int devfn);
/* After realize: the register block (XRMU_REG_SIZE bytes) */
MemoryRegion *xrmu_core_regs(XrmuState *s);
/* Serve every device below PCI root bus @root */
void xrmu_core_setup_iommu(XrmuState *s, PCIBus *root);
/* Unit reset (power-on, system reset); the only way back from UNIT_GONE */
void xrmu_core_reset(XrmuState *s);

#endif /* HW_MISC_XRMU_H */
