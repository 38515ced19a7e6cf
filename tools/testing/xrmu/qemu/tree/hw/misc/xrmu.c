/*
 * xrmu: I/O remapping unit (IOMMU), the bus-independent core
 *
 * Models the xrmu v1.0 architecture (Documentation/xrmu/ of the xrmu
 * project): device table, 3/4/5-level page tables with 4K/2M/1G leaves,
 * command queue, fault queue, interrupt remapping, finite caches (device
 * table cache, IOTLB, IRTE cache) with deterministic replacement, and a
 * conformance checker that reports driver errors the hardware can see.
 *
 * Copyright (c) 2026 The xrmu authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/thread.h"
#include "qemu/host-utils.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_bus.h"
#include "system/dma.h"
#include "hw/qdev-properties.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "trace.h"
#include "xrmu-bits.h"
#include "xrmu.h"

#define TYPE_XRMU_IOMMU_MR "xrmu-iommu-memory-region"

/* Conformance rules */
#define RULE_BASE_WHILE_ON      1
#define RULE_REG_RSVD           2
#define RULE_LOG2SZ             3
#define RULE_CMDQ_TAIL          4
#define RULE_FLTQ_HEAD          5
#define RULE_CMD                6
#define RULE_DTE                7
#define RULE_PTE                8
#define RULE_IRTE               9
#define RULE_STALE              10
#define RULE_EN                 11
#define RULE_IRE                12
#define RULE_PTR                13
#define RULE_INV_BEFORE_SYNC    23
#define RULE_REUSE_AFTER_SYNC   24

/* 64-bit registers (index into the write latch array) */
enum {
    L64_DTBASE,
    L64_CMDQ_BASE,
    L64_FLTQ_BASE,
    L64_NUM
};

/*
 * A small set-associative cache with round-robin replacement per set:
 * deterministic, finite, so that a missing invalidation is observable.
 */
typedef struct XrmuCacheEnt {
    uint64_t tag;
    uint64_t d[4];
    uint64_t pa;        /* DTC: where the DTE was read from */
    bool valid;
} XrmuCacheEnt;

/*
 * Invalidation checker (Documentation/xrmu/conformance.rst, R10, R23,
 * R24): one record per cache fill, holding every word the filled item
 * was built from, grouped by entry along the lookup chain (L1E, DTE;
 * page-table levels from the root; DTE IRT pointer, IRTE).  Records live
 * independently of the finite caches and are retired only by an executed
 * invalidation that covers them, then checked once more when the next
 * SYNC completes.
 */
enum {
    REC_L1E,
    REC_DTE,
    REC_IOTLB,
    REC_IRTE,
    REC_KINDS
};

#define REC_MAX_WORDS           9
/*
 * The entry is a DTE's interrupt fields (V, IM and IRSV, IRTPTR and
 * IRTLOG2): valid while the DTE is valid with IM = remap
 */
#define REC_GRP_IR              0x80
#define REC_LIMIT               (1u << 20)

typedef struct XrmuRec {
    uint64_t tag;               /* hash key: the cache tag */
    uint8_t kind;
    uint8_t n;
    uint8_t level;              /* IOTLB: leaf level */
    uint8_t mark;               /* rule seen at a CMDQ_TAIL scan, or 0 */
    uint8_t grp[REC_MAX_WORDS];
    uint16_t rid;               /* requester whose request filled it */
    uint16_t did;
    uint64_t va;                /* IOTLB: IOVA page; IRTE: index */
    uint64_t mark_epoch;        /* CMDQ_TAIL write that saw the change */
    uint64_t addr[REC_MAX_WORDS];
    uint64_t word[REC_MAX_WORDS];
    uint64_t now[REC_MAX_WORDS];
    uint64_t mask[REC_MAX_WORDS];   /* bits of the word compared */
} XrmuRec;

typedef struct XrmuCache {
    XrmuCacheEnt *ent;
    uint32_t *victim;
    uint32_t sets;
    uint32_t ways;
} XrmuCache;

typedef struct XrmuDevAS XrmuDevAS;

typedef struct XrmuLastFault {
    bool valid;
    uint16_t rid;
    uint8_t acc;
    uint8_t reason;
    uint64_t page;
    uint64_t next;
} XrmuLastFault;

struct XrmuState {
    DeviceState parent_obj;

    /* the host interface (xrmu_core_attach()) */
    const XrmuHostOps *host_ops;
    void *host;
    AddressSpace *dma_as;
    PCIBus *bus;        /* bus and devfn of the unit's own function */
    int devfn;

    MemoryRegion regs;
    QemuRecMutex lock;
    bool lock_init;
    GHashTable *as_by_bus;

    /* properties */
    uint8_t aw_bits;
    bool ps2m;
    bool ps1g;
    uint8_t did_bits;
    bool intremap;
    uint8_t cmdq_max_log2;
    uint8_t fltq_max_log2;
    uint8_t irt_max_log2;
    uint8_t paw;
    uint16_t segment;
    uint8_t bus_first;
    uint8_t bus_last;
    uint32_t iotlb_entries;
    uint32_t dtc_entries;
    uint32_t irtc_entries;
    bool dbg;
    bool stale_check;
    bool cmd_sync;
    uint32_t cmd_latency_ns;

    /* architectural state */
    uint64_t cap;
    uint32_t ctrl;
    uint32_t status;
    uint64_t dtbase;
    uint64_t cmdq_base;
    uint32_t cmdq_head;
    uint32_t cmdq_tail;
    uint32_t cmdq_sts;
    uint64_t fltq_base;
    uint32_t fltq_head;
    uint32_t fltq_tail;
    uint32_t fltq_sts;
    uint32_t fltq_lost;
    uint32_t dbg_inject;
    uint32_t viol_count;
    uint32_t viol_last;
    uint64_t cnt[CNT_NUM];
    uint32_t latch[L64_NUM];
    bool latched[L64_NUM];
    bool in_cmdq;
    /*
     * Side effects are sent after the lock is dropped (xrmu_unlock()):
     * MSI-X messages raised, and the one message of an interrupt request.
     */
    uint32_t lock_depth;
    uint32_t irq_pending[XRMU_NUM_VECTORS];
    bool msg_pending;
    uint64_t msg_addr;
    uint64_t msg_data;
    unsigned msg_size;
    MemTxAttrs msg_attrs;
    /* device address spaces with an UNMAP notifier (under lock) */
    uint32_t unmap_notifiers;
    XrmuLastFault last_fault;
    /* ends last_fault once the faulting request has been handled */
    QEMUBH *fault_end_bh;
    /* executes the command at HEAD (asynchronous command engine) */
    QEMUTimer *cmd_timer;
    /* DBG_INJECT.CTRL_DELAY: a CTRL write not yet in effect (under lock) */
    QEMUTimer *ctrl_timer;
    bool ctrl_pending;
    uint32_t ctrl_pending_val;
    /* DBG_INJECT.UNIT_GONE was just set: tell the host (xrmu_unlock()) */
    bool gone_pending;

    XrmuCache dtc;
    XrmuCache iotlb;
    XrmuCache irtc;

    /* invalidation checker (stale-check) */
    GHashTable *rec[REC_KINDS];
    GPtrArray *retiring;
    uint32_t rec_count;
    bool rec_full;
    uint64_t tail_epoch;
    uint64_t *pub_epoch;        /* per queue slot: publishing TAIL write */
    uint32_t en_inv_done;       /* ALL invalidations since EN 1 -> 0 */
    uint32_t en_inv_exec;       /* ... executed, waiting for a SYNC */
    bool en_was_set;            /* EN set since the last unit reset */
};

struct XrmuDevAS {
    XrmuState *s;
    PCIBus *bus;
    uint8_t devfn;
    IOMMUMemoryRegion iommu;
    MemoryRegion root;
    MemoryRegion irwin;
    AddressSpace as;
    IOMMUNotifierFlag notifier_flags;
};

typedef struct XrmuBusAS {
    XrmuDevAS *dev[PCI_DEVFN_MAX];
} XrmuBusAS;

typedef struct XrmuFault {
    uint8_t reason;
    uint8_t acc;
    bool didv;
    uint16_t did;
    uint64_t addr;
    uint64_t info;
    bool suppress;
} XrmuFault;

typedef struct XrmuDte {
    uint64_t q[4];
} XrmuDte;

typedef struct XrmuXlate {
    uint64_t iova;      /* page base */
    uint64_t pa;        /* page base */
    uint64_t mask;      /* page size - 1 */
    bool r;
    bool w;
    unsigned level;
    /* the PTEs of the walk, root level first */
    unsigned nw;
    uint64_t wa[5];
    uint64_t wv[5];
} XrmuXlate;

/* ---------------------------------------------------------------- */
/* Helpers                                                          */

static inline bool xrmu_above_paw(XrmuState *s, uint64_t addr)
{
    return s->paw < 64 && (addr >> s->paw) != 0;
}

/*
 * DBG_INJECT.UNIT_GONE: the unit stopped responding (surprise removal).
 * Only a device reset (xrmu_core_reset()) brings it back: its register
 * writes, RESET included, are ignored.
 */
static inline bool xrmu_gone(XrmuState *s)
{
    return s->dbg_inject & R_DBG_INJECT_UNIT_GONE_MASK;
}

static void G_GNUC_PRINTF(3, 4)
xrmu_violation(XrmuState *s, int rule, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_log_mask(LOG_GUEST_ERROR, "xrmu: conformance violation R%d: %s\n",
                  rule, msg);
    g_free(msg);
    s->viol_count++;
    s->viol_last = rule;
    trace_xrmu_violation(rule, s->viol_count);
}

static void xrmu_lock(XrmuState *s)
{
    qemu_rec_mutex_lock(&s->lock);
    s->lock_depth++;
}

/* Drop the lock; the outermost unlock sends what was raised under it. */
static void xrmu_unlock(XrmuState *s)
{
    uint32_t n[XRMU_NUM_VECTORS] = { 0 };
    bool msg = false;
    uint64_t addr = 0, data = 0;
    unsigned size = 0, v;
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    uint8_t buf[8];
    bool gone = false;

    if (--s->lock_depth == 0) {
        memcpy(n, s->irq_pending, sizeof(n));
        memset(s->irq_pending, 0, sizeof(s->irq_pending));
        msg = s->msg_pending;
        addr = s->msg_addr;
        data = s->msg_data;
        size = s->msg_size;
        attrs = s->msg_attrs;
        s->msg_pending = false;
        gone = s->gone_pending;
        s->gone_pending = false;
    }
    qemu_rec_mutex_unlock(&s->lock);
    if (msg) {
        stq_le_p(buf, data);
        address_space_write(&address_space_memory, addr, attrs, buf, size);
    }
    for (v = 0; v < XRMU_NUM_VECTORS; v++) {
        for (; n[v]; n[v]--) {
            s->host_ops->notify(s->host, v);
        }
    }
    /* only set by register and property writes, which hold the BQL */
    if (gone && s->host_ops->gone) {
        s->host_ops->gone(s->host);
    }
}

/* Raise MSI-X @vector: sent by xrmu_unlock() */
static void xrmu_irq(XrmuState *s, unsigned vector)
{
    uint32_t ie = vector == XRMU_VEC_FLT ? R_CTRL_FLT_IE_MASK
                                         : R_CTRL_CMD_IE_MASK;

    if (!(s->ctrl & ie) || xrmu_gone(s)) {
        return;
    }
    trace_xrmu_irq(vector);
    s->irq_pending[vector]++;
}

/* The message of the current interrupt request: sent by xrmu_unlock() */
static void xrmu_msg(XrmuState *s, uint64_t addr, uint64_t data,
                     unsigned size, MemTxAttrs attrs)
{
    s->msg_pending = true;
    s->msg_addr = addr;
    s->msg_data = data;
    s->msg_size = size;
    s->msg_attrs = attrs;
}

static uint32_t xrmu_q_entries(uint64_t base, unsigned max_log2)
{
    unsigned l = FIELD_EX64(base, QBASE, LOG2SZ);

    l = MAX(l, 4u);
    l = MIN(l, max_log2);
    return 1u << l;
}

static uint32_t xrmu_cmdq_n(XrmuState *s)
{
    return xrmu_q_entries(s->cmdq_base, s->cmdq_max_log2);
}

static uint32_t xrmu_fltq_n(XrmuState *s)
{
    return xrmu_q_entries(s->fltq_base, s->fltq_max_log2);
}

/* ---------------------------------------------------------------- */
/* Caches                                                           */

static void xrmu_cache_init(XrmuCache *c, uint32_t entries)
{
    c->ways = MIN(entries, 4u);
    c->sets = pow2floor(entries / c->ways);
    c->ent = g_new0(XrmuCacheEnt, c->sets * c->ways);
    c->victim = g_new0(uint32_t, c->sets);
}

static void xrmu_cache_free(XrmuCache *c)
{
    g_free(c->ent);
    g_free(c->victim);
    c->ent = NULL;
    c->victim = NULL;
}

static uint32_t xrmu_cache_set(XrmuCache *c, uint64_t tag)
{
    return (uint32_t)((tag * 0x9e3779b97f4a7c15ULL) >> 40) & (c->sets - 1);
}

static XrmuCacheEnt *xrmu_cache_find(XrmuCache *c, uint64_t tag)
{
    XrmuCacheEnt *e;
    uint32_t i;

    if (!c->ent) {
        return NULL;
    }
    e = &c->ent[xrmu_cache_set(c, tag) * c->ways];
    for (i = 0; i < c->ways; i++) {
        if (e[i].valid && e[i].tag == tag) {
            return &e[i];
        }
    }
    return NULL;
}

static XrmuCacheEnt *xrmu_cache_insert(XrmuCache *c, uint64_t tag)
{
    uint32_t set, i;
    XrmuCacheEnt *e;

    if (!c->ent) {
        return NULL;
    }
    set = xrmu_cache_set(c, tag);
    e = &c->ent[set * c->ways];
    for (i = 0; i < c->ways; i++) {
        if (e[i].valid && e[i].tag == tag) {
            return &e[i];
        }
    }
    for (i = 0; i < c->ways; i++) {
        if (!e[i].valid) {
            break;
        }
    }
    if (i == c->ways) {
        i = c->victim[set];
        c->victim[set] = (c->victim[set] + 1) % c->ways;
    }
    e[i].valid = true;
    e[i].tag = tag;
    return &e[i];
}

static void xrmu_cache_flush(XrmuCache *c)
{
    uint32_t i;

    if (!c->ent) {
        return;
    }
    for (i = 0; i < c->sets * c->ways; i++) {
        c->ent[i].valid = false;
    }
    memset(c->victim, 0, sizeof(uint32_t) * c->sets);
}

/* DTC tags: DTEs by RID, L1Es by L1 index */
#define DTC_TAG_DTE(rid)        ((uint64_t)(rid))
#define DTC_TAG_L1E(idx)        (BIT_ULL(32) | (idx))

/* IOTLB tag: (iova >> shift, size index, DID) */
static uint64_t xrmu_iotlb_tag(uint16_t did, unsigned level, uint64_t iova)
{
    unsigned shift = 12 + 9 * (level - 1);

    return ((iova >> shift) << 18) | ((uint64_t)level << 16) | did;
}

#define IRTC_TAG(rid, idx)      (((uint64_t)(rid) << 32) | (idx))

/* ---------------------------------------------------------------- */
/* Invalidation checker                                             */

#define EN_INV_DTE              BIT(0)
#define EN_INV_IOTLB            BIT(1)
#define EN_INV_IRTE             BIT(2)

static const char *const xrmu_rec_inv[REC_KINDS] = {
    [REC_L1E] = "INV_DTE",
    [REC_DTE] = "INV_DTE",
    [REC_IOTLB] = "INV_IOTLB",
    [REC_IRTE] = "INV_IRTE",
};

/*
 * Read a word of memory for checking: straight from system memory, never
 * through the DMA path (no DBG_INJECT consumed, no R13 report).
 */
static bool xrmu_peek(uint64_t addr, uint64_t *val)
{
    uint8_t buf[8];

    if (address_space_read(&address_space_memory, addr,
                           MEMTXATTRS_UNSPECIFIED, buf, 8) != MEMTX_OK) {
        return false;
    }
    *val = ldq_le_p(buf);
    return true;
}

/*
 * Host pointers of the RAM pages a scan has looked at (direct-mapped),
 * valid within one RCU critical section: records share their upper
 * table pages, so most words are then read without a flatview lookup.
 */
#define XRMU_PEEK_WAYS          64

typedef struct XrmuPeekCache {
    uint64_t page[XRMU_PEEK_WAYS];
    uint8_t *host[XRMU_PEEK_WAYS];
    bool valid[XRMU_PEEK_WAYS];
} XrmuPeekCache;

/* Called within an RCU critical section when @c is not NULL */
static bool xrmu_peek_cached(XrmuPeekCache *c, uint64_t addr, uint64_t *val)
{
    uint64_t page = addr & ~0xfffULL;
    unsigned i = (page >> 12) % XRMU_PEEK_WAYS;

    if (!c || (addr & 7)) {
        return xrmu_peek(addr, val);
    }
    if (!c->valid[i] || c->page[i] != page) {
        FlatView *fv = address_space_to_flatview(&address_space_memory);
        MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
        hwaddr xlat, l = 0x1000;
        MemoryRegion *mr;

        mr = flatview_translate(fv, page, &xlat, &l, false, attrs);
        c->page[i] = page;
        c->valid[i] = true;
        c->host[i] = l == 0x1000 && memory_access_is_direct(mr, false, attrs)
                     ? qemu_map_ram_ptr(mr->ram_block, xlat) : NULL;
    }
    if (!c->host[i]) {
        return xrmu_peek(addr, val);
    }
    *val = ldq_le_p(c->host[i] + (addr & 0xfff));
    return true;
}

static void xrmu_rec_init(XrmuState *s)
{
    int k;

    for (k = 0; k < REC_KINDS; k++) {
        s->rec[k] = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                          NULL, g_free);
    }
    s->retiring = g_ptr_array_new_with_free_func(g_free);
    s->pub_epoch = g_new0(uint64_t, 1u << 15);
}

/* Forget every record (unit reset, checker switched off) */
static void xrmu_rec_clear(XrmuState *s)
{
    int k;

    for (k = 0; k < REC_KINDS; k++) {
        if (s->rec[k]) {
            g_hash_table_remove_all(s->rec[k]);
        }
    }
    if (s->retiring) {
        g_ptr_array_set_size(s->retiring, 0);
    }
    s->rec_count = 0;
}

static void xrmu_rec_free(XrmuState *s)
{
    int k;

    for (k = 0; k < REC_KINDS; k++) {
        if (s->rec[k]) {
            g_hash_table_destroy(s->rec[k]);
            s->rec[k] = NULL;
        }
    }
    if (s->retiring) {
        g_ptr_array_free(s->retiring, true);
        s->retiring = NULL;
    }
    g_free(s->pub_epoch);
    s->pub_epoch = NULL;
}

static void xrmu_rec_word_masked(XrmuRec *r, unsigned grp, uint64_t addr,
                                 uint64_t w, uint64_t mask)
{
    if (r->n < REC_MAX_WORDS) {
        r->grp[r->n] = grp;
        r->addr[r->n] = addr;
        r->word[r->n] = w & mask;
        r->mask[r->n] = mask;
        r->n++;
    }
}

static void xrmu_rec_word(XrmuRec *r, unsigned grp, uint64_t addr,
                          uint64_t w)
{
    xrmu_rec_word_masked(r, grp, addr, w, ~0ULL);
}

/*
 * A cache fill: keep its record.  A live record with the same tag stays
 * (it is older; if memory changed since, it is the evidence).
 */
static void xrmu_rec_add(XrmuState *s, const XrmuRec *tmpl)
{
    GHashTable *h = s->rec[tmpl->kind];
    XrmuRec *r;

    if (!s->stale_check || !h || g_hash_table_contains(h, &tmpl->tag)) {
        return;
    }
    if (s->rec_count >= REC_LIMIT) {
        if (!s->rec_full) {
            qemu_log_mask(LOG_UNIMP, "xrmu: invalidation checker: more "
                          "than %u records, new fills are not checked\n",
                          REC_LIMIT);
            s->rec_full = true;
        }
        return;
    }
    r = g_memdup2(tmpl, sizeof(*tmpl));
    g_hash_table_insert(h, &r->tag, r);
    s->rec_count++;
}

/*
 * Compare a record with memory.  Returns 0 if nothing is wrong yet;
 * RULE_INV_BEFORE_SYNC if an entry of it now holds a different valid
 * entry (all entries above unchanged); RULE_REUSE_AFTER_SYNC if an entry
 * below a changed one was rewritten with a valid entry (the structure it
 * was in was reused).  An entry that only became invalid is no violation
 * by itself (a lazy unmap); *word is the index of the word reported.
 */
static int xrmu_rec_classify(XrmuRec *r, unsigned *word, XrmuPeekCache *c)
{
    int first_changed = -1, rule = 0;
    unsigned i, j;

    for (i = 0; i < r->n; i++) {
        if (!xrmu_peek_cached(c, r->addr[i], &r->now[i])) {
            r->now[i] = r->word[i];
        }
        r->now[i] &= r->mask[i];
    }
    for (i = 0; i < r->n; i = j) {
        unsigned g = r->grp[i] & ~REC_GRP_IR;
        bool changed = false, valid;
        unsigned w = i;

        for (j = i; j < r->n && (r->grp[j] & ~REC_GRP_IR) == g; j++) {
            if (r->now[j] != r->word[j] && !changed) {
                changed = true;
                w = j;
            }
        }
        if (!changed) {
            continue;
        }
        if (r->grp[i] & REC_GRP_IR) {
            valid = i + 1 < r->n && (r->now[i] & R_DTE0_V_MASK) &&
                    FIELD_EX64(r->now[i + 1], DTE1, IM) == IM_REMAP;
        } else {
            valid = r->now[i] & 1;
        }
        if (valid) {
            if (first_changed >= 0) {
                *word = w;
                return RULE_REUSE_AFTER_SYNC;
            }
            if (!rule) {
                rule = RULE_INV_BEFORE_SYNC;
                *word = w;
            }
        }
        if (first_changed < 0) {
            first_changed = g;
        }
    }
    return rule;
}

static void xrmu_rec_report(XrmuState *s, XrmuRec *r, int rule,
                            unsigned w)
{
    g_autofree char *what = NULL;

    switch (r->kind) {
    case REC_IOTLB:
        what = g_strdup_printf("IOTLB entry DID %u IOVA 0x%" PRIx64
                               " (%s page)", r->did, r->va,
                               r->level == 1 ? "4K" :
                               r->level == 2 ? "2M" : "1G");
        break;
    case REC_IRTE:
        what = g_strdup_printf("IRTE %" PRIu64, r->va);
        break;
    case REC_L1E:
        what = g_strdup_printf("L1E %" PRIu64, r->va);
        break;
    default:
        what = g_strdup("DTE");
        break;
    }
    if (rule == RULE_INV_BEFORE_SYNC) {
        xrmu_violation(s, rule, "RID 0x%04x %s: word at 0x%" PRIx64
                       " cached 0x%016" PRIx64 " now 0x%016" PRIx64
                       ": changed, and a later SYNC completed with no "
                       "covering %s before it", r->rid, what, r->addr[w],
                       r->word[w], r->now[w], xrmu_rec_inv[r->kind]);
    } else {
        xrmu_violation(s, rule, "RID 0x%04x %s: word at 0x%" PRIx64
                       " cached 0x%016" PRIx64 " now 0x%016" PRIx64
                       ": its table was detached and reused before the "
                       "SYNC after the covering %s completed", r->rid, what,
                       r->addr[w], r->word[w], r->now[w],
                       xrmu_rec_inv[r->kind]);
    }
}

/* CMDQ_TAIL write: note every record whose memory has gone wrong */
static void xrmu_rec_scan(XrmuState *s)
{
    XrmuPeekCache cache = { 0 }, *c = &cache;
    GHashTableIter it;
    gpointer key, value;
    unsigned w;
    int k;

    if (!s->stale_check || !s->rec[0]) {
        return;
    }
    RCU_READ_LOCK_GUARD();
    for (k = 0; k < REC_KINDS; k++) {
        g_hash_table_iter_init(&it, s->rec[k]);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            XrmuRec *r = value;
            int rule;

            if (r->mark) {
                continue;
            }
            rule = xrmu_rec_classify(r, &w, c);
            if (rule) {
                r->mark = rule;
                r->mark_epoch = s->tail_epoch;
            }
        }
    }
}

/* An invalidation executed: its records wait for the next SYNC */
static void xrmu_rec_retire(XrmuState *s, GHashTableIter *it, XrmuRec *r)
{
    g_hash_table_iter_steal(it);
    g_ptr_array_add(s->retiring, r);
}

static void xrmu_rec_retire_tag(XrmuState *s, int kind, uint64_t tag)
{
    XrmuRec *r;

    if (!s->rec[kind]) {
        return;
    }
    r = g_hash_table_lookup(s->rec[kind], &tag);
    if (r) {
        g_hash_table_steal(s->rec[kind], &tag);
        g_ptr_array_add(s->retiring, r);
    }
}

/* Retire the IOTLB records matching (@scope, @did, [@start, @end]) */
static void xrmu_rec_inv_iotlb(XrmuState *s, unsigned scope, uint16_t did,
                               uint64_t start, uint64_t end)
{
    GHashTableIter it;
    gpointer key, value;

    if (!s->rec[REC_IOTLB]) {
        return;
    }
    g_hash_table_iter_init(&it, s->rec[REC_IOTLB]);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        XrmuRec *r = value;
        uint64_t hi = r->va + ((1ULL << (12 + 9 * (r->level - 1))) - 1);

        if (scope == 2 || (r->did == did &&
                           (scope == 1 || (r->va <= end && hi >= start)))) {
            xrmu_rec_retire(s, &it, r);
        }
    }
}

static void xrmu_rec_inv_irte(XrmuState *s, bool all, uint16_t rid,
                              uint64_t first, uint64_t last)
{
    GHashTableIter it;
    gpointer key, value;

    if (!s->rec[REC_IRTE]) {
        return;
    }
    g_hash_table_iter_init(&it, s->rec[REC_IRTE]);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        XrmuRec *r = value;

        if (all || (r->rid == rid && r->va >= first && r->va <= last)) {
            xrmu_rec_retire(s, &it, r);
        }
    }
}

static void xrmu_rec_inv_dte_all(XrmuState *s)
{
    GHashTableIter it;
    gpointer key, value;
    int k;

    for (k = REC_L1E; k <= REC_DTE; k++) {
        if (!s->rec[k]) {
            continue;
        }
        g_hash_table_iter_init(&it, s->rec[k]);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            xrmu_rec_retire(s, &it, value);
        }
    }
}

/*
 * A SYNC published by CMDQ_TAIL write @pub completes (called before its
 * status write, so that nothing the driver does after seeing it can be
 * taken for a violation): report R24 for retired records whose tables
 * were reused before now, and R23/R24 for live records found wrong by a
 * scan before @pub (the first TAIL write after a change may belong to
 * another CPU, which then publishes the invalidation in its next one).
 */
static void xrmu_rec_sync(XrmuState *s, uint64_t pub)
{
    GHashTableIter it;
    gpointer key, value;
    bool on = s->status & R_STATUS_EN_ACK_MASK;
    XrmuPeekCache cache = { 0 }, *c = &cache;
    unsigned i, w = 0;
    int k;

    s->en_inv_done |= s->en_inv_exec;
    s->en_inv_exec = 0;
    if (!s->stale_check || !s->rec[0]) {
        return;
    }
    RCU_READ_LOCK_GUARD();
    for (i = 0; on && i < s->retiring->len; i++) {
        XrmuRec *r = g_ptr_array_index(s->retiring, i);

        if (xrmu_rec_classify(r, &w, c) == RULE_REUSE_AFTER_SYNC) {
            xrmu_rec_report(s, r, RULE_REUSE_AFTER_SYNC, w);
        }
    }
    g_ptr_array_set_size(s->retiring, 0);
    for (k = 0; on && k < REC_KINDS; k++) {
        g_hash_table_iter_init(&it, s->rec[k]);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            XrmuRec *r = value;
            int rule;

            if (!r->mark || r->mark_epoch >= pub) {
                continue;
            }
            w = 0;
            rule = xrmu_rec_classify(r, &w, c);
            if (!rule) {
                /* memory is back to what was cached: nothing survived */
                r->mark = 0;
                continue;
            }
            xrmu_rec_report(s, r, rule, w);
            g_hash_table_iter_remove(&it);
        }
    }
    s->rec_count = 0;
    for (k = 0; k < REC_KINDS; k++) {
        s->rec_count += g_hash_table_size(s->rec[k]);
    }
}

/* ---------------------------------------------------------------- */
/* DMA performed by the unit itself (never translated by itself)    */

static MemTxResult xrmu_dma_check(XrmuState *s, uint64_t addr,
                                  unsigned len, bool write, MemTxResult r)
{
    if (r != MEMTX_OK) {
        xrmu_violation(s, RULE_PTR, "DMA %s of %u bytes at 0x%" PRIx64
                       " failed (not in RAM below 2^PAW, or bus mastering "
                       "off)",
                       write ? "write" : "read", len, addr);
    }
    return r;
}

/*
 * Does [@addr, @addr + @len) of the unit's own address space lie in RAM?
 * The unit's own DMA reaches nothing else (overview, R13): not its own
 * registers, not another device's, not a hole.  Also what keeps the BQL
 * out of the model's lock: no MMIO handler of another device (which may
 * take the BQL when the request comes from an I/O thread) ever runs under
 * it.  With bus mastering off the address space maps nothing.
 */
static bool xrmu_dma_in_ram(XrmuState *s, uint64_t addr, unsigned len,
                            bool write)
{
    MemoryRegion *mr;
    hwaddr xlat, l = len;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(s->dma_as, addr, &xlat, &l, write,
                                 MEMTXATTRS_UNSPECIFIED);
    return l >= len && memory_region_is_ram(mr) &&
           !memory_region_is_ram_device(mr);
}

/*
 * One DMA access of the unit: an armed DBG_INJECT bit in @inject makes it
 * fail once; addresses at or above 2^PAW, and anything that is not RAM,
 * decode to nothing (the unit never reads or writes registers by DMA).
 */
static MemTxResult xrmu_dma_rw(XrmuState *s, uint64_t addr, void *buf,
                               unsigned len, DMADirection dir,
                               uint32_t inject)
{
    MemTxResult r;

    if (inject && (s->dbg_inject & inject)) {
        s->dbg_inject &= ~inject;
        trace_xrmu_inject_fire(inject, addr);
        return MEMTX_ERROR;
    }
    if (xrmu_above_paw(s, addr) || xrmu_above_paw(s, addr + len - 1)) {
        r = MEMTX_DECODE_ERROR;
    } else if (!xrmu_dma_in_ram(s, addr, len,
                                dir == DMA_DIRECTION_FROM_DEVICE)) {
        trace_xrmu_dma_not_ram(addr, len);
        r = MEMTX_DECODE_ERROR;
    } else {
        r = dma_memory_rw(s->dma_as, addr, buf, len, dir,
                          MEMTXATTRS_UNSPECIFIED);
    }
    return xrmu_dma_check(s, addr, len, dir == DMA_DIRECTION_FROM_DEVICE, r);
}

static MemTxResult xrmu_dma_read(XrmuState *s, uint64_t addr, void *buf,
                                 unsigned len, uint32_t inject)
{
    return xrmu_dma_rw(s, addr, buf, len, DMA_DIRECTION_TO_DEVICE, inject);
}

static MemTxResult xrmu_dma_write(XrmuState *s, uint64_t addr,
                                  const void *buf, unsigned len,
                                  uint32_t inject)
{
    return xrmu_dma_rw(s, addr, (void *)buf, len, DMA_DIRECTION_FROM_DEVICE,
                       inject);
}

static MemTxResult xrmu_read_qwords(XrmuState *s, uint64_t addr,
                                    uint64_t *q, unsigned n, uint32_t inject)
{
    MemTxResult r;
    unsigned i;

    r = xrmu_dma_read(s, addr, q, n * 8, inject);
    for (i = 0; i < n; i++) {
        q[i] = le64_to_cpu(q[i]);
    }
    return r;
}

/* ---------------------------------------------------------------- */
/* Fault queue                                                      */

static void xrmu_fault(XrmuState *s, uint16_t rid, const XrmuFault *f)
{
    uint32_t n, head, tail, next;
    uint64_t rec[4], w0;
    bool recorded = false;

    s->cnt[CNT_FAULT]++;
    if (f->suppress || !(s->status & R_STATUS_FLTQ_ON_MASK) ||
        (s->fltq_sts & R_FLTQ_STS_WERR_MASK)) {
        goto out;
    }
    n = xrmu_fltq_n(s);
    head = s->fltq_head % n;
    tail = s->fltq_tail % n;
    next = (tail + 1) % n;
    if (next == head) {
        if (s->fltq_lost != UINT32_MAX) {
            s->fltq_lost++;
        }
        if (!(s->fltq_sts & R_FLTQ_STS_OVF_MASK)) {
            s->fltq_sts |= R_FLTQ_STS_OVF_MASK;
            xrmu_irq(s, XRMU_VEC_FLT);
        }
        goto out;
    }
    w0 = FIELD_DP64(0, FLT0, REASON, f->reason);
    w0 = FIELD_DP64(w0, FLT0, ACC, f->acc);
    w0 = FIELD_DP64(w0, FLT0, DIDV, f->didv);
    w0 = FIELD_DP64(w0, FLT0, RID, rid);
    w0 = FIELD_DP64(w0, FLT0, DID, f->didv ? f->did : 0);
    rec[0] = cpu_to_le64(w0);
    rec[1] = cpu_to_le64(f->addr);
    rec[2] = cpu_to_le64(f->info);
    rec[3] = 0;
    if (xrmu_dma_write(s, PAGE_ADDR(s->fltq_base) + tail * FLT_REC_SIZE,
                       rec, sizeof(rec), R_DBG_INJECT_FLTQ_WRITE_ERR_MASK)
        != MEMTX_OK) {
        s->fltq_sts |= R_FLTQ_STS_WERR_MASK;
        xrmu_irq(s, XRMU_VEC_FLT);
        goto out;
    }
    s->fltq_tail = next;
    recorded = true;
    if (head == tail) {
        xrmu_irq(s, XRMU_VEC_FLT);
    }
out:
    trace_xrmu_fault(rid, f->reason, f->acc, f->addr, f->info, recorded);
}

/*
 * QEMU passes a DMA request whose translation faulted to the unassigned
 * region, which splits it into naturally aligned pieces of at most 4
 * bytes and translates each piece again.  The spec has one fault per
 * request and 4 KiB page, and a faulting request is not performed, so a
 * piece that continues the previous faulting piece (same requester and
 * access, same 4 KiB page, next address) belongs to the same request: it
 * fails too, and is neither counted nor recorded again
 * (xrmu_fault_continues()).
 *
 * The pieces of one request are translated in one call of the memory
 * core, by a device model that holds the BQL (a timer, bottom half or
 * MMIO handler): the main loop runs nothing in between.  So the request
 * ends when the main loop next runs its bottom halves: a fault schedules
 * fault_end_bh, which forgets the request.  Separate requests of a device
 * model are separate main-loop events, however fast the host or slow the
 * guest.  (A device model that issues DMA from an I/O thread, without the
 * BQL, can see the bottom half run in the middle of a request and get a
 * second record for it; one that issues two contiguous requests from one
 * callback gets one.)
 */
static bool xrmu_fault_continues(XrmuState *s, uint16_t rid, uint8_t acc,
                                 uint64_t addr, unsigned size)
{
    XrmuLastFault *l = &s->last_fault;

    if (l->valid && l->rid == rid && l->acc == acc && l->next == addr &&
        l->page == (addr & ~0xfffULL)) {
        l->next = addr + size;
        return true;
    }
    return false;
}

/* A request faulted at @addr: later pieces of it continue this one */
static void xrmu_fault_start(XrmuState *s, uint16_t rid, uint8_t acc,
                             uint8_t reason, uint64_t addr, unsigned size)
{
    XrmuLastFault *l = &s->last_fault;

    l->valid = true;
    l->rid = rid;
    l->acc = acc;
    l->reason = reason;
    l->page = addr & ~0xfffULL;
    l->next = addr + size;
    qemu_bh_schedule(s->fault_end_bh);
}

static void xrmu_fault_end_bh(void *opaque)
{
    XrmuState *s = opaque;

    xrmu_lock(s);
    s->last_fault.valid = false;
    xrmu_unlock(s);
}

/* Size of the piece the unassigned region handles at @addr */
static unsigned xrmu_piece(uint64_t addr)
{
    return addr & 3 ? addr & -addr : 4;
}

/* ---------------------------------------------------------------- */
/* Device table                                                     */

static bool xrmu_aw_ok(XrmuState *s, unsigned levels)
{
    switch (levels) {
    case 3:
        return s->cap & R_CAP_AW39_MASK;
    case 4:
        return s->cap & R_CAP_AW48_MASK;
    case 5:
        return s->cap & R_CAP_AW57_MASK;
    default:
        return false;
    }
}

/* Returns a description of the first malformation, or NULL. */
static const char *xrmu_dte_check(XrmuState *s, const XrmuDte *d)
{
    uint64_t q0 = d->q[0], q1 = d->q[1], q2 = d->q[2];

    if (q0 & DTE0_RSVD) {
        return "DTE qw0 reserved bits set";
    }
    if (xrmu_above_paw(s, PAGE_ADDR(q0))) {
        return "DTE PTROOT above PAW";
    }
    if (FIELD_EX64(q0, DTE0, MODE) == 3) {
        return "DTE MODE=3";
    }
    if (FIELD_EX64(q0, DTE0, MODE) == MODE_TRANSLATE) {
        if (!xrmu_aw_ok(s, FIELD_EX64(q0, DTE0, LEVELS))) {
            return "DTE LEVELS not supported";
        }
        if (FIELD_EX64(q1, DTE1, DID) >> s->did_bits) {
            return "DTE DID out of range";
        }
    }
    if (q1 & DTE1_RSVD) {
        return "DTE qw1 reserved bits set";
    }
    if (FIELD_EX64(q1, DTE1, IM) == 3) {
        return "DTE IM=3";
    }
    if (q2 & DTE2_RSVD) {
        return "DTE qw2 reserved bits set";
    }
    if (FIELD_EX64(q2, DTE2, IRTLOG2) > s->irt_max_log2) {
        return "DTE IRTLOG2 above CAP.IRT_MAXLOG2";
    }
    if (xrmu_above_paw(s, PAGE_ADDR(q2))) {
        return "DTE IRTPTR above PAW";
    }
    if (d->q[3]) {
        return "DTE qw3 reserved bits set";
    }
    return NULL;
}

/*
 * Read the L1E (two-level format) or the DTE of @rid.  The DTC may hold
 * V=1 entries, well-formed or not; well-formedness is checked on every
 * use.  Returns 0 or a fault reason; on DT_READ_ERR *info holds the
 * failing address; *pa is where the DTE is (or was read from).  Every
 * fill is recorded for the invalidation checker.
 */
static int xrmu_dte_fetch(XrmuState *s, uint16_t rid, XrmuDte *d,
                          uint64_t *info, uint64_t *pa)
{
    uint64_t dtb = s->dtbase, base = PAGE_ADDR(dtb), l1e = 0, addr;
    unsigned log2sz = FIELD_EX64(dtb, DTBASE, LOG2SZ);
    XrmuRec rec = { .kind = REC_DTE, .tag = rid, .rid = rid };
    unsigned grp = 0, i;
    XrmuCacheEnt *ce;

    *info = 0;
    *pa = 0;
    if (log2sz < 16 && (rid >> log2sz)) {
        return F_DT_RANGE;
    }
    ce = xrmu_cache_find(&s->dtc, DTC_TAG_DTE(rid));
    if (ce) {
        memcpy(d->q, ce->d, sizeof(d->q));
        *pa = ce->pa;
        return 0;
    }
    if (dtb & R_DTBASE_FMT_MASK) {
        uint32_t idx = rid >> 7;

        ce = xrmu_cache_find(&s->dtc, DTC_TAG_L1E(idx));
        if (ce) {
            l1e = ce->d[0];
        } else {
            addr = base + idx * 8;
            if (xrmu_read_qwords(s, addr, &l1e, 1,
                                 R_DBG_INJECT_TABLE_READ_ERR_MASK)
                != MEMTX_OK) {
                *info = addr;
                return F_DT_READ_ERR;
            }
            if (!(l1e & L1E_V)) {
                return F_DT_L1_INVALID;
            }
            ce = xrmu_cache_insert(&s->dtc, DTC_TAG_L1E(idx));
            if (ce) {
                XrmuRec lr = { .kind = REC_L1E, .tag = idx, .rid = rid,
                               .va = idx };

                ce->d[0] = l1e;
                xrmu_rec_word(&lr, 0, addr, l1e);
                xrmu_rec_add(s, &lr);
            }
        }
        if ((l1e & L1E_RSVD) || xrmu_above_paw(s, PAGE_ADDR(l1e))) {
            xrmu_violation(s, RULE_DTE, "L1E 0x%" PRIx64 " covering RID "
                           "0x%04x is malformed", l1e, rid);
            return F_DTE_RSVD;
        }
        xrmu_rec_word(&rec, grp++, base + idx * 8, l1e);
        addr = PAGE_ADDR(l1e) + (rid & 0x7f) * 32;
    } else {
        addr = base + (uint64_t)rid * 32;
    }
    if (xrmu_read_qwords(s, addr, d->q, 4, R_DBG_INJECT_TABLE_READ_ERR_MASK)
        != MEMTX_OK) {
        *info = addr;
        return F_DT_READ_ERR;
    }
    *pa = addr;
    if (!(d->q[0] & R_DTE0_V_MASK)) {
        return F_DTE_INVALID;
    }
    ce = xrmu_cache_insert(&s->dtc, DTC_TAG_DTE(rid));
    if (ce) {
        memcpy(ce->d, d->q, sizeof(d->q));
        ce->pa = addr;
        for (i = 0; i < 4; i++) {
            xrmu_rec_word(&rec, grp, addr + 8 * i, d->q[i]);
        }
        xrmu_rec_add(s, &rec);
    }
    return 0;
}

/* Device lookup for DMA and MSIs: returns 0 or a fault reason. */
static int xrmu_dte_lookup(XrmuState *s, uint16_t rid, XrmuDte *d,
                           uint64_t *info, uint64_t *pa)
{
    const char *why;
    int r;

    r = xrmu_dte_fetch(s, rid, d, info, pa);
    if (r) {
        return r;
    }
    why = xrmu_dte_check(s, d);
    if (why) {
        xrmu_violation(s, RULE_DTE, "RID 0x%04x: %s", rid, why);
        return F_DTE_RSVD;
    }
    return 0;
}

/* ---------------------------------------------------------------- */
/* Page table walk                                                  */

/* Returns 0 or a fault reason; *info = level or failing address. */
static int xrmu_pt_walk(XrmuState *s, const XrmuDte *d, uint64_t iova,
                        XrmuXlate *x, uint64_t *info, bool report)
{
    unsigned levels = FIELD_EX64(d->q[0], DTE0, LEVELS), level;
    uint64_t table = PAGE_ADDR(d->q[0]), pte, addr;
    const char *why;

    x->nw = 0;
    for (level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);

        addr = table + ((iova >> shift) & 0x1ff) * 8;
        if (xrmu_read_qwords(s, addr, &pte, 1, R_DBG_INJECT_TABLE_READ_ERR_MASK)
            != MEMTX_OK) {
            *info = addr;
            return F_PT_READ_ERR;
        }
        if (x->nw < ARRAY_SIZE(x->wa)) {
            x->wa[x->nw] = addr;
            x->wv[x->nw] = pte;
            x->nw++;
        }
        *info = level;
        if (!(pte & PTE_V)) {
            return F_PT_NOT_PRESENT;
        }
        why = NULL;
        if (pte & PTE_RSVD) {
            why = "reserved bits set";
        } else if (xrmu_above_paw(s, PTE_ADDR(pte))) {
            why = "address above PAW";
        } else if (pte & PTE_LEAF) {
            if (level >= 4) {
                why = "leaf at level 4/5";
            } else if (level == 3 && !(s->cap & R_CAP_PS1G_MASK)) {
                why = "1 GiB leaf without CAP.PS1G";
            } else if (level == 2 && !(s->cap & R_CAP_PS2M_MASK)) {
                why = "2 MiB leaf without CAP.PS2M";
            } else if (PTE_ADDR(pte) & ((1ULL << shift) - 1)) {
                why = "large-page address not aligned";
            } else if (PTE_ADDR(pte) < XRMU_IRWIN_BASE + XRMU_IRWIN_SIZE &&
                       XRMU_IRWIN_BASE < PTE_ADDR(pte) + (1ULL << shift)) {
                why = "leaf maps the interrupt window";
            }
        } else if (level == 1) {
            why = "non-leaf at level 1";
        }
        if (why) {
            if (report) {
                xrmu_violation(s, RULE_PTE, "PTE 0x%" PRIx64 " at 0x%" PRIx64
                               " level %u: %s", pte, addr, level, why);
            }
            return F_PT_RSVD;
        }
        if (pte & PTE_LEAF) {
            x->mask = (1ULL << shift) - 1;
            x->iova = iova & ~x->mask;
            x->pa = PTE_ADDR(pte);
            x->r = pte & PTE_R;
            x->w = pte & PTE_W;
            x->level = level;
            return 0;
        }
        table = PTE_ADDR(pte);
    }
    /* not reached: level 1 entries are leaves or malformed */
    return F_PT_RSVD;
}

static bool xrmu_iotlb_lookup(XrmuState *s, uint16_t did, uint64_t iova,
                              XrmuXlate *x)
{
    unsigned level;

    for (level = 1; level <= 3; level++) {
        XrmuCacheEnt *ce = xrmu_cache_find(&s->iotlb,
                                           xrmu_iotlb_tag(did, level, iova));
        if (ce) {
            x->iova = ce->d[0];
            x->pa = ce->d[1];
            x->mask = ce->d[2];
            x->r = ce->d[3] & PTE_R;
            x->w = ce->d[3] & PTE_W;
            x->level = level;
            return true;
        }
    }
    return false;
}

static void xrmu_iotlb_insert(XrmuState *s, uint16_t rid, uint16_t did,
                              const XrmuXlate *x)
{
    uint64_t tag = xrmu_iotlb_tag(did, x->level, x->iova);
    XrmuCacheEnt *ce;
    unsigned i;

    ce = xrmu_cache_insert(&s->iotlb, tag);
    if (ce) {
        XrmuRec rec = { .kind = REC_IOTLB, .tag = tag, .rid = rid,
                        .did = did, .va = x->iova, .level = x->level };

        ce->d[0] = x->iova;
        ce->d[1] = x->pa;
        ce->d[2] = x->mask;
        ce->d[3] = (x->r ? PTE_R : 0) | (x->w ? PTE_W : 0);
        for (i = 0; i < x->nw; i++) {
            xrmu_rec_word(&rec, i, x->wa[i], x->wv[i]);
        }
        xrmu_rec_add(s, &rec);
    }
}

/*
 * Translate @iova for @rid (translate mode).  Returns 0 or a fault
 * reason with @f filled in.
 */
static int xrmu_translate_dma(XrmuState *s, uint16_t rid, const XrmuDte *d,
                              uint64_t iova, XrmuXlate *x, XrmuFault *f)
{
    unsigned width = 12 + 9 * FIELD_EX64(d->q[0], DTE0, LEVELS);
    uint16_t did = FIELD_EX64(d->q[1], DTE1, DID);
    uint64_t info = 0;
    int r;

    f->didv = true;
    f->did = did;
    if (width < 64 && (iova >> width)) {
        f->reason = F_ADDR_RANGE;
        return F_ADDR_RANGE;
    }
    if (xrmu_iotlb_lookup(s, did, iova, x)) {
        s->cnt[CNT_IOTLB_HIT]++;
        return 0;
    }
    s->cnt[CNT_IOTLB_MISS]++;
    r = xrmu_pt_walk(s, d, iova, x, &info, true);
    if (r) {
        f->reason = r;
        f->info = info;
        return r;
    }
    xrmu_iotlb_insert(s, rid, did, x);
    return 0;
}

/* ---------------------------------------------------------------- */
/* Address spaces                                                   */

static uint16_t xrmu_as_rid(XrmuDevAS *as)
{
    return PCI_BUILD_BDF(pci_bus_num(as->bus), as->devfn);
}

static bool xrmu_covers(XrmuState *s, PCIBus *bus, uint16_t rid)
{
    uint8_t busn = PCI_BUS_NUM(rid);

    if (bus == s->bus && (rid & 0xff) == s->devfn) {
        return false;
    }
    if (s->host_ops->requester_id &&
        rid == s->host_ops->requester_id(s->host)) {
        return false;
    }
    return busn >= s->bus_first && busn <= s->bus_last;
}

static IOMMUTLBEntry xrmu_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                    IOMMUAccessFlags flag, int iommu_idx)
{
    XrmuDevAS *as = container_of(iommu, XrmuDevAS, iommu);
    XrmuState *s = as->s;
    IOMMUTLBEntry e = {
        .target_as = &address_space_memory,
        .iova = addr & ~0xfffULL,
        .translated_addr = addr & ~0xfffULL,
        .addr_mask = 0xfff,
        .perm = IOMMU_NONE,
    };
    uint16_t rid = xrmu_as_rid(as);
    XrmuFault f = { .acc = (flag & IOMMU_WO) ? ACC_WRITE : ACC_READ,
                    .addr = addr };
    bool report = flag != IOMMU_NONE;
    uint64_t dte_pa;
    XrmuXlate x;
    XrmuDte d;
    int r;

    xrmu_lock(s);
    if (xrmu_gone(s) && xrmu_covers(s, as->bus, rid)) {
        /* nobody there to translate it: aborted, and not recorded */
        if (report) {
            trace_xrmu_gone_abort(rid, f.acc, addr);
        }
        goto out;
    }
    if (report && xrmu_fault_continues(s, rid, f.acc, addr,
                                       xrmu_piece(addr))) {
        goto out;
    }
    if (!xrmu_covers(s, as->bus, rid) ||
        !(s->status & R_STATUS_EN_ACK_MASK)) {
        if (xrmu_covers(s, as->bus, rid) &&
            (s->status & R_STATUS_BLK_ACK_MASK)) {
            if (report) {
                xrmu_fault_start(s, rid, f.acc, F_BLOCKED, addr,
                                 xrmu_piece(addr));
                s->cnt[CNT_FAULT]++;
                trace_xrmu_fault(rid, F_BLOCKED, f.acc, addr, 0, false);
            }
            goto out;
        }
        e.perm = IOMMU_RW;
        s->last_fault.valid = false;
        goto out;
    }
    r = xrmu_dte_lookup(s, rid, &d, &f.info, &dte_pa);
    if (r) {
        f.reason = r;
        goto fault;
    }
    f.suppress = d.q[0] & R_DTE0_FSD_MASK;
    switch (FIELD_EX64(d.q[0], DTE0, MODE)) {
    case MODE_PASSTHROUGH:
        e.perm = IOMMU_RW;
        s->last_fault.valid = false;
        goto out;
    case MODE_TRANSLATE:
        break;
    default:
        f.reason = F_BLOCKED;
        goto fault;
    }
    r = xrmu_translate_dma(s, rid, &d, addr, &x, &f);
    if (r) {
        goto fault;
    }
    e.iova = x.iova;
    e.translated_addr = x.pa;
    e.addr_mask = x.mask;
    e.perm = IOMMU_ACCESS_FLAG(x.r, x.w);
    if ((flag & IOMMU_RO) && !x.r) {
        f.reason = F_PT_READ;
        f.info = x.level;
        goto fault;
    }
    if ((flag & IOMMU_WO) && !x.w) {
        f.reason = F_PT_WRITE;
        f.info = x.level;
        goto fault;
    }
    if (report) {
        s->cnt[CNT_XLATE]++;
        s->last_fault.valid = false;
    }
    trace_xrmu_translate(rid, addr, x.pa | (addr & x.mask), x.mask, e.perm);
    goto out;

fault:
    if (report) {
        xrmu_fault_start(s, rid, f.acc, f.reason, addr, xrmu_piece(addr));
        xrmu_fault(s, rid, &f);
    }
    e.perm = IOMMU_NONE;
out:
    xrmu_unlock(s);
    return e;
}

static int xrmu_notify_flag_changed(IOMMUMemoryRegion *iommu,
                                    IOMMUNotifierFlag old,
                                    IOMMUNotifierFlag new, Error **errp)
{
    XrmuDevAS *as = container_of(iommu, XrmuDevAS, iommu);

    if (new & IOMMU_NOTIFIER_MAP) {
        error_setg_errno(errp, ENOTSUP, "xrmu: MAP notifiers (shadow page "
                         "tables, e.g. vfio in the guest) are not supported");
        return -ENOTSUP;
    }
    if (new & IOMMU_NOTIFIER_DEVIOTLB_UNMAP) {
        error_setg_errno(errp, ENOTSUP, "xrmu: device IOTLBs (ATS) are not "
                         "supported");
        return -ENOTSUP;
    }
    xrmu_lock(as->s);
    if ((new & IOMMU_NOTIFIER_UNMAP) &&
        !(as->notifier_flags & IOMMU_NOTIFIER_UNMAP)) {
        as->s->unmap_notifiers++;
    } else if (!(new & IOMMU_NOTIFIER_UNMAP) &&
               (as->notifier_flags & IOMMU_NOTIFIER_UNMAP)) {
        as->s->unmap_notifiers--;
    }
    as->notifier_flags = new;
    xrmu_unlock(as->s);
    return 0;
}

/*
 * Tell UNMAP notifiers (e.g. vhost's IOTLB) that translations may have
 * changed: called after every invalidation command, when EN_ACK or
 * BLK_ACK changes, and on a unit reset.  The whole 57-bit
 * IOVA space is reported, which is always correct if coarse.  Without any
 * UNMAP notifier (the usual case: only vhost registers one) there is
 * nothing to tell, and the scan of every bus's address spaces is skipped.
 */
static void xrmu_notify_unmap_all(XrmuState *s)
{
    GHashTableIter it;
    gpointer key, value;
    IOMMUTLBEvent ev = {
        .type = IOMMU_NOTIFIER_UNMAP,
        .entry = {
            .target_as = &address_space_memory,
            .iova = 0,
            .translated_addr = 0,
            .addr_mask = (1ULL << 57) - 1,
            .perm = IOMMU_NONE,
        },
    };

    if (!s->as_by_bus || !s->unmap_notifiers) {
        return;
    }
    g_hash_table_iter_init(&it, s->as_by_bus);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        XrmuBusAS *ba = value;
        int i;

        for (i = 0; i < PCI_DEVFN_MAX; i++) {
            if (ba->dev[i] &&
                (ba->dev[i]->notifier_flags & IOMMU_NOTIFIER_UNMAP)) {
                memory_region_notify_iommu(&ba->dev[i]->iommu, 0, ev);
            }
        }
    }
}

/* ---------------------------------------------------------------- */
/* Interrupt window                                                 */

/*
 * Handle an interrupt request (a write to the interrupt window) from
 * @rid: remap, pass through or block it.
 */
static void xrmu_ir_request(XrmuState *s, XrmuDevAS *as, uint16_t rid,
                            uint64_t addr, uint64_t data, unsigned size,
                            MemTxAttrs attrs)
{
    XrmuFault f = { .acc = ACC_INTR, .addr = addr, .info = (uint32_t)data };
    uint64_t q[2], out_addr, irte_addr, info, dte_pa;
    uint32_t index, out_data, dest, svt, dlm, vector;
    XrmuCacheEnt *ce;
    unsigned irtlog2;
    XrmuDte d;
    int r;

    if (!xrmu_covers(s, as->bus, rid)) {
        goto pass;
    }
    if (xrmu_gone(s)) {
        trace_xrmu_gone_abort(rid, ACC_INTR, addr);
        return;
    }
    if (xrmu_fault_continues(s, rid, ACC_INTR, addr, size)) {
        return;
    }
    if (!(s->status & R_STATUS_EN_ACK_MASK)) {
        if (s->status & R_STATUS_BLK_ACK_MASK) {
            xrmu_fault_start(s, rid, ACC_INTR, F_BLOCKED, addr, size);
            s->cnt[CNT_FAULT]++;
            s->cnt[CNT_IR_BLOCK]++;
            trace_xrmu_ir_block(rid, addr, data, F_BLOCKED);
            return;
        }
        goto pass;
    }
    if (!(s->status & R_STATUS_IRE_ACK_MASK)) {
        goto pass;
    }
    r = xrmu_dte_lookup(s, rid, &d, &info, &dte_pa);
    if (r) {
        f.reason = r;
        f.info = info;
        goto block;
    }
    switch (FIELD_EX64(d.q[1], DTE1, IM)) {
    case IM_PASS:
        if (FIELD_EX64(addr, MSI_ADDR, IF)) {
            f.reason = F_IR_BLOCKED;
            goto block;
        }
        goto pass;
    case IM_REMAP:
        if (!FIELD_EX64(addr, MSI_ADDR, IF)) {
            f.reason = F_IR_COMPAT;
            goto block;
        }
        break;
    default:
        f.reason = F_IR_BLOCKED;
        goto block;
    }
    if (size != 4 || (addr & 3)) {
        f.reason = F_IR_MALFORMED;
        f.info = size < 8 ? data & ((1ULL << (size * 8)) - 1) : data;
        goto block;
    }
    index = FIELD_EX64(addr, MSI_ADDR, HANDLE);
    if (FIELD_EX64(addr, MSI_ADDR, SHV)) {
        index += FIELD_EX64(data, MSI_DATA, SUBHANDLE);
    }
    irtlog2 = FIELD_EX64(d.q[2], DTE2, IRTLOG2);
    if (index >> irtlog2) {
        f.reason = F_IR_INDEX;
        goto block;
    }
    ce = xrmu_cache_find(&s->irtc, IRTC_TAG(rid, index));
    irte_addr = PAGE_ADDR(d.q[2]) + (uint64_t)index * 16;
    if (ce) {
        q[0] = ce->d[0];
        q[1] = ce->d[1];
    } else {
        if (xrmu_read_qwords(s, irte_addr, q, 2,
                             R_DBG_INJECT_TABLE_READ_ERR_MASK) != MEMTX_OK) {
            f.reason = F_IR_READ_ERR;
            f.info = irte_addr;
            goto block;
        }
        if (!(q[0] & R_IRTE0_V_MASK)) {
            f.reason = F_IR_IRTE_INVALID;
            goto block;
        }
        ce = xrmu_cache_insert(&s->irtc, IRTC_TAG(rid, index));
        if (ce) {
            XrmuRec rec = { .kind = REC_IRTE, .tag = IRTC_TAG(rid, index),
                            .rid = rid, .va = index };

            ce->d[0] = q[0];
            ce->d[1] = q[1];
            /* the DTE's interrupt fields, then the IRTE */
            xrmu_rec_word_masked(&rec, REC_GRP_IR, dte_pa, d.q[0],
                                 R_DTE0_V_MASK);
            xrmu_rec_word_masked(&rec, REC_GRP_IR, dte_pa + 8, d.q[1],
                                 R_DTE1_IM_MASK | R_DTE1_IRSV_MASK);
            xrmu_rec_word(&rec, REC_GRP_IR, dte_pa + 16, d.q[2]);
            xrmu_rec_word(&rec, 1, irte_addr, q[0]);
            xrmu_rec_word(&rec, 1, irte_addr + 8, q[1]);
            xrmu_rec_add(s, &rec);
        }
    }
    svt = FIELD_EX64(q[0], IRTE0, SVT);
    dlm = FIELD_EX64(q[0], IRTE0, DLM);
    vector = FIELD_EX64(q[0], IRTE0, VECTOR);
    if ((q[0] & IRTE0_RSVD) || (q[1] & IRTE1_RSVD) || svt == 3 ||
        (dlm != 0 && dlm != 1 && dlm != 4) || (dlm != 4 && vector < 16)) {
        xrmu_violation(s, RULE_IRTE, "RID 0x%04x IRTE %u (0x%" PRIx64
                       " 0x%" PRIx64 ") malformed", rid, index, q[0], q[1]);
        f.reason = F_IR_IRTE_RSVD;
        goto block;
    }
    if (d.q[1] & R_DTE1_IRSV_MASK) {
        uint16_t sid = FIELD_EX64(q[1], IRTE1, SID);
        bool ok = true;

        if (svt == 1) {
            uint16_t m = ~((1u << FIELD_EX64(q[0], IRTE0, SQ)) - 1) & 0xffff;

            ok = (rid & m) == (sid & m);
        } else if (svt == 2) {
            ok = PCI_BUS_NUM(rid) >= (sid >> 8) &&
                 PCI_BUS_NUM(rid) <= (sid & 0xff);
        }
        if (!ok) {
            f.reason = F_IR_SID;
            f.suppress = q[0] & R_IRTE0_FPD_MASK;
            goto block;
        }
    }
    dest = FIELD_EX64(q[0], IRTE0, DEST);
    out_addr = XRMU_IRWIN_BASE | ((uint64_t)(dest & 0xff) << 12) |
               ((uint64_t)FIELD_EX64(q[0], IRTE0, RH) << 3) |
               ((uint64_t)FIELD_EX64(q[0], IRTE0, DM) << 2) |
               ((uint64_t)(dest >> 8) << 40);
    out_data = vector | (dlm << 8) |
               (FIELD_EX64(q[0], IRTE0, TM) ? (BIT(15) | BIT(14)) : 0);
    if (dest >> 8) {
        qemu_log_mask(LOG_UNIMP, "xrmu: IRTE destination 0x%x > 255 is "
                      "not deliverable through the 32-bit MSI window\n", dest);
    }
    s->cnt[CNT_IR_REMAP]++;
    s->last_fault.valid = false;
    trace_xrmu_ir_remap(rid, addr, (uint32_t)data, out_addr, out_data);
    xrmu_msg(s, out_addr, out_data, 4, MEMTXATTRS_UNSPECIFIED);
    return;

block:
    xrmu_fault_start(s, rid, ACC_INTR, f.reason, addr, size);
    s->cnt[CNT_IR_BLOCK]++;
    trace_xrmu_ir_block(rid, addr, data, f.reason);
    xrmu_fault(s, rid, &f);
    return;

pass:
    trace_xrmu_ir_pass(rid, addr, data);
    xrmu_msg(s, addr, data, size, attrs);
}

static MemTxResult xrmu_irwin_write(void *opaque, hwaddr offset,
                                    uint64_t data, unsigned size,
                                    MemTxAttrs attrs)
{
    XrmuDevAS *as = opaque;
    XrmuState *s = as->s;
    uint16_t rid = attrs.unspecified ? xrmu_as_rid(as) : attrs.requester_id;

    xrmu_lock(s);
    xrmu_ir_request(s, as, rid, XRMU_IRWIN_BASE + offset, data, size, attrs);
    xrmu_unlock(s);
    return MEMTX_OK;
}

static MemTxResult xrmu_irwin_read(void *opaque, hwaddr offset,
                                   uint64_t *data, unsigned size,
                                   MemTxAttrs attrs)
{
    XrmuDevAS *as = opaque;
    XrmuState *s = as->s;
    uint16_t rid = attrs.unspecified ? xrmu_as_rid(as) : attrs.requester_id;
    uint64_t addr = XRMU_IRWIN_BASE + offset;
    MemTxResult r = MEMTX_OK;
    uint8_t buf[8] = { 0 };

    *data = 0;
    xrmu_lock(s);
    if (xrmu_covers(s, as->bus, rid) && xrmu_gone(s)) {
        trace_xrmu_gone_abort(rid, ACC_READ, addr);
        r = MEMTX_DECODE_ERROR;
    } else if (xrmu_covers(s, as->bus, rid) &&
               xrmu_fault_continues(s, rid, ACC_READ, addr, size)) {
        r = MEMTX_DECODE_ERROR;
    } else if (xrmu_covers(s, as->bus, rid) &&
               (s->status & R_STATUS_EN_ACK_MASK)) {
        XrmuFault f = { .reason = F_IR_MALFORMED, .acc = ACC_READ,
                        .addr = addr };

        xrmu_fault_start(s, rid, ACC_READ, F_IR_MALFORMED, addr, size);
        xrmu_fault(s, rid, &f);
        r = MEMTX_DECODE_ERROR;
    } else if (xrmu_covers(s, as->bus, rid) &&
               (s->status & R_STATUS_BLK_ACK_MASK)) {
        xrmu_fault_start(s, rid, ACC_READ, F_BLOCKED, addr, size);
        s->cnt[CNT_FAULT]++;
        r = MEMTX_DECODE_ERROR;
    } else {
        r = address_space_read(&address_space_memory, addr, attrs, buf, size);
        *data = ldq_le_p(buf);
    }
    xrmu_unlock(s);
    return r;
}

static const MemoryRegionOps xrmu_irwin_ops = {
    .read_with_attrs = xrmu_irwin_read,
    .write_with_attrs = xrmu_irwin_write,
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

static AddressSpace *xrmu_get_address_space(PCIBus *bus, void *opaque,
                                            int devfn)
{
    XrmuState *s = opaque;
    XrmuBusAS *ba;
    XrmuDevAS *as;
    char *name;

    if (bus == s->bus && devfn == s->devfn) {
        return &address_space_memory;
    }
    if (devfn < 0 || devfn >= PCI_DEVFN_MAX) {
        return &address_space_memory;
    }
    ba = g_hash_table_lookup(s->as_by_bus, bus);
    if (!ba) {
        ba = g_new0(XrmuBusAS, 1);
        g_hash_table_insert(s->as_by_bus, bus, ba);
    }
    as = ba->dev[devfn];
    if (as) {
        return &as->as;
    }
    as = g_new0(XrmuDevAS, 1);
    as->s = s;
    as->bus = bus;
    as->devfn = devfn;
    ba->dev[devfn] = as;

    name = g_strdup_printf("xrmu-%s-%02x.%x", bus->qbus.name ?: "pci",
                           PCI_SLOT(devfn), PCI_FUNC(devfn));
    memory_region_init(&as->root, OBJECT(s), name, UINT64_MAX);
    memory_region_init_iommu(&as->iommu, sizeof(as->iommu),
                             TYPE_XRMU_IOMMU_MR, OBJECT(s), "xrmu-dma",
                             UINT64_MAX);
    memory_region_init_io(&as->irwin, OBJECT(s), &xrmu_irwin_ops, as,
                          "xrmu-irwin", XRMU_IRWIN_SIZE);
    memory_region_add_subregion_overlap(&as->root, 0,
                                        MEMORY_REGION(&as->iommu), 0);
    memory_region_add_subregion_overlap(&as->root, XRMU_IRWIN_BASE,
                                        &as->irwin, 1);
    address_space_init(&as->as, &as->root, name);
    g_free(name);
    return &as->as;
}

static const PCIIOMMUOps xrmu_iommu_ops = {
    .get_address_space = xrmu_get_address_space,
    /*
     * The unit is a function of the hierarchy it translates: a
     * bypass_iommu host bridge (kept out of a platform IOMMU's reach)
     * still goes through it (patches/0004).
     */
    .below_host_bridge = true,
};

/* ---------------------------------------------------------------- */
/* Command queue                                                    */

static void xrmu_inv_iotlb(XrmuState *s, unsigned scope, uint16_t did,
                           uint64_t start, uint64_t end)
{
    XrmuCache *c = &s->iotlb;
    uint32_t i;

    for (i = 0; c->ent && i < c->sets * c->ways; i++) {
        XrmuCacheEnt *e = &c->ent[i];
        uint64_t lo, hi;

        if (!e->valid) {
            continue;
        }
        if (scope == 2) {
            e->valid = false;
            continue;
        }
        if ((e->tag & 0xffff) != did) {
            continue;
        }
        if (scope == 1) {
            e->valid = false;
            continue;
        }
        lo = e->d[0];
        hi = e->d[0] + e->d[2];
        if (lo <= end && hi >= start) {
            e->valid = false;
        }
    }
}

static void xrmu_inv_dtc(XrmuState *s, bool all, uint16_t rid)
{
    XrmuCacheEnt *ce;

    if (all) {
        xrmu_cache_flush(&s->dtc);
        return;
    }
    ce = xrmu_cache_find(&s->dtc, DTC_TAG_DTE(rid));
    if (ce) {
        ce->valid = false;
    }
    ce = xrmu_cache_find(&s->dtc, DTC_TAG_L1E(rid >> 7));
    if (ce) {
        ce->valid = false;
    }
}

static void xrmu_inv_irtc(XrmuState *s, bool all, uint16_t rid,
                          uint32_t first, uint64_t last)
{
    XrmuCache *c = &s->irtc;
    uint32_t i;

    for (i = 0; c->ent && i < c->sets * c->ways; i++) {
        XrmuCacheEnt *e = &c->ent[i];
        uint32_t idx = e->tag & 0xffffffff;

        if (!e->valid) {
            continue;
        }
        if (all || ((e->tag >> 32) == rid && idx >= first && idx <= last)) {
            e->valid = false;
        }
    }
}

/*
 * Execute one command; returns 0 or a CMDQ error code.  *irq is set when
 * a SYNC asks for vector 1 (sent after HEAD moves past the SYNC).
 */
static int xrmu_cmd_exec(XrmuState *s, uint32_t slot, uint64_t q0,
                         uint64_t q1, bool *irq)
{
    unsigned op = FIELD_EX64(q0, CMD0, OPCODE);
    const char *bad = NULL;

    switch (op) {
    case OP_NOP:
        if ((q0 & ~R_CMD0_OPCODE_MASK) || q1) {
            bad = "NOP with reserved bits set";
        }
        break;
    case OP_INV_DTE: {
        bool all = FIELD_EX64(q0, CMD0, ALL);
        uint16_t rid = FIELD_EX64(q0, CMD0, RID);

        if ((q0 & ~(R_CMD0_OPCODE_MASK | R_CMD0_ALL_MASK |
                    R_CMD0_RID_MASK)) || q1 || (all && rid)) {
            bad = "INV_DTE with reserved bits set";
            break;
        }
        trace_xrmu_inv_dte(all, rid);
        xrmu_inv_dtc(s, all, rid);
        if (all) {
            xrmu_rec_inv_dte_all(s);
            s->en_inv_exec |= EN_INV_DTE;
        } else {
            xrmu_rec_retire_tag(s, REC_DTE, rid);
            xrmu_rec_retire_tag(s, REC_L1E, rid >> 7);
        }
        xrmu_notify_unmap_all(s);
        break;
    }
    case OP_INV_IOTLB: {
        unsigned scope = FIELD_EX64(q0, CMD0, SCOPE);
        uint16_t did = FIELD_EX64(q0, CMD0, DID);
        uint64_t start = 0, end = 0, npages = 0;

        if ((q0 & 0xfc00) || scope > SCOPE_GLOBAL ||
            (scope != SCOPE_RANGE &&
             (FIELD_EX64(q0, CMD0, NPAGES_M1) || q1)) ||
            (scope == SCOPE_GLOBAL && did) ||
            (scope == SCOPE_RANGE && (q1 & 0xfff))) {
            bad = "INV_IOTLB with bad scope or reserved bits set";
            break;
        }
        if (scope == SCOPE_RANGE) {
            npages = FIELD_EX64(q0, CMD0, NPAGES_M1) + 1ULL;
            start = PAGE_ADDR(q1);
            end = start + (npages << 12) - 1;
            if (end < start) {
                end = UINT64_MAX;
            }
        }
        trace_xrmu_inv_iotlb(scope, did, start, npages);
        xrmu_inv_iotlb(s, scope, did, start, end);
        xrmu_rec_inv_iotlb(s, scope, did, start, end);
        if (scope == SCOPE_GLOBAL) {
            s->en_inv_exec |= EN_INV_IOTLB;
        }
        xrmu_notify_unmap_all(s);
        break;
    }
    case OP_INV_IRTE: {
        bool all = FIELD_EX64(q0, CMD0, ALL);
        uint16_t rid = FIELD_EX64(q0, CMD0, RID);
        uint32_t first = FIELD_EX64(q1, CMD1, INDEX);
        uint64_t count = FIELD_EX64(q0, CMD0, COUNT_M1) + 1ULL;

        if ((q0 & 0xfe00) || (q1 & ~R_CMD1_INDEX_MASK) ||
            (all && ((q0 & ~(R_CMD0_OPCODE_MASK | R_CMD0_ALL_MASK)) ||
                     q1))) {
            bad = "INV_IRTE with reserved bits set";
            break;
        }
        trace_xrmu_inv_irte(all, rid, first, count);
        xrmu_inv_irtc(s, all, rid, first, first + count - 1);
        xrmu_rec_inv_irte(s, all, rid, first, first + count - 1);
        if (all) {
            s->en_inv_exec |= EN_INV_IRTE;
        }
        break;
    }
    case OP_SYNC: {
        bool wr = FIELD_EX64(q0, CMD0, WR);
        bool irq_req = FIELD_EX64(q0, CMD0, IRQ);
        uint32_t data = FIELD_EX64(q0, CMD0, DATA);
        uint64_t addr = q1 & ~3ULL;
        uint8_t buf[4];

        if ((q0 & 0xfffffc00ULL) || (q1 & 3) ||
            (wr && xrmu_above_paw(s, q1)) || (!wr && q1)) {
            bad = "SYNC with reserved bits set";
            break;
        }
        trace_xrmu_sync(wr, irq_req, addr, data);
        xrmu_rec_sync(s, s->pub_epoch ? s->pub_epoch[slot] : 0);
        if (wr) {
            stl_le_p(buf, data);
            if (xrmu_dma_write(s, addr, buf, 4, 0) != MEMTX_OK) {
                return CMDQ_ERR_SYNC_WRITE;
            }
        }
        *irq = irq_req;
        break;
    }
    default:
        bad = "illegal opcode";
        break;
    }
    if (bad) {
        xrmu_violation(s, RULE_CMD, "command 0x%016" PRIx64 " 0x%016" PRIx64
                       ": %s", q0, q1, bad);
        return CMDQ_ERR_ILLEGAL;
    }
    return 0;
}

static bool xrmu_cmdq_runnable(XrmuState *s)
{
    return (s->status & R_STATUS_CMDQ_ON_MASK) &&
           !(s->cmdq_sts & R_CMDQ_STS_ERR_MASK) &&
           !(s->dbg_inject & (R_DBG_INJECT_CMDQ_STALL_MASK |
                              R_DBG_INJECT_UNIT_GONE_MASK)) &&
           s->cmdq_head % xrmu_cmdq_n(s) != s->cmdq_tail % xrmu_cmdq_n(s);
}

/* Execute up to @budget commands from HEAD */
static void xrmu_cmdq_process(XrmuState *s, uint32_t budget)
{
    uint32_t n;

    if (s->in_cmdq) {
        return;
    }
    s->in_cmdq = true;
    n = xrmu_cmdq_n(s);
    for (; budget > 0; budget--) {
        uint64_t q[2];
        uint32_t head = s->cmdq_head % n;
        bool irq = false;
        int err = 0;

        if (!xrmu_cmdq_runnable(s)) {
            break;
        }
        if (xrmu_read_qwords(s, PAGE_ADDR(s->cmdq_base) + head * CMD_SIZE,
                             q, 2, R_DBG_INJECT_CMDQ_READ_ERR_MASK)
            != MEMTX_OK) {
            err = CMDQ_ERR_READ;
        } else if (s->dbg_inject & R_DBG_INJECT_CMD_ILLEGAL_MASK) {
            s->dbg_inject &= ~R_DBG_INJECT_CMD_ILLEGAL_MASK;
            trace_xrmu_inject_fire(R_DBG_INJECT_CMD_ILLEGAL_MASK, q[0]);
            err = CMDQ_ERR_ILLEGAL;
        } else {
            trace_xrmu_cmd(head, q[0], q[1]);
            err = xrmu_cmd_exec(s, head, q[0], q[1], &irq);
        }
        if (err) {
            s->cmdq_sts = FIELD_DP32(R_CMDQ_STS_ERR_MASK, CMDQ_STS, ERRCODE,
                                     err);
            trace_xrmu_cmd_error(head, err);
            xrmu_irq(s, XRMU_VEC_CMD);
            break;
        }
        s->cmdq_head = (head + 1) % n;
        s->cnt[CNT_CMD]++;
        if (irq) {
            xrmu_irq(s, XRMU_VEC_CMD);
        }
    }
    s->in_cmdq = false;
}

/*
 * Commands execute after the register write that made them runnable has
 * returned: the command at HEAD completes cmd-latency-ns of virtual time
 * after the previous one (or after the write), in queue order.  With
 * cmd-latency-ns=0 every runnable command executes in one timer callback
 * (the next main-loop iteration); with cmd-sync=on they execute within
 * the write, as the model did before.
 */
static void xrmu_cmdq_kick(XrmuState *s)
{
    if (!xrmu_cmdq_runnable(s)) {
        return;
    }
    if (s->cmd_sync || !s->cmd_timer) {
        xrmu_cmdq_process(s, xrmu_cmdq_n(s));
        return;
    }
    if (!timer_pending(s->cmd_timer)) {
        timer_mod(s->cmd_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                  s->cmd_latency_ns);
    }
}

/* Queue stopped (CMDQ_ON 1 -> 0, RESET): unexecuted commands are dropped */
static void xrmu_cmdq_stop(XrmuState *s)
{
    if (s->cmd_timer) {
        timer_del(s->cmd_timer);
    }
}

static void xrmu_cmd_timer_cb(void *opaque)
{
    XrmuState *s = opaque;

    xrmu_lock(s);
    xrmu_cmdq_process(s, s->cmd_latency_ns ? 1 : xrmu_cmdq_n(s));
    xrmu_cmdq_kick(s);
    xrmu_unlock(s);
}

/* ---------------------------------------------------------------- */
/* Registers                                                        */

/* Drop a CTRL write delayed by DBG_INJECT.CTRL_DELAY */
static void xrmu_ctrl_cancel(XrmuState *s)
{
    s->ctrl_pending = false;
    if (s->ctrl_timer) {
        timer_del(s->ctrl_timer);
    }
}

/*
 * RESET register (unreachable once the unit is gone) and device reset;
 * clears DBG_INJECT, UNIT_GONE included
 */
static void xrmu_unit_reset(XrmuState *s)
{
    s->ctrl = 0;
    s->status = 0;
    s->dtbase = 0;
    s->cmdq_base = 0;
    s->cmdq_head = 0;
    s->cmdq_tail = 0;
    s->cmdq_sts = 0;
    s->fltq_base = 0;
    s->fltq_head = 0;
    s->fltq_tail = 0;
    s->fltq_sts = 0;
    s->fltq_lost = 0;
    s->dbg_inject = 0;
    xrmu_cmdq_stop(s);
    xrmu_ctrl_cancel(s);
    memset(s->latched, 0, sizeof(s->latched));
    s->last_fault.valid = false;
    xrmu_cache_flush(&s->dtc);
    xrmu_cache_flush(&s->iotlb);
    xrmu_cache_flush(&s->irtc);
    xrmu_rec_clear(s);
    xrmu_notify_unmap_all(s);
    s->en_inv_done = 0;
    s->en_inv_exec = 0;
    s->en_was_set = false;
    trace_xrmu_reset();
}

/*
 * Store a base register value: RsvdZ bits (R2) and address bits at or
 * above PAW (R13) are reported and not stored.
 */
static uint64_t xrmu_base_value(XrmuState *s, const char *reg, uint64_t val,
                                uint64_t rsvd)
{
    uint64_t paw_mask = s->paw < 64 ? ~0ULL << s->paw : 0;

    if (val & rsvd) {
        xrmu_violation(s, RULE_REG_RSVD, "%s 0x%" PRIx64
                       ": reserved bits set", reg, val);
    }
    if (val & paw_mask) {
        xrmu_violation(s, RULE_PTR, "%s 0x%" PRIx64 ": address bits at or "
                       "above PAW (%u) set", reg, val, s->paw);
    }
    return val & ~rsvd & ~paw_mask;
}

static void xrmu_write_dtbase(XrmuState *s, uint64_t val)
{
    unsigned l = FIELD_EX64(val, DTBASE, LOG2SZ);

    if ((s->ctrl & R_CTRL_EN_MASK) || (s->status & R_STATUS_EN_ACK_MASK)) {
        xrmu_violation(s, RULE_BASE_WHILE_ON,
                       "DTBASE written while translation is enabled");
        return;
    }
    if (l < 7 || l > 16) {
        xrmu_violation(s, RULE_LOG2SZ, "DTBASE LOG2SZ %u not in 7..16", l);
    }
    s->dtbase = xrmu_base_value(s, "DTBASE", val, DTB_RSVD);
}

static void xrmu_write_qbase(XrmuState *s, bool cmdq, uint64_t val)
{
    const char *name = cmdq ? "CMDQ_BASE" : "FLTQ_BASE";
    uint32_t en = cmdq ? R_CTRL_CMDQ_EN_MASK : R_CTRL_FLTQ_EN_MASK;
    uint32_t on = cmdq ? R_STATUS_CMDQ_ON_MASK : R_STATUS_FLTQ_ON_MASK;
    unsigned max = cmdq ? s->cmdq_max_log2 : s->fltq_max_log2;
    unsigned l = FIELD_EX64(val, QBASE, LOG2SZ);

    if ((s->ctrl & en) || (s->status & on)) {
        xrmu_violation(s, RULE_BASE_WHILE_ON, "%s written while the queue "
                       "is enabled", name);
        return;
    }
    if (l < 4 || l > max) {
        xrmu_violation(s, RULE_LOG2SZ, "%s LOG2SZ %u not in 4..%u",
                       name, l, max);
    }
    val = xrmu_base_value(s, name, val, QB_RSVD);
    if (cmdq) {
        s->cmdq_base = val;
    } else {
        s->fltq_base = val;
    }
}

static bool xrmu_bus_master(XrmuState *s)
{
    return s->host_ops->bus_master(s->host);
}

/* Start a queue (its enable went 0 -> 1); returns true if started. */
static bool xrmu_queue_start(XrmuState *s, bool cmdq)
{
    uint64_t base = cmdq ? s->cmdq_base : s->fltq_base;
    unsigned max = cmdq ? s->cmdq_max_log2 : s->fltq_max_log2;
    unsigned l = FIELD_EX64(base, QBASE, LOG2SZ);

    if (l < 4 || l > max) {
        xrmu_violation(s, RULE_LOG2SZ, "%s started with LOG2SZ %u not in "
                       "4..%u", cmdq ? "command queue" : "fault queue",
                       l, max);
        return false;
    }
    if (!xrmu_bus_master(s)) {
        /* R22 is not visible to hardware; leave a hint for debugging */
        qemu_log_mask(LOG_GUEST_ERROR, "xrmu: %s started with Bus Master "
                      "Enable clear: its DMA and MSI-X will fail\n",
                      cmdq ? "command queue" : "fault queue");
    }
    if (cmdq) {
        s->cmdq_head = 0;
        s->cmdq_tail = 0;
        s->cmdq_sts = 0;
    } else {
        s->fltq_head = 0;
        s->fltq_tail = 0;
        s->fltq_sts = 0;
        s->fltq_lost = 0;
    }
    return true;
}

static void xrmu_write_ctrl(XrmuState *s, uint32_t val)
{
    uint32_t old = s->ctrl, sts = s->status, old_sts = s->status;
    unsigned dtl = FIELD_EX64(s->dtbase, DTBASE, LOG2SZ);

    if (val & ~XRMU_CTRL_DEFINED) {
        xrmu_violation(s, RULE_REG_RSVD, "CTRL 0x%x: reserved bits set", val);
        val &= XRMU_CTRL_DEFINED;
    }

    /* switch off: IRE, EN, then the queues */
    if (!(val & R_CTRL_IRE_MASK) || !(val & R_CTRL_EN_MASK)) {
        sts &= ~R_STATUS_IRE_ACK_MASK;
    }
    if (!(val & R_CTRL_EN_MASK)) {
        sts &= ~R_STATUS_EN_ACK_MASK;
        if (old & R_CTRL_EN_MASK) {
            s->en_inv_done = 0;
            s->en_inv_exec = 0;
        }
    }
    if (!(val & R_CTRL_CMDQ_EN_MASK)) {
        sts &= ~R_STATUS_CMDQ_ON_MASK;
        xrmu_cmdq_stop(s);
    }
    if (!(val & R_CTRL_FLTQ_EN_MASK)) {
        sts &= ~R_STATUS_FLTQ_ON_MASK;
    }

    /* switch on: the queues, EN, then IRE */
    /* a refused start is not stored: CTRL reads 0 there, and retries */
    if ((val & R_CTRL_CMDQ_EN_MASK) && !(old & R_CTRL_CMDQ_EN_MASK)) {
        if (xrmu_queue_start(s, true)) {
            sts |= R_STATUS_CMDQ_ON_MASK;
        } else {
            val &= ~R_CTRL_CMDQ_EN_MASK;
        }
    }
    if ((val & R_CTRL_FLTQ_EN_MASK) && !(old & R_CTRL_FLTQ_EN_MASK)) {
        if (xrmu_queue_start(s, false)) {
            sts |= R_STATUS_FLTQ_ON_MASK;
        } else {
            val &= ~R_CTRL_FLTQ_EN_MASK;
        }
    }
    if ((val & R_CTRL_EN_MASK) && !(old & R_CTRL_EN_MASK)) {
        if (!(sts & R_STATUS_CMDQ_ON_MASK) || dtl < 7 || dtl > 16) {
            xrmu_violation(s, RULE_EN, "EN refused: %s",
                           !(sts & R_STATUS_CMDQ_ON_MASK) ?
                           "command queue not on" : "DTBASE.LOG2SZ invalid");
            val &= ~R_CTRL_EN_MASK;
        } else {
            uint32_t need = EN_INV_DTE | EN_INV_IOTLB |
                            (s->cap & R_CAP_IR_MASK ? EN_INV_IRTE : 0);

            if (s->stale_check && s->en_was_set &&
                (s->en_inv_done & need) != need) {
                xrmu_violation(s, RULE_STALE, "EN set without %s%s%s "
                               "completed (a SYNC after it) since EN was "
                               "last cleared",
                               s->en_inv_done & EN_INV_DTE ? "" :
                               "INV_DTE ALL ",
                               s->en_inv_done & EN_INV_IOTLB ? "" :
                               "INV_IOTLB global ",
                               (need & ~s->en_inv_done) & EN_INV_IRTE ?
                               "INV_IRTE ALL " : "");
            }
            s->en_was_set = true;
            sts |= R_STATUS_EN_ACK_MASK;
        }
    }
    if (val & R_CTRL_IRE_MASK) {
        if (!(s->cap & R_CAP_IR_MASK) || !(val & R_CTRL_EN_MASK)) {
            xrmu_violation(s, RULE_IRE, "IRE refused: %s",
                           !(s->cap & R_CAP_IR_MASK) ? "CAP.IR is 0" :
                           "EN is 0");
            val &= ~R_CTRL_IRE_MASK;
        } else {
            sts |= R_STATUS_IRE_ACK_MASK;
        }
    }
    if (val & R_CTRL_BLK_MASK) {
        sts |= R_STATUS_BLK_ACK_MASK;
    } else {
        sts &= ~R_STATUS_BLK_ACK_MASK;
    }
    s->ctrl = val;
    s->status = sts;
    if (sts != old_sts || val != old) {
        trace_xrmu_enable(old, val, sts);
    }
    /* what a request is translated to changes with EN_ACK and BLK_ACK */
    if ((sts ^ old_sts) & (R_STATUS_EN_ACK_MASK | R_STATUS_BLK_ACK_MASK)) {
        xrmu_notify_unmap_all(s);
    }
    xrmu_cmdq_kick(s);
}

/* Let a CTRL write delayed by DBG_INJECT.CTRL_DELAY take effect now */
static void xrmu_ctrl_flush(XrmuState *s)
{
    if (!s->ctrl_pending) {
        return;
    }
    s->ctrl_pending = false;
    timer_del(s->ctrl_timer);
    trace_xrmu_ctrl_delay_done(s->ctrl_pending_val);
    xrmu_write_ctrl(s, s->ctrl_pending_val);
}

static void xrmu_ctrl_timer_cb(void *opaque)
{
    XrmuState *s = opaque;

    xrmu_lock(s);
    xrmu_ctrl_flush(s);
    xrmu_unlock(s);
}

/*
 * A CTRL write.  A delayed write still pending takes effect first.  With
 * DBG_INJECT.CTRL_DELAY armed (the bit clears as the write is taken) the
 * write takes effect XRMU_CTRL_DELAY_NS of virtual time later, as it
 * would have now; until then CTRL reads it back while the unit goes on
 * with the previous CTRL.
 */
static void xrmu_ctrl_write(XrmuState *s, uint32_t val)
{
    int64_t when;

    xrmu_ctrl_flush(s);
    if (!(s->dbg_inject & R_DBG_INJECT_CTRL_DELAY_MASK)) {
        xrmu_write_ctrl(s, val);
        return;
    }
    s->dbg_inject &= ~R_DBG_INJECT_CTRL_DELAY_MASK;
    when = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + XRMU_CTRL_DELAY_NS;
    s->ctrl_pending = true;
    s->ctrl_pending_val = val;
    timer_mod(s->ctrl_timer, when);
    trace_xrmu_ctrl_delay(val, when);
}

/* What CTRL reads: a delayed write reads back before it takes effect */
static uint32_t xrmu_read_ctrl(XrmuState *s)
{
    return s->ctrl_pending ? s->ctrl_pending_val & XRMU_CTRL_DEFINED
                           : s->ctrl;
}

/*
 * DBG_INJECT.UNIT_GONE went 0 -> 1: from now on the unit executes no
 * command, writes no fault record, sends no interrupt, aborts every
 * request of a covered device, and its registers read all ones and
 * ignore writes.  The one exception is an interrupt already on its way
 * as it vanished: the fault interrupt, once, if FLT_IE is set.
 */
static void xrmu_unit_gone(XrmuState *s)
{
    trace_xrmu_unit_gone(s->ctrl & R_CTRL_FLT_IE_MASK);
    xrmu_irq(s, XRMU_VEC_FLT);
    xrmu_cmdq_stop(s);
    xrmu_ctrl_cancel(s);
    s->last_fault.valid = false;
    s->gone_pending = true;
}

/* A new DBG_INJECT value (register or inject-* property write) */
static void xrmu_write_inject(XrmuState *s, uint32_t val)
{
    if (!xrmu_gone(s) && (val & R_DBG_INJECT_UNIT_GONE_MASK)) {
        /* while UNIT_GONE is still clear, so that the interrupt is sent */
        xrmu_unit_gone(s);
    }
    s->dbg_inject = val;
    trace_xrmu_inject(val);
    xrmu_cmdq_kick(s);
}

static void xrmu_write_cmdq_tail(XrmuState *s, uint32_t val)
{
    uint32_t n = xrmu_cmdq_n(s);

    if (val & ~QIDX_MASK) {
        xrmu_violation(s, RULE_REG_RSVD, "CMDQ_TAIL 0x%x: reserved bits set",
                       val);
        val &= QIDX_MASK;
    }
    if (!(s->status & R_STATUS_CMDQ_ON_MASK)) {
        return;
    }
    if (val >= n) {
        xrmu_violation(s, RULE_CMDQ_TAIL, "CMDQ_TAIL %u >= queue size %u",
                       val, n);
        return;
    }
    /* overfilling (R4) is not visible: the queue just looks short */
    s->tail_epoch++;
    if (s->pub_epoch) {
        uint32_t i;

        for (i = s->cmdq_tail % n; i != val; i = (i + 1) % n) {
            s->pub_epoch[i] = s->tail_epoch;
        }
    }
    s->cmdq_tail = val;
    xrmu_rec_scan(s);
    xrmu_cmdq_kick(s);
}

static void xrmu_write_fltq_head(XrmuState *s, uint32_t val)
{
    uint32_t n = xrmu_fltq_n(s);
    uint32_t head = s->fltq_head % n, tail = s->fltq_tail % n;

    if (val & ~QIDX_MASK) {
        xrmu_violation(s, RULE_REG_RSVD, "FLTQ_HEAD 0x%x: reserved bits set",
                       val);
        val &= QIDX_MASK;
    }
    if (val >= n) {
        xrmu_violation(s, RULE_FLTQ_HEAD, "FLTQ_HEAD %u >= queue size %u",
                       val, n);
        return;
    }
    if ((val + n - head) % n > (tail + n - head) % n) {
        xrmu_violation(s, RULE_FLTQ_HEAD, "FLTQ_HEAD %u outside [HEAD %u, "
                       "TAIL %u]", val, head, tail);
        return;
    }
    s->fltq_head = val;
}

static void xrmu_write64(XrmuState *s, hwaddr reg, uint64_t val)
{
    switch (reg) {
    case A_DTBASE:
        xrmu_write_dtbase(s, val);
        break;
    case A_CMDQ_BASE:
        xrmu_write_qbase(s, true, val);
        break;
    case A_FLTQ_BASE:
        xrmu_write_qbase(s, false, val);
        break;
    default:
        /* RO 64-bit registers and reserved 64-bit slots */
        if (val) {
            xrmu_violation(s, RULE_REG_RSVD, "write of 0x%" PRIx64 " to "
                           "read-only/reserved offset 0x%03" HWADDR_PRIx,
                           val, reg);
        }
        break;
    }
}

static int xrmu_latch_index(hwaddr reg)
{
    switch (reg) {
    case A_DTBASE:
        return L64_DTBASE;
    case A_CMDQ_BASE:
        return L64_CMDQ_BASE;
    case A_FLTQ_BASE:
        return L64_FLTQ_BASE;
    default:
        return -1;
    }
}

static bool xrmu_in_dbg(XrmuState *s, hwaddr addr)
{
    return addr >= XRMU_DBG_BASE && addr < XRMU_DBG_END &&
           (s->cap & R_CAP_DBG_MASK);
}

/* 64-bit registers (and reserved 64-bit slots) at 8-aligned @reg */
static bool xrmu_is_reg64(XrmuState *s, hwaddr reg)
{
    switch (reg) {
    case A_CAP:
    case A_RIDRANGE:
    case A_ECAP:
    case A_DTBASE:
    case A_RSVD38:
    case A_CMDQ_BASE:
    case A_FLTQ_BASE:
        return true;
    }
    /* counters and the reserved 64-bit slot after them */
    return reg >= XRMU_CNT_BASE && reg <= XRMU_CNT_END && xrmu_in_dbg(s, reg);
}

static uint64_t xrmu_ridrange(XrmuState *s)
{
    uint64_t v = FIELD_DP64(0, RIDRANGE, SEG, s->segment);

    v = FIELD_DP64(v, RIDRANGE, BUS_FIRST, s->bus_first);
    return FIELD_DP64(v, RIDRANGE, BUS_LAST, s->bus_last);
}

static uint64_t xrmu_read64(XrmuState *s, hwaddr reg)
{
    switch (reg) {
    case A_CAP:
        return s->cap;
    case A_RIDRANGE:
        return xrmu_ridrange(s);
    case A_DTBASE:
        return s->dtbase;
    case A_CMDQ_BASE:
        return s->cmdq_base;
    case A_FLTQ_BASE:
        return s->fltq_base;
    }
    if (reg >= XRMU_CNT_BASE && reg < XRMU_CNT_END && xrmu_in_dbg(s, reg)) {
        return s->cnt[(reg - XRMU_CNT_BASE) / 8];
    }
    return 0;
}

static uint32_t xrmu_read32(XrmuState *s, hwaddr addr)
{
    hwaddr reg = addr & ~7ULL;

    if (xrmu_is_reg64(s, reg)) {
        return xrmu_read64(s, reg) >> ((addr & 4) * 8);
    }
    switch (addr) {
    case A_VERSION:
        return XRMU_VERSION_VAL;
    case A_CTRL:
        return xrmu_read_ctrl(s);
    case A_STATUS:
        return s->status;
    case A_CMDQ_HEAD:
        return s->cmdq_head;
    case A_CMDQ_TAIL:
        return s->cmdq_tail;
    case A_CMDQ_STS:
        return s->cmdq_sts;
    case A_FLTQ_HEAD:
        return s->fltq_head;
    case A_FLTQ_TAIL:
        return s->fltq_tail;
    case A_FLTQ_STS:
        return s->fltq_sts;
    case A_FLTQ_LOST:
        return s->fltq_lost;
    }
    if (!xrmu_in_dbg(s, addr)) {
        return 0;
    }
    switch (addr) {
    case A_DBG_VIOL_COUNT:
        return s->viol_count;
    case A_DBG_VIOL_LAST:
        return s->viol_last;
    case A_DBG_INJECT:
        return s->dbg_inject;
    }
    return 0;
}

static void xrmu_write32(XrmuState *s, hwaddr addr, uint32_t val)
{
    hwaddr reg = addr & ~7ULL;
    int li = xrmu_latch_index(reg);

    if (li >= 0) {
        if (!(addr & 4)) {
            s->latch[li] = val;
            s->latched[li] = true;
            return;
        }
        if (!s->latched[li]) {
            xrmu_violation(s, RULE_REG_RSVD, "high half of 64-bit register "
                           "0x%03" HWADDR_PRIx " written without low half",
                           reg);
            s->latch[li] = (uint32_t)xrmu_read64(s, reg);
        }
        s->latched[li] = false;
        xrmu_write64(s, reg, ((uint64_t)val << 32) | s->latch[li]);
        return;
    }
    switch (addr) {
    case A_CTRL:
        xrmu_ctrl_write(s, val);
        return;
    case A_RESET:
        if (val == XRMU_RESET_MAGIC) {
            xrmu_unit_reset(s);
        } else {
            xrmu_violation(s, RULE_REG_RSVD, "RESET written with 0x%x", val);
        }
        return;
    case A_CMDQ_TAIL:
        xrmu_write_cmdq_tail(s, val);
        return;
    case A_CMDQ_STS:
        if (val & CMDQ_STS_RSVD) {
            xrmu_violation(s, RULE_REG_RSVD, "CMDQ_STS 0x%x: reserved bits "
                           "set", val);
        }
        if ((val & R_CMDQ_STS_ERR_MASK) &&
            (s->cmdq_sts & R_CMDQ_STS_ERR_MASK)) {
            s->cmdq_sts = 0;
            xrmu_cmdq_kick(s);
        }
        return;
    case A_FLTQ_HEAD:
        xrmu_write_fltq_head(s, val);
        return;
    case A_FLTQ_STS:
        if (val & ~(R_FLTQ_STS_OVF_MASK | R_FLTQ_STS_WERR_MASK)) {
            xrmu_violation(s, RULE_REG_RSVD, "FLTQ_STS 0x%x: reserved bits "
                           "set", val);
        }
        s->fltq_sts &= ~(val & (R_FLTQ_STS_OVF_MASK | R_FLTQ_STS_WERR_MASK));
        return;
    }
    if (addr == A_DBG_INJECT && xrmu_in_dbg(s, addr)) {
        if (val & ~XRMU_INJ_DEFINED) {
            xrmu_violation(s, RULE_REG_RSVD, "DBG_INJECT 0x%x: reserved "
                           "bits set", val);
        }
        xrmu_write_inject(s, val & XRMU_INJ_DEFINED);
        return;
    }
    /* RO registers, RO halves of 64-bit registers, undefined offsets */
    if (val) {
        xrmu_violation(s, RULE_REG_RSVD, "write of 0x%x to read-only or "
                       "undefined offset 0x%03" HWADDR_PRIx, val, addr);
    }
}

/* Supported: aligned 32-bit anywhere, aligned 64-bit to 64-bit registers */
static bool xrmu_access_ok(XrmuState *s, hwaddr addr, unsigned size,
                           bool write)
{
    if ((size == 4 && !(addr & 3)) ||
        (size == 8 && !(addr & 7) && xrmu_is_reg64(s, addr))) {
        return true;
    }
    xrmu_violation(s, RULE_REG_RSVD, "unsupported %u-byte %s at offset "
                   "0x%03" HWADDR_PRIx, size, write ? "write" : "read", addr);
    return false;
}

static uint64_t xrmu_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    XrmuState *s = opaque;
    uint64_t val = 0;

    xrmu_lock(s);
    if (xrmu_gone(s)) {
        /* nothing answers: the read completes with all ones */
        val = MAKE_64BIT_MASK(0, size * 8);
    } else if (addr < XRMU_REG_BLOCK &&
               xrmu_access_ok(s, addr, size, false)) {
        val = size == 8 ? xrmu_read64(s, addr) : xrmu_read32(s, addr);
    }
    xrmu_unlock(s);
    trace_xrmu_reg_read(addr, size, val);
    return val;
}

static void xrmu_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    XrmuState *s = opaque;
    int li;

    trace_xrmu_reg_write(addr, size, val);
    if (addr >= XRMU_REG_BLOCK) {
        return;
    }
    xrmu_lock(s);
    if (xrmu_gone(s)) {
        /* nothing takes the write, nor checks it */
        xrmu_unlock(s);
        return;
    }
    s->last_fault.valid = false;
    if (xrmu_access_ok(s, addr, size, true)) {
        li = xrmu_latch_index(addr);
        if (size == 8 && li >= 0) {
            s->latched[li] = false;
        }
        if (size == 8) {
            xrmu_write64(s, addr, val);
        } else {
            xrmu_write32(s, addr, val);
        }
    }
    xrmu_unlock(s);
}

static const MemoryRegionOps xrmu_mmio_ops = {
    .read = xrmu_mmio_read,
    .write = xrmu_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* ---------------------------------------------------------------- */
/* QOM                                                              */

static void xrmu_get_violations(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    XrmuState *s = XRMU(obj);
    uint32_t val;

    if (s->lock_init) {
        xrmu_lock(s);
    }
    val = s->viol_count;
    if (s->lock_init) {
        xrmu_unlock(s);
    }
    visit_type_uint32(v, name, &val, errp);
}

typedef struct XrmuInjectProp {
    const char *name;
    uint32_t bit;
    const char *desc;
} XrmuInjectProp;

static const XrmuInjectProp xrmu_inject_props[] = {
    { "inject-cmdq-stall", R_DBG_INJECT_CMDQ_STALL_MASK,
      "command queue makes no progress while set" },
    { "inject-cmd-illegal", R_DBG_INJECT_CMD_ILLEGAL_MASK,
      "next command consumed is reported ILLEGAL (self-clears)" },
    { "inject-table-read-err", R_DBG_INJECT_TABLE_READ_ERR_MASK,
      "next DT/PT/IRT read fails (self-clears)" },
    { "inject-cmdq-read-err", R_DBG_INJECT_CMDQ_READ_ERR_MASK,
      "next command fetch fails (self-clears)" },
    { "inject-fltq-write-err", R_DBG_INJECT_FLTQ_WRITE_ERR_MASK,
      "next fault record write fails (self-clears)" },
    { "inject-unit-gone", R_DBG_INJECT_UNIT_GONE_MASK,
      "the unit stops responding (registers read all ones, requests of "
      "covered devices are aborted) until a device reset" },
    { "inject-ctrl-delay", R_DBG_INJECT_CTRL_DELAY_MASK,
      "next CTRL write takes effect 50 ms (virtual) later (self-clears)" },
};

static void xrmu_get_inject(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    XrmuState *s = XRMU(obj);
    const XrmuInjectProp *p = opaque;
    bool val = s->dbg_inject & p->bit;

    visit_type_bool(v, name, &val, errp);
}

static void xrmu_set_inject(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    XrmuState *s = XRMU(obj);
    const XrmuInjectProp *p = opaque;
    uint32_t bits;
    bool val;

    if (!visit_type_bool(v, name, &val, errp)) {
        return;
    }
    if (s->lock_init) {
        xrmu_lock(s);
    }
    bits = val ? s->dbg_inject | p->bit : s->dbg_inject & ~p->bit;
    if (!DEVICE(s)->realized) {
        s->dbg_inject = bits;
        trace_xrmu_inject(bits);
    } else if (xrmu_gone(s) && !(bits & R_DBG_INJECT_UNIT_GONE_MASK)) {
        error_setg(errp, "xrmu: %s: only a device reset brings the unit "
                   "back", name);
    } else {
        xrmu_write_inject(s, bits);
    }
    if (s->lock_init) {
        xrmu_unlock(s);
    }
}

static bool xrmu_get_stale_check(Object *obj, Error **errp)
{
    return XRMU(obj)->stale_check;
}

static void xrmu_set_stale_check(Object *obj, bool value, Error **errp)
{
    XrmuState *s = XRMU(obj);

    xrmu_lock(s);
    if (s->stale_check != value) {
        xrmu_rec_clear(s);
    }
    s->stale_check = value;
    xrmu_unlock(s);
}

static bool xrmu_check_props(XrmuState *s, Error **errp)
{
    if (s->aw_bits != 39 && s->aw_bits != 48 && s->aw_bits != 57) {
        error_setg(errp, "xrmu: aw-bits must be 39, 48 or 57");
        return false;
    }
    if (s->did_bits < 1 || s->did_bits > 15) {
        error_setg(errp, "xrmu: did-bits must be in 1..15");
        return false;
    }
    if (s->cmdq_max_log2 < 4 || s->cmdq_max_log2 > 15 ||
        s->fltq_max_log2 < 4 || s->fltq_max_log2 > 15) {
        error_setg(errp, "xrmu: cmdq-max-log2/fltq-max-log2 must be in "
                   "4..15");
        return false;
    }
    if (s->irt_max_log2 > 11) {
        error_setg(errp, "xrmu: irt-max-log2 must be in 0..11");
        return false;
    }
    if (s->paw < 32 || s->paw > 52) {
        error_setg(errp, "xrmu: paw must be in 32..52");
        return false;
    }
    if (s->bus_first > s->bus_last) {
        error_setg(errp, "xrmu: bus-first must not exceed bus-last");
        return false;
    }
    if (!s->iotlb_entries || s->iotlb_entries > 65536 ||
        !s->dtc_entries || s->dtc_entries > 65536 ||
        !s->irtc_entries || s->irtc_entries > 65536) {
        error_setg(errp, "xrmu: cache sizes must be in 1..65536");
        return false;
    }
    if (s->cmd_latency_ns > NANOSECONDS_PER_SECOND) {
        error_setg(errp, "xrmu: cmd-latency-ns must be at most 1000000000");
        return false;
    }
    return true;
}

static void xrmu_realize(DeviceState *dev, Error **errp)
{
    XrmuState *s = XRMU(dev);

    if (!s->host_ops) {
        error_setg(errp, "xrmu: the core needs a host (xrmu-pci)");
        return;
    }
    if (!xrmu_check_props(s, errp)) {
        return;
    }
    if (!s->intremap) {
        s->irt_max_log2 = 0;
    }

    s->cap = R_CAP_AW39_MASK | R_CAP_COH_MASK |
             ((uint64_t)s->did_bits << R_CAP_DIDW_SHIFT) |
             ((uint64_t)s->cmdq_max_log2 << R_CAP_CMDQ_MAXLOG2_SHIFT) |
             ((uint64_t)s->fltq_max_log2 << R_CAP_FLTQ_MAXLOG2_SHIFT) |
             ((uint64_t)s->irt_max_log2 << R_CAP_IRT_MAXLOG2_SHIFT) |
             ((uint64_t)s->paw << R_CAP_PAW_SHIFT);
    if (s->aw_bits >= 48) {
        s->cap |= R_CAP_AW48_MASK;
    }
    if (s->aw_bits >= 57) {
        s->cap |= R_CAP_AW57_MASK;
    }
    if (s->ps2m) {
        s->cap |= R_CAP_PS2M_MASK;
    }
    if (s->ps1g) {
        s->cap |= R_CAP_PS1G_MASK;
    }
    if (s->intremap) {
        s->cap |= R_CAP_IR_MASK;
    }
    if (s->dbg) {
        s->cap |= R_CAP_DBG_MASK;
    }

    memory_region_init_io(&s->regs, OBJECT(s), &xrmu_mmio_ops, s,
                          "xrmu-regs", XRMU_REG_SIZE);
    xrmu_cache_init(&s->dtc, s->dtc_entries);
    xrmu_cache_init(&s->iotlb, s->iotlb_entries);
    xrmu_cache_init(&s->irtc, s->irtc_entries);
    s->as_by_bus = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    s->cmd_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, xrmu_cmd_timer_cb, s);
    s->ctrl_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, xrmu_ctrl_timer_cb, s);
    s->fault_end_bh = qemu_bh_new(xrmu_fault_end_bh, s);
    xrmu_rec_init(s);
    xrmu_unit_reset(s);
}

static void xrmu_unrealize(DeviceState *dev)
{
    XrmuState *s = XRMU(dev);

    /* Per-device address spaces stay: endpoints may still point at them. */
    if (s->cmd_timer) {
        timer_free(s->cmd_timer);
        s->cmd_timer = NULL;
    }
    if (s->ctrl_timer) {
        timer_free(s->ctrl_timer);
        s->ctrl_timer = NULL;
    }
    if (s->fault_end_bh) {
        qemu_bh_delete(s->fault_end_bh);
        s->fault_end_bh = NULL;
    }
}

/* ---------------------------------------------------------------- */
/* Interface to the host wrapper (xrmu.h)                           */

void xrmu_core_attach(XrmuState *s, const XrmuHostOps *ops, void *host,
                      AddressSpace *dma_as, PCIBus *bus, int devfn)
{
    s->host_ops = ops;
    s->host = host;
    s->dma_as = dma_as;
    s->bus = bus;
    s->devfn = devfn;
}

MemoryRegion *xrmu_core_regs(XrmuState *s)
{
    return &s->regs;
}

void xrmu_core_setup_iommu(XrmuState *s, PCIBus *root)
{
    pci_setup_iommu(root, &xrmu_iommu_ops, s);
}

void xrmu_core_reset(XrmuState *s)
{
    xrmu_lock(s);
    xrmu_unit_reset(s);
    xrmu_unlock(s);
}

static void xrmu_instance_init(Object *obj)
{
    XrmuState *s = XRMU(obj);

    qemu_rec_mutex_init(&s->lock);
    s->lock_init = true;
    s->stale_check = true;
}

static void xrmu_instance_finalize(Object *obj)
{
    XrmuState *s = XRMU(obj);

    xrmu_cache_free(&s->dtc);
    xrmu_cache_free(&s->iotlb);
    xrmu_cache_free(&s->irtc);
    xrmu_rec_free(s);
    if (s->lock_init) {
        qemu_rec_mutex_destroy(&s->lock);
        s->lock_init = false;
    }
}

static const Property xrmu_properties[] = {
    DEFINE_PROP_UINT8("aw-bits", XrmuState, aw_bits, 48),
    DEFINE_PROP_BOOL("ps-2m", XrmuState, ps2m, true),
    DEFINE_PROP_BOOL("ps-1g", XrmuState, ps1g, true),
    DEFINE_PROP_UINT8("did-bits", XrmuState, did_bits, 15),
    DEFINE_PROP_BOOL("intremap", XrmuState, intremap, true),
    DEFINE_PROP_UINT8("cmdq-max-log2", XrmuState, cmdq_max_log2, 15),
    DEFINE_PROP_UINT8("fltq-max-log2", XrmuState, fltq_max_log2, 15),
    DEFINE_PROP_UINT8("irt-max-log2", XrmuState, irt_max_log2, 11),
    DEFINE_PROP_UINT8("paw", XrmuState, paw, 48),
    DEFINE_PROP_UINT16("segment", XrmuState, segment, 0),
    DEFINE_PROP_UINT8("bus-first", XrmuState, bus_first, 0),
    DEFINE_PROP_UINT8("bus-last", XrmuState, bus_last, 255),
    DEFINE_PROP_UINT32("iotlb-entries", XrmuState, iotlb_entries, 256),
    DEFINE_PROP_UINT32("dtc-entries", XrmuState, dtc_entries, 64),
    DEFINE_PROP_UINT32("irtc-entries", XrmuState, irtc_entries, 64),
    DEFINE_PROP_BOOL("dbg", XrmuState, dbg, true),
    DEFINE_PROP_BOOL("cmd-sync", XrmuState, cmd_sync, false),
    DEFINE_PROP_UINT32("cmd-latency-ns", XrmuState, cmd_latency_ns, 2000),
};

static const VMStateDescription xrmu_vmstate = {
    .name = "xrmu",
    .unmigratable = 1,
};

static void xrmu_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    size_t i;

    dc->realize = xrmu_realize;
    dc->unrealize = xrmu_unrealize;
    dc->desc = "xrmu I/O remapping unit core (part of xrmu-pci)";
    dc->vmsd = &xrmu_vmstate;
    dc->hotpluggable = false;
    /* only as the child of a host wrapper */
    dc->user_creatable = false;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, xrmu_properties);

    object_class_property_add(oc, "conformance-violations", "uint32",
                              xrmu_get_violations, NULL, NULL, NULL);
    object_class_property_set_description(oc, "conformance-violations",
        "number of driver conformance violations seen (read-only)");
    object_class_property_add_bool(oc, "stale-check", xrmu_get_stale_check,
                                   xrmu_set_stale_check);
    object_class_property_set_description(oc, "stale-check",
        "invalidation checker: report owed invalidations missing before a "
        "SYNC (R23), structures reused before their SYNC completed (R24) "
        "and EN set without invalidating the caches (R10); default on, "
        "settable at run time");
    for (i = 0; i < ARRAY_SIZE(xrmu_inject_props); i++) {
        const XrmuInjectProp *p = &xrmu_inject_props[i];

        object_class_property_add(oc, p->name, "bool", xrmu_get_inject,
                                  xrmu_set_inject, NULL, (void *)p);
        object_class_property_set_description(oc, p->name, p->desc);
    }
}

static void xrmu_iommu_mr_class_init(ObjectClass *oc, void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(oc);

    imrc->translate = xrmu_translate;
    imrc->notify_flag_changed = xrmu_notify_flag_changed;
}

static const TypeInfo xrmu_types[] = {
    {
        .name = TYPE_XRMU,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(XrmuState),
        .instance_init = xrmu_instance_init,
        .instance_finalize = xrmu_instance_finalize,
        .class_init = xrmu_class_init,
    }, {
        .name = TYPE_XRMU_IOMMU_MR,
        .parent = TYPE_IOMMU_MEMORY_REGION,
        .class_init = xrmu_iommu_mr_class_init,
    },
};

DEFINE_TYPES(xrmu_types)
