/*
 * QTest testcase for the xrmu I/O remapping unit (-device xrmu-pci, and
 * the memory-mapped variant -device xrmu-sys in the "sys/" cases)
 *
 * The unit is programmed only through its registers (BAR0, or the
 * xrmu-sys register block) and tables in guest memory; the edu device is
 * the DMA and MSI source.  Expected values
 * come from the xrmu architecture specification (Documentation/xrmu/ in
 * the xrmu repository), not from the model's source.
 *
 * Copyright (c) 2026 The xrmu authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qemu/bitops.h"
#include "qemu/units.h"
#include "qemu/cutils.h"
#include "qobject/qdict.h"

/* PCI placement (slot numbers on the q35 root bus) */
#define XRMU_SLOT               0x03
#define EDU_SLOT                0x04

/* xrmu-sys defaults: register block, GSIs of the fault and command lines */
#define SYS_ADDR                0xfeda0000ULL
#define SYS_GSI_FLT             6
#define SYS_GSI_CMD             7
#define SYS_QOM                 "/machine/peripheral/xs"

/* I/O APIC: register select and window, redirection table entry @n */
#define IOAPIC_BASE             0xfec00000ULL
#define IOAPIC_IOREGSEL         0x00
#define IOAPIC_IOWIN            0x10
#define IOAPIC_REDTBL(n)        (0x10 + 2 * (n))

#define XRMU_VENDOR             0x1af4
#define XRMU_DEVICE             0x10f0

/* Registers (BAR0) */
#define R_VERSION               0x000
#define R_CAP                   0x008
#define R_RIDRANGE              0x010
#define R_ECAP                  0x018
#define R_CTRL                  0x020
#define R_STATUS                0x024
#define R_RESET                 0x028
#define R_DTBASE                0x030
#define R_CMDQ_BASE             0x040
#define R_CMDQ_HEAD             0x048
#define R_CMDQ_TAIL             0x04c
#define R_CMDQ_STS              0x050
#define R_FLTQ_BASE             0x058
#define R_FLTQ_HEAD             0x060
#define R_FLTQ_TAIL             0x064
#define R_FLTQ_STS              0x068
#define R_FLTQ_LOST             0x06c
#define R_DBG_VIOL_COUNT        0x100
#define R_DBG_VIOL_LAST         0x104
#define R_DBG_INJECT            0x108
#define R_CNT_XLATE             0x110
#define R_CNT_FAULT             0x118
#define R_CNT_IR_REMAP          0x120
#define R_CNT_IR_BLOCK          0x128
#define R_CNT_IOTLB_HIT         0x130
#define R_CNT_IOTLB_MISS        0x138
#define R_CNT_CMD               0x140

#define XRMU_VERSION_1_0        0x00010000u
#define XRMU_RESET_MAGIC        0x52534554u

#define CAP_AW39                BIT_ULL(0)
#define CAP_AW48                BIT_ULL(1)
#define CAP_AW57                BIT_ULL(2)
#define CAP_PS2M                BIT_ULL(4)
#define CAP_PS1G                BIT_ULL(5)
#define CAP_DIDW(c)             (((c) >> 8) & 0xf)
#define CAP_IR                  BIT_ULL(12)
#define CAP_COH                 BIT_ULL(13)
#define CAP_DBG                 BIT_ULL(14)
#define CAP_CMDQ_MAXLOG2(c)     (((c) >> 16) & 0xf)
#define CAP_FLTQ_MAXLOG2(c)     (((c) >> 20) & 0xf)
#define CAP_IRT_MAXLOG2(c)      (((c) >> 24) & 0xf)
#define CAP_PAW(c)              (((c) >> 32) & 0x3f)
#define CAP_DEFINED             (0x3fULL << 32 | 0xfff7f37ULL)

#define CTRL_EN                 BIT(0)
#define CTRL_IRE                BIT(1)
#define CTRL_CMDQ_EN            BIT(2)
#define CTRL_FLTQ_EN            BIT(3)
#define CTRL_FLT_IE             BIT(4)
#define CTRL_CMD_IE             BIT(5)
#define CTRL_BLK                BIT(8)
#define CTRL_QUEUES             (CTRL_CMDQ_EN | CTRL_FLTQ_EN | \
                                 CTRL_FLT_IE | CTRL_CMD_IE)

#define STS_EN_ACK              BIT(0)
#define STS_IRE_ACK             BIT(1)
#define STS_CMDQ_ON             BIT(2)
#define STS_FLTQ_ON             BIT(3)
#define STS_BLK_ACK             BIT(8)

#define DTBASE_2LVL             BIT_ULL(0)
#define DTBASE_LOG2SZ(n)        ((uint64_t)(n) << 4)

#define CMDQ_STS_ERR            BIT(0)
#define CMDQ_STS_ERRCODE(s)     (((s) >> 8) & 0xf)
#define CMDQ_ERR_ILLEGAL        1
#define CMDQ_ERR_READ           2
#define CMDQ_ERR_SYNC_WRITE     3

#define FLTQ_STS_OVF            BIT(0)
#define FLTQ_STS_WERR           BIT(1)

#define DBG_CMDQ_STALL          BIT(0)
#define DBG_CMD_ILLEGAL         BIT(1)
#define DBG_TABLE_READ_ERR      BIT(2)
#define DBG_CMDQ_READ_ERR       BIT(3)
#define DBG_FLTQ_WRITE_ERR      BIT(4)
#define DBG_UNIT_GONE           BIT(5)
#define DBG_CTRL_DELAY          BIT(6)
#define DBG_RSVD_FIRST          BIT(7)

/* DBG_INJECT.CTRL_DELAY: virtual time a delayed CTRL write takes */
#define NS_PER_MS               (1000 * 1000)
#define CTRL_DELAY_NS           (50 * NS_PER_MS)

/* Device table */
#define DTE_V                   BIT_ULL(0)
#define DTE_MODE_BLOCKED        (0ULL << 1)
#define DTE_MODE_PT             (1ULL << 1)
#define DTE_MODE_XLATE          (2ULL << 1)
#define DTE_MODE_RSVD           (3ULL << 1)
#define DTE_LEVELS(n)           ((uint64_t)(n) << 3)
#define DTE_FSD                 BIT_ULL(6)
#define DTE_IM_BLOCK            (0ULL << 16)
#define DTE_IM_PASS             (1ULL << 16)
#define DTE_IM_REMAP            (2ULL << 16)
#define DTE_IRSV                BIT_ULL(18)
#define L1E_V                   BIT_ULL(0)

/* Page tables */
#define PTE_V                   BIT_ULL(0)
#define PTE_R                   BIT_ULL(1)
#define PTE_W                   BIT_ULL(2)
#define PTE_LEAF                BIT_ULL(3)
#define PTE_RW                  (PTE_R | PTE_W)
#define PTE_ADDR_MASK           0x000ffffffffff000ULL

/* IRTE */
#define IRTE_V                  BIT_ULL(0)
#define IRTE_FPD                BIT_ULL(1)
#define IRTE_SVT(n)             ((uint64_t)(n) << 2)
#define IRTE_SQ(n)              ((uint64_t)(n) << 4)
#define IRTE_VECTOR(v)          ((uint64_t)(v) << 16)
#define IRTE_DEST(d)            ((uint64_t)(d) << 32)

/* Commands */
#define CMD_NOP                 0x01ULL
#define CMD_INV_DTE             0x02ULL
#define CMD_INV_IOTLB           0x03ULL
#define CMD_INV_IRTE            0x04ULL
#define CMD_SYNC                0x05ULL
#define CMD_ALL                 BIT_ULL(8)
#define CMD_RID(r)              ((uint64_t)(r) << 16)
#define CMD_DID(d)              ((uint64_t)(d) << 16)
#define CMD_SCOPE_RANGE         (0ULL << 8)
#define CMD_SCOPE_DOMAIN        (1ULL << 8)
#define CMD_SCOPE_GLOBAL        (2ULL << 8)
#define CMD_HI(v)               ((uint64_t)(v) << 32)
#define SYNC_WR                 BIT_ULL(8)
#define SYNC_IRQ                BIT_ULL(9)

/* Fault records */
#define FR_REASON(q)            ((q) & 0xff)
#define FR_ACC(q)               (((q) >> 8) & 0x3)
#define FR_DIDV                 BIT_ULL(10)
#define FR_RID(q)               (((q) >> 16) & 0xffff)
#define FR_DID(q)               (((q) >> 32) & 0xffff)
#define DID_NONE                (-1)
#define ACC_READ                0
#define ACC_WRITE               1
#define ACC_INTR                2

#define RSN_DT_RANGE            0x01
#define RSN_DT_L1_INVALID       0x02
#define RSN_DTE_INVALID         0x03
#define RSN_DTE_RSVD            0x04
#define RSN_DT_READ_ERR         0x05
#define RSN_BLOCKED             0x06
#define RSN_PT_NOT_PRESENT      0x10
#define RSN_PT_READ             0x11
#define RSN_PT_WRITE            0x12
#define RSN_PT_RSVD             0x13
#define RSN_PT_READ_ERR         0x14
#define RSN_ADDR_RANGE          0x15
#define RSN_IR_COMPAT           0x20
#define RSN_IR_INDEX            0x21
#define RSN_IR_IRTE_INVALID     0x22
#define RSN_IR_IRTE_RSVD        0x23
#define RSN_IR_SID              0x24
#define RSN_IR_READ_ERR         0x25
#define RSN_IR_BLOCKED          0x26
#define RSN_IR_MALFORMED        0x27

/* MSI address formats */
#define MSI_WINDOW              0xfee00000ULL
#define MSI_IF                  BIT_ULL(4)
#define MSI_SHV                 BIT_ULL(3)
#define MSI_REMAP(h)            (MSI_WINDOW | ((uint64_t)(h) << 5) | MSI_IF)

/* edu device */
#define EDU_LIVENESS            0x04    /* reads back ~written */
#define EDU_IRQ_RAISE           0x60
#define EDU_IRQ_LOWER           0x64
#define EDU_DMA_SRC             0x80
#define EDU_DMA_DST             0x88
#define EDU_DMA_CNT             0x90
#define EDU_DMA_CMD             0x98
#define EDU_CMD_START           0x1
#define EDU_CMD_TO_RAM          0x2
#define EDU_BUF                 0x40000ULL
#define EDU_BUF_SIZE            0x1000
#define EDU_DMA_NS              (101 * 1000 * 1000)

/*
 * Length of the DMA requests that are expected to fault.  QEMU's memory
 * core splits a failed access into 4-byte pieces and translates each one
 * again; 4-byte requests keep one request = one translation, the
 * one-per-request test checks longer requests.
 */
#define FLT_LEN                 4

/* Guest physical memory used by the tests (the machine has 512 MiB) */
#define MEM_BASE                0x01000000ULL
#define MEM_END                 0x1f000000ULL
#define PAGE                    0x1000ULL

typedef struct XrmuTest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIDevice *edu;
    QPCIBar bar;
    QPCIBar ebar;
    uint64_t cap;
    uint16_t edu_rid;
    uint64_t next_page;
    uint64_t dt;
    int dt_log2;
    bool dt_2lvl;
    uint64_t cmdq;
    uint32_t cmdq_n;
    uint32_t cmdq_tail;
    uint64_t fltq;
    uint32_t fltq_n;
    uint32_t fltq_head;
    uint64_t sync_addr;
    uint32_t sync_seq;
    uint64_t msix_addr;
    /* xrmu-sys: address of the register block (0: xrmu-pci, BAR0) */
    uint64_t mmio;
    /* xrmu-sys: pulses of each line seen by xt_msix_fired() so far */
    uint64_t pulses_seen[2];
} XrmuTest;

/* Register access */

static uint32_t rd32(XrmuTest *t, uint64_t off)
{
    if (t->mmio) {
        return qtest_readl(t->qts, t->mmio + off);
    }
    return qpci_io_readl(t->dev, t->bar, off);
}

static uint64_t rd64(XrmuTest *t, uint64_t off)
{
    if (t->mmio) {
        return qtest_readq(t->qts, t->mmio + off);
    }
    return qpci_io_readq(t->dev, t->bar, off);
}

static void wr32(XrmuTest *t, uint64_t off, uint32_t val)
{
    if (t->mmio) {
        qtest_writel(t->qts, t->mmio + off, val);
        return;
    }
    qpci_io_writel(t->dev, t->bar, off, val);
}

static void wr64(XrmuTest *t, uint64_t off, uint64_t val)
{
    if (t->mmio) {
        qtest_writeq(t->qts, t->mmio + off, val);
        return;
    }
    qpci_io_writeq(t->dev, t->bar, off, val);
}

/* Guest memory */

static uint64_t xt_pages(XrmuTest *t, int n)
{
    uint64_t pa = t->next_page;

    t->next_page += n * PAGE;
    g_assert_cmphex(t->next_page, <=, MEM_END);
    qtest_memset(t->qts, pa, 0, n * PAGE);
    return pa;
}

static uint64_t xt_page(XrmuTest *t)
{
    return xt_pages(t, 1);
}

static uint64_t xt_aligned(XrmuTest *t, uint64_t align)
{
    t->next_page = ROUND_UP(t->next_page, align);
    return xt_page(t);
}

static uint8_t pat_byte(uint32_t seed, uint64_t i)
{
    return (uint8_t)((i * 131 + seed * 17 + (i >> 8)) ^ 0xa5);
}

static void fill_pattern(XrmuTest *t, uint64_t pa, size_t len, uint32_t seed)
{
    g_autofree uint8_t *buf = g_malloc(len);
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = pat_byte(seed, i);
    }
    qtest_memwrite(t->qts, pa, buf, len);
}

/* Compare with the pattern starting at pattern index @start */
static bool has_pattern_at(XrmuTest *t, uint64_t pa, size_t len,
                           uint32_t seed, size_t start)
{
    g_autofree uint8_t *buf = g_malloc(len);
    size_t i;

    qtest_memread(t->qts, pa, buf, len);
    for (i = 0; i < len; i++) {
        if (buf[i] != pat_byte(seed, start + i)) {
            return false;
        }
    }
    return true;
}

static bool has_pattern(XrmuTest *t, uint64_t pa, size_t len, uint32_t seed)
{
    return has_pattern_at(t, pa, len, seed, 0);
}

static bool has_fill(XrmuTest *t, uint64_t pa, size_t len, uint8_t val)
{
    g_autofree uint8_t *buf = g_malloc(len);
    size_t i;

    qtest_memread(t->qts, pa, buf, len);
    for (i = 0; i < len; i++) {
        if (buf[i] != val) {
            return false;
        }
    }
    return true;
}

/* edu: DMA and MSI source */

/* Start a transfer: edu performs it 100 ms of virtual time later */
static void edu_dma_start(XrmuTest *t, uint64_t src, uint64_t dst,
                          uint32_t cnt, bool to_ram)
{
    qpci_io_writeq(t->edu, t->ebar, EDU_DMA_SRC, src);
    qpci_io_writeq(t->edu, t->ebar, EDU_DMA_DST, dst);
    qpci_io_writeq(t->edu, t->ebar, EDU_DMA_CNT, cnt);
    qpci_io_writeq(t->edu, t->ebar, EDU_DMA_CMD,
                   EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
}

static void edu_dma(XrmuTest *t, uint64_t src, uint64_t dst, uint32_t cnt,
                    bool to_ram)
{
    edu_dma_start(t, src, dst, cnt, to_ram);
    qtest_clock_step(t->qts, EDU_DMA_NS);
    g_assert_cmphex(qpci_io_readq(t->edu, t->ebar, EDU_DMA_CMD) &
                    EDU_CMD_START, ==, 0);
}

/* Device write: edu buffer (offset @boff) -> @iova */
static void dev_write(XrmuTest *t, uint64_t iova, uint32_t boff, uint32_t len)
{
    edu_dma(t, EDU_BUF + boff, iova, len, true);
}

/* Device read: @iova -> edu buffer (offset @boff) */
static void dev_read(XrmuTest *t, uint64_t iova, uint32_t boff, uint32_t len)
{
    edu_dma(t, iova, EDU_BUF + boff, len, false);
}

static uint8_t edu_msi_cap(XrmuTest *t)
{
    uint8_t cap = qpci_find_capability(t->edu, PCI_CAP_ID_MSI, 0);

    g_assert_cmphex(cap, !=, 0);
    return cap;
}

static void edu_msi_program(XrmuTest *t, uint64_t addr, uint16_t data)
{
    uint8_t cap = edu_msi_cap(t);
    uint16_t flags = qpci_config_readw(t->edu, cap + PCI_MSI_FLAGS);

    g_assert(flags & PCI_MSI_FLAGS_64BIT);
    qpci_config_writel(t->edu, cap + PCI_MSI_ADDRESS_LO, (uint32_t)addr);
    qpci_config_writel(t->edu, cap + PCI_MSI_ADDRESS_HI, addr >> 32);
    qpci_config_writew(t->edu, cap + PCI_MSI_DATA_64, data);
    qpci_config_writew(t->edu, cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
}

/* Make edu send its MSI once */
static void edu_msi_fire(XrmuTest *t)
{
    qpci_io_writel(t->edu, t->ebar, EDU_IRQ_RAISE, 1);
    qpci_io_writel(t->edu, t->ebar, EDU_IRQ_LOWER, 1);
}

/*
 * Is @vector pending in the IRR of the local APIC with ID @apic?  With
 * @level set, it must be pending as level-triggered.
 */
static bool apic_irr_has_at(XrmuTest *t, int apic, int vector, bool level)
{
    g_autofree char *out = qtest_hmp(t->qts, "info lapic %d", apic);
    char *p = strstr(out, "\nIRR");

    g_assert(p);
    p += strlen("\nIRR");
    while (*p && *p != '\n') {
        const char *end;
        long v;

        if (!g_ascii_isdigit(*p)) {
            p++;
            continue;
        }
        g_assert_cmpint(qemu_strtol(p, &end, 10, &v), ==, 0);
        if (v == vector) {
            return !level || g_str_has_prefix(end, "(level)");
        }
        p = (char *)end;
    }
    return false;
}

static bool apic_irr_has(XrmuTest *t, int vector)
{
    return apic_irr_has_at(t, 0, vector, false);
}

/* Unit MSI-X: vector v writes 0x5a5a0000 | v to msix_addr + 4 * v */

static void xt_msix_setup(XrmuTest *t)
{
    int v;

    qpci_msix_enable(t->dev);
    g_assert_cmpint(qpci_msix_table_size(t->dev), ==, 2);
    t->msix_addr = xt_page(t);
    for (v = 0; v < 2; v++) {
        uint64_t e = t->dev->msix_table_off + v * PCI_MSIX_ENTRY_SIZE;
        uint64_t a = t->msix_addr + 4 * v;

        qpci_io_writel(t->dev, t->dev->msix_table_bar,
                       e + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)a);
        qpci_io_writel(t->dev, t->dev->msix_table_bar,
                       e + PCI_MSIX_ENTRY_UPPER_ADDR, a >> 32);
        qpci_io_writel(t->dev, t->dev->msix_table_bar,
                       e + PCI_MSIX_ENTRY_DATA, 0x5a5a0000 | v);
        qpci_io_writel(t->dev, t->dev->msix_table_bar,
                       e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    }
}

/* Pulses sent on xrmu-sys line @v (0 fault, 1 command) since power-on */
static uint64_t sys_pulses(XrmuTest *t, int v)
{
    static const char *const prop[] = {
        "fault-interrupts", "command-interrupts"
    };
    QDict *rsp = qtest_qmp(t->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': %s, 'property': %s } }",
                           SYS_QOM, prop[v]);
    uint64_t n;

    g_assert(qdict_haskey(rsp, "return"));
    n = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return n;
}

/*
 * Was vector @v sent since the last call?  On xrmu-sys: was line @v
 * pulsed, and then exactly once.
 */
static bool xt_msix_fired(XrmuTest *t, int v)
{
    uint32_t val;

    if (t->mmio) {
        uint64_t n = sys_pulses(t, v);
        uint64_t seen = t->pulses_seen[v];

        g_assert_cmpuint(n, <=, seen + 1);
        t->pulses_seen[v] = n;
        return n != seen;
    }
    val = qtest_readl(t->qts, t->msix_addr + 4 * v);

    if (val == 0) {
        return false;
    }
    g_assert_cmphex(val, ==, 0x5a5a0000 | v);
    qtest_writel(t->qts, t->msix_addr + 4 * v, 0);
    return true;
}

/* Life cycle */

/* edu at @devfn (bus << 8 | devfn): BAR0 mapped, bus master */
static void xt_start_edu(XrmuTest *t, int devfn)
{
    t->edu = qpci_device_find(t->bus, devfn);
    g_assert(t->edu);
    t->edu_rid = devfn;
    t->ebar = qpci_iomap(t->edu, 0, NULL);
    qpci_device_enable(t->edu);
}

static XrmuTest *xt_start_full(const char *unit_opts, int edu_slot,
                               const char *machine_opts)
{
    XrmuTest *t = g_new0(XrmuTest, 1);

    t->qts = qtest_initf("-M q35 -nodefaults -m 512M %s "
                         "-device xrmu-pci,addr=%02x.0%s%s "
                         "-device edu,addr=%02x.0,"
                         "dma_mask=0xffffffffffffffff",
                         machine_opts ? machine_opts : "",
                         XRMU_SLOT, unit_opts ? "," : "",
                         unit_opts ? unit_opts : "", edu_slot);
    t->bus = qpci_new_pc(t->qts, NULL);
    t->dev = qpci_device_find(t->bus, QPCI_DEVFN(XRMU_SLOT, 0));
    g_assert(t->dev);
    t->next_page = MEM_BASE;
    /* maps BAR0, which holds the registers and the MSI-X table */
    qpci_device_enable(t->dev);
    xt_msix_setup(t);
    g_assert_cmphex(t->dev->msix_table_bar.addr, ==,
                    t->dev->msix_pba_bar.addr);
    t->bar = t->dev->msix_table_bar;
    xt_start_edu(t, QPCI_DEVFN(edu_slot, 0));
    t->cap = rd64(t, R_CAP);
    t->sync_addr = xt_page(t);
    return t;
}

static XrmuTest *xt_start_at(const char *unit_opts, int edu_slot)
{
    return xt_start_full(unit_opts, edu_slot, NULL);
}

static XrmuTest *xt_start(const char *unit_opts)
{
    return xt_start_at(unit_opts, EDU_SLOT);
}

/*
 * The memory-mapped unit: -device xrmu-sys,id=xs at @addr with @unit_opts,
 * then @devices (NULL: edu at EDU_SLOT, set up as by xt_start()).  Nothing
 * touches PCI config space before the test does, so no Bus Master Enable
 * is set anywhere.
 */
static XrmuTest *xt_start_sys_full(uint64_t addr, const char *unit_opts,
                                   const char *devices)
{
    XrmuTest *t = g_new0(XrmuTest, 1);
    g_autofree char *edu = g_strdup_printf("-device edu,addr=%02x.0,"
                                           "dma_mask=0xffffffffffffffff",
                                           EDU_SLOT);

    t->qts = qtest_initf("-M q35 -nodefaults -m 512M "
                         "-device xrmu-sys,id=xs,addr=0x%" PRIx64 "%s%s %s",
                         addr, unit_opts ? "," : "",
                         unit_opts ? unit_opts : "", devices ? devices : edu);
    t->mmio = addr;
    t->bus = qpci_new_pc(t->qts, NULL);
    t->next_page = MEM_BASE;
    t->cap = rd64(t, R_CAP);
    t->sync_addr = xt_page(t);
    if (!devices) {
        xt_start_edu(t, QPCI_DEVFN(EDU_SLOT, 0));
    }
    return t;
}

static XrmuTest *xt_start_sys(const char *unit_opts)
{
    return xt_start_sys_full(SYS_ADDR, unit_opts, NULL);
}

static void xt_end(XrmuTest *t)
{
    /* The unit must still answer */
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    g_free(t->dev);
    g_free(t->edu);
    qpci_free_pc(t->bus);
    qtest_quit(t->qts);
    g_free(t);
}

static uint64_t cnt(XrmuTest *t, uint64_t reg)
{
    return rd64(t, reg);
}

static void xt_wait_status(XrmuTest *t, uint32_t mask, uint32_t want)
{
    int i;

    for (i = 0; i < 1000; i++) {
        if ((rd32(t, R_STATUS) & mask) == want) {
            return;
        }
        qtest_clock_step(t->qts, 1000);
    }
    g_assert_cmphex(rd32(t, R_STATUS) & mask, ==, want);
}

static void xt_ctrl(XrmuTest *t, uint32_t ctrl)
{
    uint32_t want = 0;

    wr32(t, R_CTRL, ctrl);
    want |= ctrl & CTRL_EN ? STS_EN_ACK : 0;
    want |= ctrl & CTRL_IRE ? STS_IRE_ACK : 0;
    want |= ctrl & CTRL_CMDQ_EN ? STS_CMDQ_ON : 0;
    want |= ctrl & CTRL_FLTQ_EN ? STS_FLTQ_ON : 0;
    want |= ctrl & CTRL_BLK ? STS_BLK_ACK : 0;
    xt_wait_status(t, STS_EN_ACK | STS_IRE_ACK | STS_CMDQ_ON |
                   STS_FLTQ_ON | STS_BLK_ACK, want);
}

/* Device table */

static void xt_dt_linear(XrmuTest *t, int log2)
{
    int pages = ((32 << log2) + PAGE - 1) / PAGE;

    t->dt = xt_pages(t, pages);
    t->dt_log2 = log2;
    t->dt_2lvl = false;
    wr64(t, R_DTBASE, t->dt | DTBASE_LOG2SZ(log2));
    g_assert_cmphex(rd64(t, R_DTBASE), ==, t->dt | DTBASE_LOG2SZ(log2));
}

static void xt_dt_2lvl(XrmuTest *t, int log2)
{
    t->dt = xt_page(t);
    t->dt_log2 = log2;
    t->dt_2lvl = true;
    wr64(t, R_DTBASE, t->dt | DTBASE_2LVL | DTBASE_LOG2SZ(log2));
    g_assert_cmphex(rd64(t, R_DTBASE), ==,
                    t->dt | DTBASE_2LVL | DTBASE_LOG2SZ(log2));
}

/* Address of the DTE of @rid; allocates the L2 page for a two-level table */
static uint64_t xt_dte_addr(XrmuTest *t, uint16_t rid)
{
    uint64_t l1e_pa, l1e;

    if (!t->dt_2lvl) {
        return t->dt + 32ULL * rid;
    }
    l1e_pa = t->dt + 8ULL * (rid >> 7);
    l1e = qtest_readq(t->qts, l1e_pa);
    if (!(l1e & L1E_V)) {
        l1e = xt_page(t) | L1E_V;
        qtest_writeq(t->qts, l1e_pa, l1e);
    }
    return (l1e & PTE_ADDR_MASK) + 32ULL * (rid & 0x7f);
}

static void xt_dte(XrmuTest *t, uint16_t rid, uint64_t qw0, uint64_t qw1,
                   uint64_t qw2)
{
    uint64_t pa = xt_dte_addr(t, rid);

    qtest_writeq(t->qts, pa, qw0);
    qtest_writeq(t->qts, pa + 8, qw1);
    qtest_writeq(t->qts, pa + 16, qw2);
    qtest_writeq(t->qts, pa + 24, 0);
}

/* Translated DTE for edu with a fresh root table */
static uint64_t xt_dte_xlate(XrmuTest *t, int levels, uint16_t did)
{
    uint64_t root = xt_page(t);

    xt_dte(t, t->edu_rid, root | DTE_V | DTE_MODE_XLATE | DTE_LEVELS(levels),
           did, 0);
    return root;
}

/* Page tables: returns the address of the leaf PTE */
static uint64_t xt_map(XrmuTest *t, uint64_t root, int levels, uint64_t iova,
                       uint64_t pa, int leaf_level, uint64_t perm)
{
    uint64_t table = root;
    uint64_t pte_pa;
    int l;

    for (l = levels; l > leaf_level; l--) {
        uint64_t idx = (iova >> (12 + 9 * (l - 1))) & 511;
        uint64_t pte;

        pte_pa = table + 8 * idx;
        pte = qtest_readq(t->qts, pte_pa);
        if (!(pte & PTE_V)) {
            pte = xt_page(t) | PTE_V;
            qtest_writeq(t->qts, pte_pa, pte);
        }
        g_assert(!(pte & PTE_LEAF));
        table = pte & PTE_ADDR_MASK;
    }
    pte_pa = table + 8 * ((iova >> (12 + 9 * (leaf_level - 1))) & 511);
    qtest_writeq(t->qts, pte_pa, pa | perm | PTE_V | PTE_LEAF);
    return pte_pa;
}

/* Command queue */

static void xt_cmd_put(XrmuTest *t, uint64_t qw0, uint64_t qw1)
{
    uint64_t e = t->cmdq + 16ULL * t->cmdq_tail;

    qtest_writeq(t->qts, e, qw0);
    qtest_writeq(t->qts, e + 8, qw1);
    t->cmdq_tail = (t->cmdq_tail + 1) % t->cmdq_n;
}

static void xt_cmd_publish(XrmuTest *t)
{
    wr32(t, R_CMDQ_TAIL, t->cmdq_tail);
}

/*
 * Let the queue run until HEAD reaches TAIL or it stops, as a driver
 * polls: commands execute after the CMDQ_TAIL write, in virtual time.
 */
static void xt_cmd_settle(XrmuTest *t)
{
    int i;

    for (i = 0; i < 10000; i++) {
        if (rd32(t, R_CMDQ_HEAD) == t->cmdq_tail ||
            (rd32(t, R_CMDQ_STS) & CMDQ_STS_ERR)) {
            return;
        }
        qtest_clock_step_next(t->qts);
    }
}

static void xt_cmd(XrmuTest *t, uint64_t qw0, uint64_t qw1)
{
    xt_cmd_put(t, qw0, qw1);
    xt_cmd_publish(t);
    xt_cmd_settle(t);
}

static uint64_t sync_cmd(XrmuTest *t, uint32_t seq)
{
    return CMD_SYNC | SYNC_WR | CMD_HI(seq);
}

/* Submit SYNC with a status write and check it completed */
static void xt_sync(XrmuTest *t)
{
    uint32_t seq = ++t->sync_seq;

    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd(t, sync_cmd(t, seq), t->sync_addr);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, seq);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
}

static void xt_inv_all(XrmuTest *t)
{
    xt_cmd_put(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_cmd_put(t, CMD_INV_IOTLB | CMD_SCOPE_GLOBAL, 0);
    xt_cmd_put(t, CMD_INV_IRTE | CMD_ALL, 0);
    xt_sync(t);
}

/* Fault queue */

static void xt_queues(XrmuTest *t, int cmd_log2, int flt_log2)
{
    t->cmdq_n = 1u << cmd_log2;
    t->cmdq = xt_pages(t, (16 * t->cmdq_n + PAGE - 1) / PAGE);
    t->cmdq_tail = 0;
    wr64(t, R_CMDQ_BASE, t->cmdq | cmd_log2);
    g_assert_cmphex(rd64(t, R_CMDQ_BASE), ==, t->cmdq | cmd_log2);
    t->fltq_n = 1u << flt_log2;
    t->fltq = xt_pages(t, (32 * t->fltq_n + PAGE - 1) / PAGE);
    t->fltq_head = 0;
    wr64(t, R_FLTQ_BASE, t->fltq | flt_log2);
    g_assert_cmphex(rd64(t, R_FLTQ_BASE), ==, t->fltq | flt_log2);
}

/*
 * The standard bring-up: device table (linear, 256 RIDs unless already
 * set up), 16-entry queues, queues on with interrupts, invalidate all,
 * then EN plus @extra.
 */
static void xt_enable(XrmuTest *t, uint32_t extra)
{
    if (!t->dt) {
        xt_dt_linear(t, 8);
    }
    if (!t->cmdq) {
        xt_queues(t, 4, 4);
    }
    xt_ctrl(t, CTRL_QUEUES);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 0);
    xt_inv_all(t);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN | extra);
}

static void xt_no_fault(XrmuTest *t)
{
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, t->fltq_head);
}

/*
 * Pop the next fault record and check it.  @did: DID_NONE = DIDV and DID
 * must be 0 (every reason outside 0x10-0x15); @info < 0: INFO not checked.
 */
static void xt_fault(XrmuTest *t, int reason, int acc, uint64_t addr,
                     int did, int64_t info)
{
    uint64_t rec = t->fltq + 32ULL * t->fltq_head;
    uint64_t qw0, qw1, qw2, qw3;

    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), !=, t->fltq_head);
    qw0 = qtest_readq(t->qts, rec);
    qw1 = qtest_readq(t->qts, rec + 8);
    qw2 = qtest_readq(t->qts, rec + 16);
    qw3 = qtest_readq(t->qts, rec + 24);
    g_assert_cmphex(FR_REASON(qw0), ==, reason);
    g_assert_cmphex(FR_ACC(qw0), ==, acc);
    g_assert_cmphex(FR_RID(qw0), ==, t->edu_rid);
    g_assert_cmphex(qw0 & 0xffff00000000f800ULL, ==, 0);
    if (did >= 0) {
        g_assert(qw0 & FR_DIDV);
        g_assert_cmphex(FR_DID(qw0), ==, did);
    } else {
        g_assert(!(qw0 & FR_DIDV));
        g_assert_cmphex(FR_DID(qw0), ==, 0);
    }
    g_assert_cmphex(qw1, ==, addr);
    if (info >= 0) {
        g_assert_cmphex(qw2, ==, info);
    }
    g_assert_cmphex(qw3, ==, 0);
    t->fltq_head = (t->fltq_head + 1) % t->fltq_n;
    wr32(t, R_FLTQ_HEAD, t->fltq_head);
}

static void viol(XrmuTest *t, uint32_t *count, int rule)
{
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, ++*count);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, rule);
}

static void irte_set(XrmuTest *t, uint64_t irt, int idx, uint64_t qw0,
                     uint64_t qw1)
{
    qtest_writeq(t->qts, irt + 16 * idx, qw0);
    qtest_writeq(t->qts, irt + 16 * idx + 8, qw1);
}

/* Fire edu's MSI and tell whether it was remapped and delivered */
static bool ir_fire(XrmuTest *t, uint64_t addr, uint16_t data, int vector)
{
    uint64_t remap = cnt(t, R_CNT_IR_REMAP);
    uint64_t block = cnt(t, R_CNT_IR_BLOCK);
    bool delivered;

    g_assert(!apic_irr_has(t, vector));
    edu_msi_program(t, addr, data);
    edu_msi_fire(t);
    delivered = apic_irr_has(t, vector);
    if (delivered) {
        g_assert_cmpuint(cnt(t, R_CNT_IR_REMAP), ==, remap + 1);
        g_assert_cmpuint(cnt(t, R_CNT_IR_BLOCK), ==, block);
    } else {
        g_assert_cmpuint(cnt(t, R_CNT_IR_REMAP), ==, remap);
        g_assert_cmpuint(cnt(t, R_CNT_IR_BLOCK), ==, block + 1);
    }
    return delivered;
}

/*
 * Control, status and queue registers hold their reset value 0 (after
 * power-on, RESET and a system reset alike).
 */
static void assert_regs_reset(XrmuTest *t)
{
    g_assert_cmphex(rd32(t, R_CTRL), ==, 0);
    g_assert_cmphex(rd32(t, R_STATUS), ==, 0);
    g_assert_cmphex(rd64(t, R_DTBASE), ==, 0);
    g_assert_cmphex(rd64(t, R_CMDQ_BASE), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmphex(rd64(t, R_FLTQ_BASE), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_LOST), ==, 0);
}

/* Test cases */

static void test_reset_values(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t cap = t->cap;
    uint64_t rr = rd64(t, R_RIDRANGE);
    uint64_t off;

    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==,
                    XRMU_VENDOR);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_DEVICE_ID), ==,
                    XRMU_DEVICE);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_REVISION_ID), ==, 0x01);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_CLASS_DEVICE), ==, 0x0806);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_CLASS_PROG), ==, 0);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    0x1af4);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_SUBSYSTEM_ID), ==, 0x1100);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_HEADER_TYPE) & 0x7f, ==,
                    PCI_HEADER_TYPE_NORMAL);
    /* BAR0: 64-bit non-prefetchable memory; no other BARs */
    g_assert_cmphex(qpci_config_readl(t->dev, PCI_BASE_ADDRESS_0) & 0xf, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64);
    for (off = PCI_BASE_ADDRESS_2; off <= PCI_BASE_ADDRESS_5; off += 4) {
        g_assert_cmphex(qpci_config_readl(t->dev, off), ==, 0);
    }
    g_assert_cmphex(qpci_config_readl(t->dev, PCI_ROM_ADDRESS), ==, 0);
    /* MSI-X: 2 vectors, table at 0x2000 and PBA at 0x3000 of BAR0 */
    g_assert_cmphex(t->dev->msix_table_off, ==, 0x2000);
    g_assert_cmphex(t->dev->msix_pba_off, ==, 0x3000);

    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    /* CAP is self-consistent and within the legal ranges */
    g_assert_cmphex(cap & ~CAP_DEFINED, ==, 0);
    g_assert(cap & (CAP_AW39 | CAP_AW48 | CAP_AW57));
    g_assert_cmpint(CAP_DIDW(cap), >=, 1);
    g_assert_cmpint(CAP_CMDQ_MAXLOG2(cap), >=, 4);
    g_assert_cmpint(CAP_FLTQ_MAXLOG2(cap), >=, 4);
    g_assert_cmpint(CAP_PAW(cap), >=, 32);
    g_assert_cmpint(CAP_PAW(cap), <=, 52);
    if (cap & CAP_IR) {
        g_assert_cmpint(CAP_IRT_MAXLOG2(cap), <=, 11);
    } else {
        g_assert_cmpint(CAP_IRT_MAXLOG2(cap), ==, 0);
    }
    /* RIDRANGE covers the root bus the unit and edu sit on */
    g_assert_cmphex(rr >> 32, ==, 0);
    g_assert_cmphex(rr & 0xffff, ==, 0);
    g_assert_cmphex((rr >> 16) & 0xff, ==, 0);
    g_assert_cmphex((rr >> 16) & 0xff, <=, (rr >> 24) & 0xff);
    g_assert_cmphex(rd64(t, R_ECAP), ==, 0);

    assert_regs_reset(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    for (off = R_CNT_XLATE; off <= R_CNT_CMD; off += 8) {
        g_assert_cmphex(rd64(t, off), ==, 0);
    }
    /* Undefined and reserved offsets read 0 */
    g_assert_cmphex(rd32(t, 0x004), ==, 0);
    g_assert_cmphex(rd32(t, 0x02c), ==, 0);
    g_assert_cmphex(rd64(t, 0x038), ==, 0);
    g_assert_cmphex(rd32(t, 0x054), ==, 0);
    g_assert_cmphex(rd32(t, 0x10c), ==, 0);
    for (off = 0x070; off < 0x100; off += 4) {
        g_assert_cmphex(rd32(t, off), ==, 0);
    }
    for (off = 0x148; off < 0x1000; off += 4) {
        g_assert_cmphex(rd32(t, off), ==, 0);
    }
    xt_end(t);
}

static void test_regs_ro_w1c(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t cap = t->cap, rr = rd64(t, R_RIDRANGE);
    uint32_t n = 0;

    /* RO registers ignore writes; a nonzero write is R2 */
    wr32(t, R_VERSION, 0xffffffff);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    wr64(t, R_CAP, ~0ULL);
    viol(t, &n, 2);
    g_assert_cmphex(rd64(t, R_CAP), ==, cap);
    wr64(t, R_RIDRANGE, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, n);
    g_assert_cmphex(rd64(t, R_RIDRANGE), ==, rr);
    wr64(t, R_ECAP, ~0ULL);
    viol(t, &n, 2);
    g_assert_cmphex(rd64(t, R_ECAP), ==, 0);
    wr32(t, R_STATUS, 0xffffffff);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, R_STATUS), ==, 0);
    wr32(t, R_CMDQ_HEAD, 5);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, 0);
    wr32(t, R_FLTQ_TAIL, 5);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 0);
    wr32(t, R_FLTQ_LOST, 5);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, R_FLTQ_LOST), ==, 0);
    wr64(t, R_CNT_CMD, 7);
    viol(t, &n, 2);
    g_assert_cmphex(rd64(t, R_CNT_CMD), ==, 0);
    wr32(t, 0x0f00, 0x1234);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, 0x0f00), ==, 0);
    wr32(t, 0x0080, 1);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, 0x0080), ==, 0);

    /* W1C registers: writing 1 to a clear bit leaves it clear */
    wr32(t, R_CMDQ_STS, CMDQ_STS_ERR);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    wr32(t, R_FLTQ_STS, FLTQ_STS_OVF | FLTQ_STS_WERR);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, n);
    /* RESET is write-only */
    g_assert_cmphex(rd32(t, R_RESET), ==, 0);

    /* RW registers hold what was written */
    wr64(t, R_DTBASE, 0x2000000ULL | DTBASE_LOG2SZ(9) | DTBASE_2LVL);
    g_assert_cmphex(rd64(t, R_DTBASE), ==,
                    0x2000000ULL | DTBASE_LOG2SZ(9) | DTBASE_2LVL);
    /* RsvdZ bits are not stored (R2), the rest applies */
    wr64(t, R_DTBASE, 0x3000000ULL | DTBASE_LOG2SZ(8) | BIT_ULL(1));
    viol(t, &n, 2);
    g_assert_cmphex(rd64(t, R_DTBASE), ==, 0x3000000ULL | DTBASE_LOG2SZ(8));
    wr32(t, R_CTRL, CTRL_FLT_IE | BIT(9));
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_FLT_IE);
    /* address bits at or above PAW are not stored (R13) */
    if (CAP_PAW(cap) < 52) {
        wr64(t, R_DTBASE, 0x3000000ULL | BIT_ULL(CAP_PAW(cap)) |
             DTBASE_LOG2SZ(8));
        viol(t, &n, 13);
        g_assert_cmphex(rd64(t, R_DTBASE), ==,
                        0x3000000ULL | DTBASE_LOG2SZ(8));
    }
    /* a 64-bit register written as halves changes on the high half */
    wr32(t, R_CMDQ_BASE, 0x3000004);
    g_assert_cmphex(rd64(t, R_CMDQ_BASE), ==, 0);
    wr32(t, R_CMDQ_BASE + 4, 0);
    g_assert_cmphex(rd64(t, R_CMDQ_BASE), ==, 0x3000004);
    g_assert_cmphex(rd32(t, R_CMDQ_BASE), ==, 0x3000004);
    g_assert_cmphex(rd32(t, R_CMDQ_BASE + 4), ==, 0);
    /* high half alone: R2, takes effect with the current low half */
    wr64(t, R_FLTQ_BASE, 0x4000004);
    wr32(t, R_FLTQ_BASE + 4, 0);
    viol(t, &n, 2);
    g_assert_cmphex(rd64(t, R_FLTQ_BASE), ==, 0x4000004);
    /* unsupported sizes: reads 0, writes ignored, both R2 */
    g_assert_cmphex(qpci_io_readb(t->dev, t->bar, R_VERSION + 2), ==, 0);
    viol(t, &n, 2);
    qpci_io_writew(t->dev, t->bar, R_CTRL, CTRL_CMD_IE);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_FLT_IE);
    g_assert_cmphex(rd64(t, R_CTRL), ==, 0);
    viol(t, &n, 2);
    wr32(t, R_CTRL, 0);
    wr32(t, R_FLTQ_HEAD, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_HEAD), ==, 0);
    /* DBG_INJECT (CAP.DBG = 1 in the model) */
    g_assert(cap & CAP_DBG);
    wr32(t, R_DBG_INJECT, DBG_CMDQ_STALL | DBG_RSVD_FIRST);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, DBG_CMDQ_STALL);
    wr32(t, R_DBG_INJECT, 0);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    /* reserved parts of BAR0 */
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, 0x1000), ==, 0);
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, 0x1ffc), ==, 0);
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, 0x2020), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, n);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 2);
    xt_end(t);
}

static void test_unit_reset(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t src = xt_page(t), dst = xt_page(t);
    uint32_t viol;
    uint64_t ncmd;

    fill_pattern(t, src, PAGE, 3);
    dev_read(t, src, 0, PAGE);
    xt_enable(t, CTRL_BLK);
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, 0, 0);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 3));
    qtest_memset(t->qts, dst, 0, PAGE);
    /* DTE now blocked in memory only: the cached pass-through DTE stays */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_BLOCKED, 0, 0);
    xt_cmd(t, CMD_NOP, 0);
    ncmd = cnt(t, R_CNT_CMD);
    g_assert_cmpuint(ncmd, >=, 5);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    wr32(t, R_DBG_INJECT, DBG_CMDQ_STALL);

    /* A wrong magic is ignored (and is an R2 violation) */
    wr32(t, R_RESET, XRMU_RESET_MAGIC ^ 1);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_QUEUES | CTRL_EN | CTRL_BLK);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 2);
    viol = rd32(t, R_DBG_VIOL_COUNT);

    wr32(t, R_RESET, XRMU_RESET_MAGIC);
    assert_regs_reset(t);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    g_assert_cmphex(rd64(t, R_CAP), ==, t->cap);
    /* Counters (debug state) survive the reset */
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, ncmd);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, viol);

    /* After reset DMA passes through untranslated again (BLK cleared) */
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 3));
    qtest_memset(t->qts, dst, 0, PAGE);

    /*
     * The reset emptied the caches, so enabling without the
     * invalidation step sees the blocked DTE.
     */
    wr64(t, R_DTBASE, t->dt | DTBASE_LOG2SZ(t->dt_log2));
    wr64(t, R_CMDQ_BASE, t->cmdq | 4);
    wr64(t, R_FLTQ_BASE, t->fltq | 4);
    t->cmdq_tail = 0;
    t->fltq_head = 0;
    xt_ctrl(t, CTRL_QUEUES);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    dev_write(t, dst, 0, FLT_LEN);
    g_assert(has_fill(t, dst, PAGE, 0));
    xt_fault(t, RSN_BLOCKED, ACC_WRITE, dst, DID_NONE, 0);
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, viol);
    xt_end(t);
}

/* Translation at one page size: maps IOVA -> page, checks write and read */
static void do_xlate_size(int leaf_level, const char *opts)
{
    XrmuTest *t = xt_start(opts);
    uint64_t size = 1ULL << (12 + 9 * (leaf_level - 1));
    uint64_t iova = 0x5ULL << 30 | (leaf_level == 3 ? 0 : 0x3ULL << 21);
    uint64_t base, src, off, root, xl, miss, hit;
    bool supported;

    supported = leaf_level == 1 ||
                (leaf_level == 2 && (t->cap & CAP_PS2M)) ||
                (leaf_level == 3 && (t->cap & CAP_PS1G));
    /* without properties the model announces both large sizes */
    g_assert(supported == !opts);
    /* The page frame; a 1G leaf maps guest RAM starting at 0 */
    if (leaf_level == 3) {
        base = 0;
        off = 0x9000000;        /* falls inside our RAM area */
        g_assert_cmphex(off, >=, t->next_page);
        t->next_page = off + 0x10000;
    } else {
        base = xt_aligned(t, size);
        off = leaf_level == 1 ? 0 : 0x5000;
        t->next_page = base + MAX(size, 2 * PAGE);
    }
    src = xt_page(t);
    fill_pattern(t, src, PAGE, 7);
    qtest_memset(t->qts, base + off, 0xee, PAGE);
    qtest_memset(t->qts, base + off + PAGE, 0xee, PAGE);

    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 11);
    xt_map(t, root, 4, iova, base, leaf_level, PTE_RW);
    /* a second IOVA, identity for the source page, 4K */
    xt_map(t, root, 4, 0x7ULL << 30 | src, src, 1, PTE_R);

    if (!supported) {
        /* a leaf at an unannounced size is malformed */
        g_test_message("CAP has no PS for level %d: expecting PT_RSVD",
                       leaf_level);
        dev_write(t, iova + off, 0, FLT_LEN);
        xt_fault(t, RSN_PT_RSVD, ACC_WRITE, iova + off, 11, leaf_level);
        g_assert(has_fill(t, base + off, PAGE, 0xee));
        g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 8);
        xt_no_fault(t);
        xt_end(t);
        return;
    }
    xl = cnt(t, R_CNT_XLATE);
    miss = cnt(t, R_CNT_IOTLB_MISS);
    dev_read(t, 0x7ULL << 30 | src, 0, PAGE);
    dev_write(t, iova + off, 0, PAGE);
    g_assert(has_pattern(t, base + off, PAGE, 7));
    g_assert(has_fill(t, base + off + PAGE, PAGE, 0xee));
    g_assert_cmpuint(cnt(t, R_CNT_XLATE), >=, xl + 2);
    g_assert_cmpuint(cnt(t, R_CNT_IOTLB_MISS), >=, miss + 2);
    xt_no_fault(t);

    /* The same page again is an IOTLB hit */
    hit = cnt(t, R_CNT_IOTLB_HIT);
    dev_write(t, iova + off + 64, 0, 64);
    g_assert_cmpuint(cnt(t, R_CNT_IOTLB_HIT), ==, hit + 1);
    /* so is another 4K page within a large leaf */
    if (leaf_level > 1) {
        qtest_memset(t->qts, base + off + PAGE, 0, PAGE);
        dev_write(t, iova + off + PAGE, 0, 64);
        g_assert(has_pattern(t, base + off + PAGE, 64, 7));
        g_assert_cmpuint(cnt(t, R_CNT_IOTLB_HIT), ==, hit + 2);
    }
    /* Outside the leaf: not present */
    dev_write(t, iova + size, 0, FLT_LEN);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, iova + size, 11,
             leaf_level);
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

static void test_xlate_4k(void)
{
    do_xlate_size(1, NULL);
}

static void test_xlate_2m(void)
{
    do_xlate_size(2, NULL);
}

static void test_xlate_1g(void)
{
    do_xlate_size(3, NULL);
}

/* Large leaves the unit does not announce are malformed */
static void test_xlate_2m_unannounced(void)
{
    do_xlate_size(2, "ps-2m=off");
}

static void test_xlate_1g_unannounced(void)
{
    do_xlate_size(3, "ps-1g=off");
}

/*
 * 3/4/5-level tables: an IOVA that uses the top index of each level.
 * LEVELS without the matching CAP.AW* bit makes the DTE malformed.
 */
static void do_levels(int levels, const char *opts, bool announced)
{
    XrmuTest *t = xt_start(opts);
    int width = 12 + 9 * levels;
    uint64_t iova = (1ULL << (width - 1)) | 0x123456000ULL;
    uint64_t root, dst, pte;
    uint64_t aw = levels == 3 ? CAP_AW39 : levels == 4 ? CAP_AW48 : CAP_AW57;

    /* the unit properties select whether AW* is announced */
    g_assert_cmpint(announced, ==, !!(t->cap & aw));
    dst = xt_page(t);
    fill_pattern(t, dst, PAGE, 1);
    dev_read(t, dst, 0, PAGE);  /* pass-through: load edu buffer */
    qtest_memset(t->qts, dst, 0, PAGE);

    xt_enable(t, 0);
    root = xt_dte_xlate(t, levels, 3);
    pte = xt_map(t, root, levels, iova, dst, 1, PTE_W);
    if (!(t->cap & aw)) {
        g_test_message("CAP has no AW%d: expecting DTE_RSVD", width);
        dev_write(t, iova, 0, FLT_LEN);
        xt_fault(t, RSN_DTE_RSVD, ACC_WRITE, iova, DID_NONE, 0);
        g_assert(has_fill(t, dst, PAGE, 0));
        g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 7);
        xt_no_fault(t);
        xt_end(t);
        return;
    }
    dev_write(t, iova, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 1));
    xt_no_fault(t);

    /* Walk length: not present at each level reports the level */
    qtest_memset(t->qts, dst, 0, PAGE);
    qtest_writeq(t->qts, pte, 0);
    xt_cmd(t, CMD_INV_IOTLB | CMD_SCOPE_GLOBAL, 0);
    xt_sync(t);
    dev_write(t, iova, 0, FLT_LEN);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, iova, 3, 1);
    g_assert(has_fill(t, dst, PAGE, 0));
    dev_write(t, iova ^ (1ULL << (width - 2)), 0, FLT_LEN);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE,
             iova ^ (1ULL << (width - 2)), 3, levels);

    /* First IOVA beyond the width */
    dev_write(t, 1ULL << width, 0, FLT_LEN);
    xt_fault(t, RSN_ADDR_RANGE, ACC_WRITE, 1ULL << width, 3, 0);
    if (levels < 5) {
        /* a top bit as used by a deeper table still faults */
        dev_read(t, iova | 1ULL << 56, 0x800, FLT_LEN);
        xt_fault(t, RSN_ADDR_RANGE, ACC_READ, iova | 1ULL << 56, 3, 0);
    }
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

static void test_levels_3(void)
{
    do_levels(3, NULL, true);
}

static void test_levels_4(void)
{
    do_levels(4, NULL, true);
}

static void test_levels_5(void)
{
    do_levels(5, "aw-bits=57", true);
}

/* The default unit (aw-bits=48) does not announce AW57 */
static void test_levels_5_unannounced(void)
{
    do_levels(5, NULL, false);
}

/*
 * Common body for device-table formats: edu in translate mode through
 * whatever table the caller set up.
 */
static void dt_xlate_check(XrmuTest *t)
{
    uint64_t root, dst;

    dst = xt_page(t);
    fill_pattern(t, dst, PAGE, 9);
    dev_read(t, dst, 0, PAGE);
    qtest_memset(t->qts, dst, 0, PAGE);
    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 1);
    xt_map(t, root, 4, 0x40000000, dst, 1, PTE_W);
    dev_write(t, 0x40000000, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 9));
    xt_no_fault(t);
}

static void test_dt_linear(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t dte;

    xt_dt_linear(t, 8);
    dt_xlate_check(t);

    /* DTE V=0 -> DTE_INVALID; memory untouched */
    dte = xt_dte_addr(t, t->edu_rid);
    qtest_writeq(t->qts, dte, 0);
    xt_cmd(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_sync(t);
    dev_write(t, 0x40000000, 0, FLT_LEN);
    xt_fault(t, RSN_DTE_INVALID, ACC_WRITE, 0x40000000, DID_NONE, 0);
    xt_no_fault(t);
    xt_end(t);
}

static void test_dt_range(void)
{
    /* edu at RID 0x80 is outside a 128-entry table */
    XrmuTest *t = xt_start_at(NULL, 0x10);
    uint64_t dst = xt_page(t);

    xt_dt_linear(t, 7);
    xt_enable(t, 0);
    qtest_memset(t->qts, dst, 0x11, PAGE);
    dev_write(t, dst, 0, FLT_LEN);
    xt_fault(t, RSN_DT_RANGE, ACC_WRITE, dst, DID_NONE, 0);
    g_assert(has_fill(t, dst, PAGE, 0x11));
    xt_no_fault(t);
    xt_end(t);

    /* the same with a two-level table of one L1 entry */
    t = xt_start_at(NULL, 0x10);
    dst = xt_page(t);
    xt_dt_2lvl(t, 7);
    xt_enable(t, CTRL_IRE);
    dev_write(t, dst, 0, FLT_LEN);
    xt_fault(t, RSN_DT_RANGE, ACC_WRITE, dst, DID_NONE, 0);
    /* MSIs too, with IRE=1 */
    g_assert(!ir_fire(t, MSI_WINDOW, 0x4b, 0x4b));
    xt_fault(t, RSN_DT_RANGE, ACC_INTR, MSI_WINDOW, DID_NONE, 0);
    xt_no_fault(t);
    xt_end(t);
}

static void test_dt_two_level(void)
{
    /* edu at RID 0x88: L1 index 1, L2 index 8 */
    XrmuTest *t = xt_start_at(NULL, 0x11);
    uint64_t l1e;

    xt_dt_2lvl(t, 9);
    dt_xlate_check(t);

    /* L1E V=0 -> DT_L1_INVALID */
    l1e = qtest_readq(t->qts, t->dt + 8);
    g_assert(l1e & L1E_V);
    qtest_writeq(t->qts, t->dt + 8, 0);
    xt_cmd(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_sync(t);
    dev_write(t, 0x40000000, 0, FLT_LEN);
    xt_fault(t, RSN_DT_L1_INVALID, ACC_WRITE, 0x40000000, DID_NONE, 0);

    /* L1E with RsvdZ bits -> DTE_RSVD */
    qtest_writeq(t->qts, t->dt + 8, l1e | 0x10);
    dev_write(t, 0x40000000, 0, FLT_LEN);
    xt_fault(t, RSN_DTE_RSVD, ACC_WRITE, 0x40000000, DID_NONE, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 7);

    /* Restored: works again (V=0 -> V=1 needs no invalidation) */
    qtest_writeq(t->qts, t->dt + 8, 0);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    qtest_writeq(t->qts, t->dt + 8, l1e);
    dev_write(t, 0x40000000, 0, 64);
    xt_no_fault(t);
    xt_end(t);
}

/* Write to a read-only page and read from a non-present one */
static void test_fault_ro_np(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t ro = xt_page(t), out = xt_page(t), secret = xt_page(t);
    uint64_t root, faults;

    fill_pattern(t, out, PAGE, 5);
    dev_read(t, out, 0, PAGE);          /* edu buffer = pattern 5 */
    qtest_memset(t->qts, ro, 0x77, PAGE);
    fill_pattern(t, secret, PAGE, 6);
    qtest_memset(t->qts, out, 0, PAGE);

    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 0x2a);
    xt_map(t, root, 4, 0x100000, ro, 1, PTE_R);
    xt_map(t, root, 4, 0x200000, out, 1, PTE_RW);
    /* a leaf with V=0 pointing at @secret: must not be used */
    qtest_writeq(t->qts, xt_map(t, root, 4, 0x300000, secret, 1, PTE_RW),
                 secret | PTE_RW | PTE_LEAF);

    faults = cnt(t, R_CNT_FAULT);
    g_assert(!xt_msix_fired(t, 0));
    dev_write(t, 0x100000 + 0x40, 0, FLT_LEN);
    xt_fault(t, RSN_PT_WRITE, ACC_WRITE, 0x100040, 0x2a, 1);
    g_assert(has_fill(t, ro, PAGE, 0x77));
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 1);
    /* first record into an empty queue raises vector 0 */
    g_assert(xt_msix_fired(t, 0));

    /* Read from a non-present page: nothing of @secret reaches edu */
    dev_read(t, 0x300000, 0, FLT_LEN);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_READ, 0x300000, 0x2a, 1);
    g_assert(xt_msix_fired(t, 0));
    dev_write(t, 0x200000, 0, PAGE);
    g_assert(!has_pattern(t, out, FLT_LEN, 6));
    g_assert(has_pattern_at(t, out + FLT_LEN, PAGE - FLT_LEN, 5, FLT_LEN));

    /* Reading the read-only page works */
    fill_pattern(t, ro, PAGE, 8);
    dev_read(t, 0x100000, 0, PAGE);
    dev_write(t, 0x200000, 0, PAGE);
    g_assert(has_pattern(t, out, PAGE, 8));

    /* Write-only leaf: reads fault PT_READ */
    xt_map(t, root, 4, 0x400000, secret, 1, PTE_W);
    dev_read(t, 0x400000, 0, FLT_LEN);
    xt_fault(t, RSN_PT_READ, ACC_READ, 0x400000, 0x2a, 1);
    dev_write(t, 0x200000, 0, FLT_LEN);
    g_assert(!has_pattern(t, out, FLT_LEN, 6));
    xt_no_fault(t);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 3);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/* A longer request that faults is one fault: one record, one count */
static void test_fault_one_per_request(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t ro = xt_page(t), root, faults;

    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 3);
    xt_map(t, root, 4, 0x100000, ro, 1, PTE_R);
    qtest_memset(t->qts, ro, 0x5c, PAGE);
    faults = cnt(t, R_CNT_FAULT);
    dev_write(t, 0x100000, 0, 64);
    g_assert(has_fill(t, ro, PAGE, 0x5c));
    xt_fault(t, RSN_PT_WRITE, ACC_WRITE, 0x100000, 3, 1);
    xt_no_fault(t);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 1);
    /* 0x200000 is in the next 2 MiB: its level-2 entry is not present */
    dev_read(t, 0x200000, 0, 64);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_READ, 0x200000, 3, 2);
    xt_no_fault(t);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 2);
    /* a request crossing a 4 KiB boundary is split there: two faults */
    dev_write(t, 0x100800, 0, PAGE);
    xt_fault(t, RSN_PT_WRITE, ACC_WRITE, 0x100800, 3, 1);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x101000, 3, 1);
    xt_no_fault(t);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 4);
    g_assert(has_fill(t, ro, PAGE, 0x5c));
    /* two requests back to back are two faults, even if contiguous */
    dev_write(t, 0x100000, 0, FLT_LEN);
    dev_write(t, 0x100000 + FLT_LEN, 0, FLT_LEN);
    xt_fault(t, RSN_PT_WRITE, ACC_WRITE, 0x100000, 3, 1);
    xt_fault(t, RSN_PT_WRITE, ACC_WRITE, 0x100000 + FLT_LEN, 3, 1);
    xt_no_fault(t);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 6);
    xt_end(t);
}

/* DTE.FSD: translation faults are blocked and counted, not recorded */
static void test_fault_fsd(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t ro = xt_page(t), root, faults;

    xt_enable(t, 0);
    root = xt_page(t);
    xt_dte(t, t->edu_rid, root | DTE_V | DTE_MODE_XLATE | DTE_LEVELS(4) |
           DTE_FSD, 4, 0);
    xt_map(t, root, 4, 0x100000, ro, 1, PTE_R);
    qtest_memset(t->qts, ro, 0x66, PAGE);
    faults = cnt(t, R_CNT_FAULT);
    dev_write(t, 0x100000, 0, FLT_LEN);
    g_assert(has_fill(t, ro, PAGE, 0x66));
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 1);
    xt_no_fault(t);
    g_assert(!xt_msix_fired(t, 0));
    xt_end(t);
}

static void test_mode_blocked(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t dst = xt_page(t);

    qtest_memset(t->qts, dst, 0x33, PAGE);
    xt_enable(t, 0);
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_BLOCKED, 0, 0);
    dev_write(t, dst, 0, FLT_LEN);
    xt_fault(t, RSN_BLOCKED, ACC_WRITE, dst, DID_NONE, 0);
    dev_read(t, dst, 0, FLT_LEN);
    xt_fault(t, RSN_BLOCKED, ACC_READ, dst, DID_NONE, 0);
    g_assert(has_fill(t, dst, PAGE, 0x33));
    xt_no_fault(t);
    xt_end(t);
}

static void test_mode_passthrough(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t src = xt_page(t), dst = xt_page(t);
    uint64_t xl;

    fill_pattern(t, src, PAGE, 12);
    xt_enable(t, 0);
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, 0, 0);
    xl = cnt(t, R_CNT_XLATE);
    dev_read(t, src, 0, PAGE);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 12));
    xt_no_fault(t);
    /* pass-through accesses are not translations */
    g_assert_cmpuint(cnt(t, R_CNT_XLATE), ==, xl);
    xt_end(t);
}

/* CTRL.BLK with EN=0 blocks DMA and MSIs; not recorded, only counted */
static void test_ctrl_blk(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t src = xt_page(t), dst = xt_page(t), faults, blocked;

    fill_pattern(t, src, PAGE, 13);
    xt_queues(t, 4, 4);
    xt_dt_linear(t, 8);
    xt_ctrl(t, CTRL_QUEUES);
    /* EN=0, BLK=0: pass through, MSI delivered unchanged */
    dev_read(t, src, 0, PAGE);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 13));
    edu_msi_program(t, MSI_WINDOW, 0x41);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x41));

    xt_ctrl(t, CTRL_QUEUES | CTRL_BLK);
    g_assert(rd32(t, R_STATUS) & STS_BLK_ACK);
    faults = cnt(t, R_CNT_FAULT);
    blocked = cnt(t, R_CNT_IR_BLOCK);
    qtest_memset(t->qts, dst, 0x44, PAGE);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_fill(t, dst, PAGE, 0x44));
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), >, faults);
    edu_msi_program(t, MSI_WINDOW, 0x42);
    edu_msi_fire(t);
    g_assert(!apic_irr_has(t, 0x42));
    g_assert_cmpuint(cnt(t, R_CNT_IR_BLOCK), ==, blocked + 1);
    xt_no_fault(t);

    /* BLK off again: passes */
    xt_ctrl(t, CTRL_QUEUES);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 13));
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x42));
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/*
 * Stale IOTLB: the old translation survives a PTE change until the owed
 * INV_IOTLB (of the given scope) and SYNC.
 */
static void do_stale_iotlb(uint64_t scope)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t p1 = xt_page(t), p2 = xt_page(t), src = xt_page(t);
    uint64_t root, pte, iova = 0x12345000, qw0, qw1 = 0;

    fill_pattern(t, src, PAGE, 21);
    dev_read(t, src, 0, PAGE);
    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 5);
    pte = xt_map(t, root, 4, iova, p1, 1, PTE_RW);

    dev_write(t, iova, 0, PAGE);
    g_assert(has_pattern(t, p1, PAGE, 21));
    qtest_memset(t->qts, p1, 0, PAGE);

    /* Retarget the PTE without invalidation: still goes to p1 */
    qtest_writeq(t->qts, pte, p2 | PTE_RW | PTE_V | PTE_LEAF);
    dev_write(t, iova, 0, PAGE);
    g_assert(has_pattern(t, p1, PAGE, 21));
    g_assert(has_fill(t, p2, PAGE, 0));
    qtest_memset(t->qts, p1, 0, PAGE);

    if (scope == CMD_SCOPE_RANGE) {
        /* A range that does not cover it changes nothing */
        xt_cmd(t, CMD_INV_IOTLB | scope | CMD_DID(5) | CMD_HI(0),
               iova + PAGE);
        xt_sync(t);
        /* Nor does the right range in another domain */
        xt_cmd(t, CMD_INV_IOTLB | scope | CMD_DID(6) | CMD_HI(3),
               iova - PAGE);
        xt_sync(t);
        dev_write(t, iova, 0, PAGE);
        g_assert(has_pattern(t, p1, PAGE, 21));
        qtest_memset(t->qts, p1, 0, PAGE);
        qw0 = CMD_INV_IOTLB | scope | CMD_DID(5) | CMD_HI(1);
        qw1 = iova - PAGE;
    } else if (scope == CMD_SCOPE_DOMAIN) {
        xt_cmd(t, CMD_INV_IOTLB | scope | CMD_DID(6), 0);
        xt_sync(t);
        dev_write(t, iova, 0, PAGE);
        g_assert(has_pattern(t, p1, PAGE, 21));
        qtest_memset(t->qts, p1, 0, PAGE);
        qw0 = CMD_INV_IOTLB | scope | CMD_DID(5);
    } else {
        qw0 = CMD_INV_IOTLB | scope;
    }
    xt_cmd(t, qw0, qw1);
    xt_sync(t);
    dev_write(t, iova, 0, PAGE);
    g_assert(has_fill(t, p1, PAGE, 0));
    g_assert(has_pattern(t, p2, PAGE, 21));
    xt_no_fault(t);
    /* the checker saw a SYNC complete after a non-covering invalidation */
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==,
                    scope == CMD_SCOPE_GLOBAL ? 0 : 1);
    if (scope != CMD_SCOPE_GLOBAL) {
        g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 23);
    }
    xt_end(t);
}

static void test_stale_iotlb_range(void)
{
    do_stale_iotlb(CMD_SCOPE_RANGE);
}

static void test_stale_iotlb_domain(void)
{
    do_stale_iotlb(CMD_SCOPE_DOMAIN);
}

static void test_stale_iotlb_global(void)
{
    do_stale_iotlb(CMD_SCOPE_GLOBAL);
}

/* A 2M entry overlapping a 4K range invalidation is removed whole */
static void test_stale_iotlb_large(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t big, src, root, pte, iova = 0x40000000;

    src = xt_page(t);
    fill_pattern(t, src, PAGE, 22);
    dev_read(t, src, 0, PAGE);
    big = xt_aligned(t, 2 * MiB);
    t->next_page = big + 4 * MiB;
    qtest_memset(t->qts, big, 0, 4 * MiB);
    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 9);
    pte = xt_map(t, root, 4, iova, big, 2, PTE_RW);
    dev_write(t, iova + 0x1000, 0, 64);
    g_assert(has_pattern(t, big + 0x1000, 64, 22));
    qtest_writeq(t->qts, pte, (big + 2 * MiB) | PTE_RW | PTE_V | PTE_LEAF);
    dev_write(t, iova + 0x2000, 0, 64);
    g_assert(has_pattern(t, big + 0x2000, 64, 22));
    /* invalidate a single 4K page at the end of the 2M entry */
    xt_cmd(t, CMD_INV_IOTLB | CMD_SCOPE_RANGE | CMD_DID(9), iova + 0x1ff000);
    xt_sync(t);
    dev_write(t, iova + 0x3000, 0, 64);
    g_assert(has_pattern(t, big + 2 * MiB + 0x3000, 64, 22));
    g_assert(has_fill(t, big + 0x3000, 64, 0));
    xt_no_fault(t);
    xt_end(t);
}

/* Stale DTE until INV_DTE */
static void test_stale_dte(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t src = xt_page(t), dst = xt_page(t);

    fill_pattern(t, src, PAGE, 23);
    xt_enable(t, 0);
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, 0, 0);
    dev_read(t, src, 0, PAGE);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 23));
    qtest_memset(t->qts, dst, 0, PAGE);

    /* DTE -> blocked without invalidation: the cached DTE still passes */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_BLOCKED, 0, 0);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 23));
    qtest_memset(t->qts, dst, 0, PAGE);
    xt_no_fault(t);

    /* INV_DTE of another RID does not help */
    xt_cmd(t, CMD_INV_DTE | CMD_RID(t->edu_rid + 1), 0);
    xt_sync(t);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 23));
    qtest_memset(t->qts, dst, 0, PAGE);

    xt_cmd(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_sync(t);
    dev_write(t, dst, 0, FLT_LEN);
    g_assert(has_fill(t, dst, PAGE, 0));
    xt_fault(t, RSN_BLOCKED, ACC_WRITE, dst, DID_NONE, 0);
    xt_no_fault(t);
    /* the SYNC after the wrong INV_DTE completed: R23 */
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 23);
    xt_end(t);
}

/* Every command completes and is counted; SYNC IRQ raises vector 1 */
static void test_cmd_all(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t n;

    xt_enable(t, 0);
    g_assert(!xt_msix_fired(t, 1));
    n = cnt(t, R_CNT_CMD);
    xt_cmd_put(t, CMD_NOP, 0);
    xt_cmd_put(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_cmd_put(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_cmd_put(t, CMD_INV_IOTLB | CMD_SCOPE_RANGE | CMD_DID(1) | CMD_HI(15),
               0x100000);
    xt_cmd_put(t, CMD_INV_IOTLB | CMD_SCOPE_DOMAIN | CMD_DID(1), 0);
    xt_cmd_put(t, CMD_INV_IOTLB | CMD_SCOPE_GLOBAL, 0);
    xt_cmd_put(t, CMD_INV_IRTE | CMD_RID(t->edu_rid) | CMD_HI(3), 4);
    xt_cmd_put(t, CMD_INV_IRTE | CMD_ALL, 0);
    xt_sync(t);
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n + 9);
    g_assert(!xt_msix_fired(t, 1));

    /* SYNC with IRQ only */
    xt_cmd(t, CMD_SYNC | SYNC_IRQ, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert(xt_msix_fired(t, 1));
    /* SYNC with write and IRQ */
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd(t, CMD_SYNC | SYNC_WR | SYNC_IRQ | CMD_HI(0xabcd1234),
           t->sync_addr);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0xabcd1234);
    g_assert(xt_msix_fired(t, 1));
    /* without CMD_IE no interrupt */
    xt_ctrl(t, (CTRL_QUEUES | CTRL_EN) & ~CTRL_CMD_IE);
    xt_cmd(t, CMD_SYNC | SYNC_IRQ, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert(!xt_msix_fired(t, 1));
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n + 12);

    /* wrap around the 16-entry queue */
    for (n = 0; n < 20; n++) {
        xt_cmd(t, CMD_NOP, 0);
    }
    xt_sync(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/*
 * Asynchronous execution: nothing runs within the CMDQ_TAIL write; HEAD
 * moves one command per cmd-latency-ns, in order; an invalidation takes
 * effect when it executes, a SYNC completes after everything before it.
 */
static void test_cmd_async(void)
{
    XrmuTest *t = xt_start("cmd-latency-ns=200000000");
    uint64_t p1 = xt_page(t), p2 = xt_page(t), src = xt_page(t);
    uint64_t root, pte, iova = 0x200000, n;
    uint32_t head;

    fill_pattern(t, src, PAGE, 41);
    dev_read(t, src, 0, PAGE);
    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 3);
    pte = xt_map(t, root, 4, iova, p1, 1, PTE_RW);
    dev_write(t, iova, 0, 64);
    g_assert(has_pattern(t, p1, 64, 41));
    qtest_memset(t->qts, p1, 0, PAGE);

    /* retarget, then queue the invalidation and a SYNC */
    qtest_writeq(t->qts, pte, p2 | PTE_RW | PTE_V | PTE_LEAF);
    head = rd32(t, R_CMDQ_HEAD);
    n = cnt(t, R_CNT_CMD);
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, CMD_INV_IOTLB | CMD_SCOPE_DOMAIN | CMD_DID(3), 0);
    xt_cmd_put(t, sync_cmd(t, 0x77), t->sync_addr);
    xt_cmd_publish(t);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, head);
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n);
    /* a DMA 100 ms later still uses the old translation */
    dev_write(t, iova, 0, 64);
    g_assert(has_pattern(t, p1, 64, 41));
    g_assert(has_fill(t, p2, 64, 0));
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, head);
    qtest_memset(t->qts, p1, 0, PAGE);
    /* 200 ms after the TAIL write: the invalidation, not yet the SYNC */
    qtest_clock_step(t->qts, 100 * 1000 * 1000);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, (head + 1) % t->cmdq_n);
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n + 1);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0);
    g_assert(!xt_msix_fired(t, 1));
    /* the invalidation is in effect before the SYNC completes */
    dev_write(t, iova, 0, 64);
    g_assert(has_pattern(t, p2, 64, 41));
    g_assert(has_fill(t, p1, 64, 0));
    qtest_clock_step(t->qts, 100 * 1000 * 1000);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0x77);
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n + 2);
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/*
 * In-flight commands: EN changes do not stop them; CMDQ_EN 1 -> 0 and
 * RESET discard them (no effect, HEAD stays).
 */
static void test_cmd_inflight(void)
{
    XrmuTest *t = xt_start("cmd-latency-ns=1000000");
    uint64_t n;
    uint32_t head;

    xt_enable(t, 0);
    /* EN 1 -> 0 with a SYNC in flight: it still completes */
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, sync_cmd(t, 0x11), t->sync_addr);
    xt_cmd_publish(t);
    xt_ctrl(t, CTRL_QUEUES);
    xt_cmd_settle(t);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0x11);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);

    /* CMDQ_EN 1 -> 0: the queued NOP and SYNC never execute */
    head = rd32(t, R_CMDQ_HEAD);
    n = cnt(t, R_CNT_CMD);
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, CMD_NOP, 0);
    xt_cmd_put(t, sync_cmd(t, 0x22), t->sync_addr);
    xt_cmd_publish(t);
    xt_ctrl(t, CTRL_QUEUES & ~CTRL_CMDQ_EN);
    qtest_clock_step(t->qts, 10 * 1000 * 1000);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, head);
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0);
    g_assert(!xt_msix_fired(t, 1));
    /* restarted: empty queue at 0, the old entries are not run */
    xt_ctrl(t, CTRL_QUEUES);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), ==, 0);
    qtest_clock_step(t->qts, 10 * 1000 * 1000);
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n);
    t->cmdq_tail = 0;
    xt_sync(t);

    /* RESET with a SYNC in flight: discarded */
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, sync_cmd(t, 0x33), t->sync_addr);
    xt_cmd_publish(t);
    wr32(t, R_RESET, XRMU_RESET_MAGIC);
    qtest_clock_step(t->qts, 10 * 1000 * 1000);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/* cmd-sync=on: commands complete within the CMDQ_TAIL write */
static void test_cmd_sync_mode(void)
{
    XrmuTest *t = xt_start("cmd-sync=on");

    xt_enable(t, 0);
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, CMD_NOP, 0);
    xt_cmd_put(t, sync_cmd(t, 0x44) | SYNC_IRQ, t->sync_addr);
    xt_cmd_publish(t);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0x44);
    g_assert(xt_msix_fired(t, 1));
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/*
 * Queue a command that fails, followed by a SYNC; check the unit stops at
 * the failing one with @code, then replace it with NOP and resume.
 */
static void cmd_error_resume(XrmuTest *t, int code, bool fix)
{
    uint32_t bad = (t->cmdq_tail + t->cmdq_n - 1) % t->cmdq_n;
    uint32_t seq = ++t->sync_seq;

    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, sync_cmd(t, seq), t->sync_addr);
    xt_cmd_publish(t);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, CMDQ_STS_ERR | code << 8);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, bad);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0);
    g_assert(xt_msix_fired(t, 1));
    /* stays stopped */
    qtest_clock_step(t->qts, 1000000);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, bad);
    if (fix) {
        qtest_writeq(t->qts, t->cmdq + 16 * bad, CMD_NOP);
        qtest_writeq(t->qts, t->cmdq + 16 * bad + 8, 0);
    }
    wr32(t, R_CMDQ_STS, CMDQ_STS_ERR);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, seq);
    g_assert(!xt_msix_fired(t, 1));
}

static void test_cmd_err_opcode(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t viol;
    uint32_t bad, seq;

    xt_enable(t, 0);
    viol = rd32(t, R_DBG_VIOL_COUNT);
    xt_cmd_put(t, CMD_NOP, 0);
    xt_cmd_put(t, 0x06, 0);
    cmd_error_resume(t, CMDQ_ERR_ILLEGAL, true);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 6);
    g_assert_cmpuint(rd32(t, R_DBG_VIOL_COUNT), ==, viol + 1);
    xt_cmd_put(t, 0x00, 0);
    cmd_error_resume(t, CMDQ_ERR_ILLEGAL, true);
    xt_cmd_put(t, 0xff, 0);
    cmd_error_resume(t, CMDQ_ERR_ILLEGAL, true);
    /* INV_IOTLB scope 3 */
    xt_cmd_put(t, CMD_INV_IOTLB | 3ULL << 8, 0);
    cmd_error_resume(t, CMDQ_ERR_ILLEGAL, true);

    /* A TAIL write while ERR=1 is stored; it runs once ERR is cleared */
    bad = t->cmdq_tail;
    xt_cmd(t, 0x06, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==,
                    CMDQ_STS_ERR | CMDQ_ERR_ILLEGAL << 8);
    g_assert(xt_msix_fired(t, 1));
    seq = ++t->sync_seq;
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, sync_cmd(t, seq), t->sync_addr);
    xt_cmd_publish(t);
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), ==, t->cmdq_tail);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, bad);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0);
    /* clearing ERR without a fix raises the same error again (R20) */
    wr32(t, R_CMDQ_STS, CMDQ_STS_ERR);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==,
                    CMDQ_STS_ERR | CMDQ_ERR_ILLEGAL << 8);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, bad);
    g_assert(xt_msix_fired(t, 1));
    qtest_writeq(t->qts, t->cmdq + 16 * bad, CMD_NOP);
    wr32(t, R_CMDQ_STS, CMDQ_STS_ERR);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, seq);
    xt_end(t);
}

static void test_cmd_err_rsvd(void)
{
    XrmuTest *t = xt_start(NULL);
    static const uint64_t bad[][2] = {
        { CMD_NOP | BIT_ULL(8), 0 },
        { CMD_NOP, 1 },
        { CMD_INV_DTE | CMD_ALL | CMD_RID(5), 0 },
        { CMD_INV_DTE | CMD_RID(5), 1 },
        { CMD_INV_IOTLB | CMD_SCOPE_RANGE | CMD_DID(1), 0x100010 },
        { CMD_INV_IOTLB | CMD_SCOPE_DOMAIN | CMD_DID(1) | CMD_HI(1), 0 },
        { CMD_INV_IOTLB | CMD_SCOPE_GLOBAL | CMD_DID(1), 0 },
        { CMD_INV_IRTE | CMD_RID(1), 1ULL << 16 },
        { CMD_SYNC | BIT_ULL(10), 0 },
        { CMD_SYNC, 0x1000 },
        { CMD_SYNC | SYNC_WR, 0x1000002 },
    };
    size_t i;

    xt_enable(t, 0);
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        xt_cmd_put(t, bad[i][0], bad[i][1]);
        cmd_error_resume(t, CMDQ_ERR_ILLEGAL, true);
    }
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 6);
    g_assert_cmpuint(rd32(t, R_DBG_VIOL_COUNT), ==, ARRAY_SIZE(bad));
    xt_end(t);
}

static void test_cmd_err_inject(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t n;

    g_assert(t->cap & CAP_DBG);
    xt_enable(t, 0);

    /* Fetch error: the entry is fine, so resuming re-reads it */
    wr32(t, R_DBG_INJECT, DBG_CMDQ_READ_ERR);
    xt_cmd_put(t, CMD_NOP, 0);
    cmd_error_resume(t, CMDQ_ERR_READ, false);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);

    /* Forced ILLEGAL on a good command */
    wr32(t, R_DBG_INJECT, DBG_CMD_ILLEGAL);
    xt_cmd_put(t, CMD_INV_DTE | CMD_ALL, 0);
    cmd_error_resume(t, CMDQ_ERR_ILLEGAL, false);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);

    /* Stall: no progress while set, resumes when cleared */
    wr32(t, R_DBG_INJECT, DBG_CMDQ_STALL);
    n = cnt(t, R_CNT_CMD);
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, CMD_NOP, 0);
    xt_cmd_put(t, sync_cmd(t, 77), t->sync_addr);
    xt_cmd_publish(t);
    qtest_clock_step(t->qts, 10000000);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, (t->cmdq_tail + 14) % 16);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n);
    wr32(t, R_DBG_INJECT, 0);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 77);
    g_assert_cmpuint(cnt(t, R_CNT_CMD), ==, n + 2);
    xt_end(t);
}

static void test_cmd_err_sync_write(void)
{
    XrmuTest *t = xt_start(NULL);
    /* below PAW but backed by nothing */
    uint64_t hole = 1ULL << (CAP_PAW(t->cap) - 1);
    uint64_t good = xt_page(t);
    uint32_t bad;

    xt_enable(t, 0);
    /* fixed by replacing it with NOP */
    xt_cmd_put(t, CMD_SYNC | SYNC_WR | CMD_HI(0x55), hole);
    cmd_error_resume(t, CMDQ_ERR_SYNC_WRITE, true);

    /* fixed by pointing the SYNC at memory: it then completes */
    bad = t->cmdq_tail;
    xt_cmd(t, CMD_SYNC | SYNC_WR | CMD_HI(0x66), hole + 0x40);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==,
                    CMDQ_STS_ERR | CMDQ_ERR_SYNC_WRITE << 8);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, bad);
    g_assert(xt_msix_fired(t, 1));
    qtest_writeq(t->qts, t->cmdq + 16 * bad + 8, good);
    wr32(t, R_CMDQ_STS, CMDQ_STS_ERR);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert_cmphex(qtest_readl(t->qts, good), ==, 0x66);
    xt_sync(t);
    xt_end(t);
}

/* Generate one recordable fault (write to a non-present IOVA) */
static void make_fault(XrmuTest *t, uint64_t iova)
{
    dev_write(t, iova, 0, FLT_LEN);
}

static void test_fltq_overflow(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t faults;
    int i;

    xt_enable(t, 0);
    xt_dte_xlate(t, 4, 2);
    faults = cnt(t, R_CNT_FAULT);
    g_assert(!xt_msix_fired(t, 0));
    /* 16 entries hold 15 records */
    for (i = 0; i < 15; i++) {
        make_fault(t, 0x1000000 + i * PAGE);
        g_assert(xt_msix_fired(t, 0) == (i == 0));
    }
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 15);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, 0);
    make_fault(t, 0x2000000);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, FLTQ_STS_OVF);
    g_assert(xt_msix_fired(t, 0));
    make_fault(t, 0x2001000);
    g_assert(!xt_msix_fired(t, 0));
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 15);
    g_assert_cmphex(rd32(t, R_FLTQ_LOST), ==, 2);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 17);

    /* Consume one: the next fault is recorded, OVF stays */
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x1000000, 2, 4);
    make_fault(t, 0x3000000);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, FLTQ_STS_OVF);
    g_assert_cmphex(rd32(t, R_FLTQ_LOST), ==, 2);
    for (i = 1; i < 15; i++) {
        xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x1000000 + i * PAGE, 2,
                 4);
    }
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x3000000, 2, 4);
    xt_no_fault(t);
    wr32(t, R_FLTQ_STS, FLTQ_STS_OVF);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, 0);

    /* LOST and STS are cleared when FLTQ_EN goes 0->1 */
    wr32(t, R_DBG_INJECT, DBG_FLTQ_WRITE_ERR);
    make_fault(t, 0x3001000);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, FLTQ_STS_WERR);
    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_FLTQ_EN) | CTRL_EN);
    g_assert_cmphex(rd32(t, R_FLTQ_LOST), ==, 2);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    g_assert_cmphex(rd32(t, R_FLTQ_LOST), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

static void test_fltq_werr(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t faults;

    g_assert(t->cap & CAP_DBG);
    xt_enable(t, 0);
    xt_dte_xlate(t, 4, 2);
    faults = cnt(t, R_CNT_FAULT);
    wr32(t, R_DBG_INJECT, DBG_FLTQ_WRITE_ERR);
    make_fault(t, 0x1000000);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, FLTQ_STS_WERR);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    g_assert(xt_msix_fired(t, 0));
    xt_no_fault(t);
    /* stopped: further faults only counted */
    make_fault(t, 0x1001000);
    xt_no_fault(t);
    g_assert(!xt_msix_fired(t, 0));
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 2);
    wr32(t, R_FLTQ_STS, FLTQ_STS_WERR);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, 0);
    make_fault(t, 0x1002000);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x1002000, 2, 4);
    g_assert(xt_msix_fired(t, 0));
    xt_no_fault(t);
    xt_end(t);
}

/* Interrupt remapping */

/* IR set-up: edu translate-mode DTE with an IRT of 2^log2 entries */
static uint64_t ir_setup(XrmuTest *t, uint64_t im, int log2, bool irsv)
{
    uint64_t irt = xt_page(t), root = xt_page(t);

    g_assert(t->cap & CAP_IR);
    g_assert_cmpint(CAP_IRT_MAXLOG2(t->cap), >=, log2);
    /* edu buffer 0xf00..0xfff = 0 (MSI data for forged messages) */
    dev_read(t, irt, 0xf00, 0x100);
    xt_enable(t, CTRL_IRE);
    xt_dte(t, t->edu_rid, root | DTE_V | DTE_MODE_XLATE | DTE_LEVELS(4),
           7 | im | (irsv ? DTE_IRSV : 0), irt | log2);
    return irt;
}

static void test_ir_remap(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);

    irte_set(t, irt, 3, IRTE_V | IRTE_VECTOR(0x51) | IRTE_DEST(0), 0);
    irte_set(t, irt, 9, IRTE_V | IRTE_VECTOR(0x52) | IRTE_DEST(0), 0);
    g_assert(ir_fire(t, MSI_REMAP(3), 0, 0x51));
    /* handle + subhandle */
    g_assert(ir_fire(t, MSI_REMAP(4) | MSI_SHV, 5, 0x52));
    /* subhandle ignored without SHV */
    irte_set(t, irt, 1, IRTE_V | IRTE_VECTOR(0x53), 0);
    g_assert(ir_fire(t, MSI_REMAP(1), 8, 0x53));
    xt_no_fault(t);

    /* A forged remappable MSI (edu DMA write into the window) is remapped */
    irte_set(t, irt, 2, IRTE_V | IRTE_VECTOR(0x54), 0);
    g_assert(!apic_irr_has(t, 0x54));
    dev_write(t, MSI_REMAP(2), 0xf00, 4);
    g_assert(apic_irr_has(t, 0x54));
    xt_no_fault(t);

    /* MODE only governs DMA: a blocked requester's MSIs are remapped */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_BLOCKED, DTE_IM_REMAP, irt | 4);
    xt_cmd(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_cmd(t, CMD_INV_IRTE | CMD_RID(t->edu_rid) | CMD_HI(15), 0);
    xt_sync(t);
    irte_set(t, irt, 5, IRTE_V | IRTE_VECTOR(0x55), 0);
    g_assert(ir_fire(t, MSI_REMAP(5), 0, 0x55));
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

static void test_ir_sid(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, true);
    uint16_t rid = t->edu_rid;

    /* exact SID match */
    irte_set(t, irt, 0, IRTE_V | IRTE_SVT(1) | IRTE_VECTOR(0x60), rid);
    g_assert(ir_fire(t, MSI_REMAP(0), 0, 0x60));
    /* wrong SID */
    irte_set(t, irt, 1, IRTE_V | IRTE_SVT(1) | IRTE_VECTOR(0x61), rid ^ 1);
    g_assert(!ir_fire(t, MSI_REMAP(1), 0x77, 0x61));
    xt_fault(t, RSN_IR_SID, ACC_INTR, MSI_REMAP(1), DID_NONE, 0x77);
    /* SQ=1 ignores RID bit 0 */
    irte_set(t, irt, 2, IRTE_V | IRTE_SVT(1) | IRTE_SQ(1) |
             IRTE_VECTOR(0x62), rid ^ 1);
    g_assert(ir_fire(t, MSI_REMAP(2), 0, 0x62));
    /* bus range */
    irte_set(t, irt, 3, IRTE_V | IRTE_SVT(2) | IRTE_VECTOR(0x63), 0x0000);
    g_assert(ir_fire(t, MSI_REMAP(3), 0, 0x63));
    irte_set(t, irt, 4, IRTE_V | IRTE_SVT(2) | IRTE_VECTOR(0x64), 0x0105);
    g_assert(!ir_fire(t, MSI_REMAP(4), 0, 0x64));
    xt_fault(t, RSN_IR_SID, ACC_INTR, MSI_REMAP(4), DID_NONE, 0);
    /* FPD: blocked and counted, not recorded */
    irte_set(t, irt, 5, IRTE_V | IRTE_FPD | IRTE_SVT(1) | IRTE_VECTOR(0x65),
             rid ^ 2);
    g_assert(!ir_fire(t, MSI_REMAP(5), 0, 0x65));
    xt_no_fault(t);
    xt_end(t);
}

static void test_ir_sid_private(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);

    /* IRSV=0: the IRT is private, the SID field is not checked */
    irte_set(t, irt, 1, IRTE_V | IRTE_SVT(1) | IRTE_VECTOR(0x61),
             t->edu_rid ^ 1);
    g_assert(ir_fire(t, MSI_REMAP(1), 0, 0x61));
    xt_no_fault(t);
    xt_end(t);
}

static void test_ir_index(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 2, false);
    int i;

    for (i = 0; i < 8; i++) {
        irte_set(t, irt, i, IRTE_V | IRTE_VECTOR(0x70 + i), 0);
    }
    g_assert(ir_fire(t, MSI_REMAP(3), 0, 0x73));
    g_assert(!ir_fire(t, MSI_REMAP(4), 0x1234, 0x74));
    xt_fault(t, RSN_IR_INDEX, ACC_INTR, MSI_REMAP(4), DID_NONE, 0x1234);
    g_assert(!ir_fire(t, MSI_REMAP(1) | MSI_SHV, 3, 0x74));
    xt_fault(t, RSN_IR_INDEX, ACC_INTR, MSI_REMAP(1) | MSI_SHV, DID_NONE, 3);
    /* HANDLE + subhandle is not truncated: 0x7fff + 0x8001 is not 0 */
    g_assert(!ir_fire(t, MSI_REMAP(0x7fff) | MSI_SHV, 0x8001, 0x70));
    xt_fault(t, RSN_IR_INDEX, ACC_INTR, MSI_REMAP(0x7fff) | MSI_SHV,
             DID_NONE, 0x8001);
    xt_no_fault(t);
    xt_end(t);
}

static void test_ir_irte_invalid(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);

    irte_set(t, irt, 5, IRTE_VECTOR(0x75), 0);
    g_assert(!ir_fire(t, MSI_REMAP(5), 0x9, 0x75));
    xt_fault(t, RSN_IR_IRTE_INVALID, ACC_INTR, MSI_REMAP(5), DID_NONE, 0x9);
    /* malformed: vector < 16, SVT=3, reserved bits */
    irte_set(t, irt, 6, IRTE_V | IRTE_VECTOR(0x5), 0);
    g_assert(!ir_fire(t, MSI_REMAP(6), 0, 0x5));
    xt_fault(t, RSN_IR_IRTE_RSVD, ACC_INTR, MSI_REMAP(6), DID_NONE, 0);
    irte_set(t, irt, 7, IRTE_V | IRTE_SVT(3) | IRTE_VECTOR(0x76), 0);
    g_assert(!ir_fire(t, MSI_REMAP(7), 0, 0x76));
    xt_fault(t, RSN_IR_IRTE_RSVD, ACC_INTR, MSI_REMAP(7), DID_NONE, 0);
    irte_set(t, irt, 8, IRTE_V | IRTE_VECTOR(0x77), BIT_ULL(32));
    g_assert(!ir_fire(t, MSI_REMAP(8), 0, 0x77));
    xt_fault(t, RSN_IR_IRTE_RSVD, ACC_INTR, MSI_REMAP(8), DID_NONE, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 9);
    xt_no_fault(t);
    xt_end(t);
}

static void test_ir_compat(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);

    irte_set(t, irt, 0, IRTE_V | IRTE_VECTOR(0x80), 0);
    /* compatibility format while IM=2 -> IR_COMPAT */
    g_assert(!ir_fire(t, MSI_WINDOW, 0x81, 0x81));
    xt_fault(t, RSN_IR_COMPAT, ACC_INTR, MSI_WINDOW, DID_NONE, 0x81);
    xt_no_fault(t);

    /* IM=1: compatibility passes unchanged, remappable faults */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, DTE_IM_PASS, irt | 4);
    xt_cmd(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_cmd(t, CMD_INV_IRTE | CMD_RID(t->edu_rid) | CMD_HI(15), 0);
    xt_sync(t);
    edu_msi_program(t, MSI_WINDOW, 0x82);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x82));
    g_assert(!ir_fire(t, MSI_REMAP(0), 0, 0x80));
    xt_fault(t, RSN_IR_BLOCKED, ACC_INTR, MSI_REMAP(0), DID_NONE, 0);

    /* IM=0: both blocked */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, DTE_IM_BLOCK, irt | 4);
    xt_cmd(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_sync(t);
    g_assert(!ir_fire(t, MSI_WINDOW, 0x83, 0x83));
    xt_fault(t, RSN_IR_BLOCKED, ACC_INTR, MSI_WINDOW, DID_NONE, 0x83);
    g_assert(!ir_fire(t, MSI_REMAP(0), 0, 0x80));
    xt_fault(t, RSN_IR_BLOCKED, ACC_INTR, MSI_REMAP(0), DID_NONE, 0);

    /* IRE=0: passes through unchanged whatever IM says */
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    edu_msi_program(t, MSI_WINDOW, 0x84);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x84));
    xt_no_fault(t);
    xt_end(t);
}

/*
 * Remapping is on exactly while STATUS.IRE_ACK = 1, not from the CTRL
 * write that asks for it (interrupt-remapping): while a delayed CTRL
 * write with IRE has not taken effect, a compatibility-format MSI of a
 * requester with IM = 2 is forwarded unchanged; once IRE_ACK is 1 it
 * faults IR_COMPAT.  Switching it off again: the same, the other way.
 */
static void test_ir_gated_on_ack(void)
{
    XrmuTest *t = xt_start("id=xrmu0");
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);

    irte_set(t, irt, 0, IRTE_V | IRTE_VECTOR(0x80), 0);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    wr32(t, R_DBG_INJECT, DBG_CTRL_DELAY);
    wr32(t, R_CTRL, CTRL_QUEUES | CTRL_EN | CTRL_IRE);
    g_assert_cmphex(rd32(t, R_CTRL) & CTRL_IRE, ==, CTRL_IRE);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_IRE_ACK, ==, 0);
    edu_msi_program(t, MSI_WINDOW, 0x85);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x85));
    xt_no_fault(t);

    qtest_clock_step(t->qts, CTRL_DELAY_NS);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_IRE_ACK, ==, STS_IRE_ACK);
    g_assert(!ir_fire(t, MSI_WINDOW, 0x86, 0x86));
    xt_fault(t, RSN_IR_COMPAT, ACC_INTR, MSI_WINDOW, DID_NONE, 0x86);

    wr32(t, R_DBG_INJECT, DBG_CTRL_DELAY);
    wr32(t, R_CTRL, CTRL_QUEUES | CTRL_EN);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_IRE_ACK, ==, STS_IRE_ACK);
    g_assert(!ir_fire(t, MSI_WINDOW, 0x87, 0x87));
    xt_fault(t, RSN_IR_COMPAT, ACC_INTR, MSI_WINDOW, DID_NONE, 0x87);
    qtest_clock_step(t->qts, CTRL_DELAY_NS);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_IRE_ACK, ==, 0);
    edu_msi_program(t, MSI_WINDOW, 0x88);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x88));
    xt_no_fault(t);
    xt_end(t);
}

static void test_ir_stale_irte(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);

    irte_set(t, irt, 2, IRTE_V | IRTE_VECTOR(0x90), 0);
    g_assert(ir_fire(t, MSI_REMAP(2), 0, 0x90));
    /* change the vector without INV_IRTE: the cached one is used */
    irte_set(t, irt, 2, IRTE_V | IRTE_VECTOR(0x91), 0);
    edu_msi_fire(t);
    g_assert(!apic_irr_has(t, 0x91));
    /* other index or other RID: still stale */
    xt_cmd(t, CMD_INV_IRTE | CMD_RID(t->edu_rid) | CMD_HI(1), 3);
    xt_cmd(t, CMD_INV_IRTE | CMD_RID(t->edu_rid + 1) | CMD_HI(15), 0);
    xt_sync(t);
    edu_msi_fire(t);
    g_assert(!apic_irr_has(t, 0x91));
    xt_cmd(t, CMD_INV_IRTE | CMD_RID(t->edu_rid) | CMD_HI(1), 1);
    xt_sync(t);
    g_assert(ir_fire(t, MSI_REMAP(2), 0, 0x91));
    xt_no_fault(t);
    /* the SYNC after the non-covering INV_IRTEs completed: R23 */
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 23);
    xt_end(t);
}

/*
 * The delivered message follows the IRTE: destination APIC ID, trigger
 * mode, delivery mode; reserved delivery modes are malformed.
 */
static void test_ir_message(void)
{
    XrmuTest *t;
    uint64_t irt, remap, block;

    t = xt_start_full(NULL, EDU_SLOT, "-smp 2");
    irt = ir_setup(t, DTE_IM_REMAP, 4, false);
    irte_set(t, irt, 0, IRTE_V | IRTE_VECTOR(0x71) | IRTE_DEST(1), 0);
    irte_set(t, irt, 1, IRTE_V | IRTE_VECTOR(0x72) | BIT_ULL(7), 0);
    irte_set(t, irt, 2, IRTE_V | IRTE_VECTOR(0x02) | 4ULL << 8, 0);
    irte_set(t, irt, 3, IRTE_V | IRTE_VECTOR(0x73) | 2ULL << 8, 0);
    irte_set(t, irt, 4, IRTE_V | IRTE_VECTOR(0x74) | BIT_ULL(12), 0);

    /* DEST = 1: CPU 1 gets it, CPU 0 does not */
    remap = cnt(t, R_CNT_IR_REMAP);
    edu_msi_program(t, MSI_REMAP(0), 0);
    edu_msi_fire(t);
    g_assert(apic_irr_has_at(t, 1, 0x71, false));
    g_assert(!apic_irr_has_at(t, 0, 0x71, false));
    g_assert_cmpuint(cnt(t, R_CNT_IR_REMAP), ==, remap + 1);
    /* TM = 1: level-triggered */
    g_assert(ir_fire(t, MSI_REMAP(1), 0, 0x72));
    g_assert(apic_irr_has_at(t, 0, 0x72, true));
    /* NMI: the vector is not checked, delivered (not to the IRR) */
    remap = cnt(t, R_CNT_IR_REMAP);
    block = cnt(t, R_CNT_IR_BLOCK);
    edu_msi_program(t, MSI_REMAP(2), 0);
    edu_msi_fire(t);
    g_assert_cmpuint(cnt(t, R_CNT_IR_REMAP), ==, remap + 1);
    g_assert_cmpuint(cnt(t, R_CNT_IR_BLOCK), ==, block);
    xt_no_fault(t);
    /* reserved DLM and a RsvdZ bit: malformed */
    g_assert(!ir_fire(t, MSI_REMAP(3), 0, 0x73));
    xt_fault(t, RSN_IR_IRTE_RSVD, ACC_INTR, MSI_REMAP(3), DID_NONE, 0);
    g_assert(!ir_fire(t, MSI_REMAP(4), 0, 0x74));
    xt_fault(t, RSN_IR_IRTE_RSVD, ACC_INTR, MSI_REMAP(4), DID_NONE, 0);
    xt_no_fault(t);
    xt_end(t);
}

/* Reads of the interrupt window with EN=1 are malformed interrupt requests */
static void test_ir_window_read(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t root;

    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 1);
    /* even a mapping there does not make it DMA */
    xt_map(t, root, 4, MSI_WINDOW, 0x1800000, 1, PTE_RW);
    dev_read(t, MSI_WINDOW, 0, 4);
    xt_fault(t, RSN_IR_MALFORMED, ACC_READ, MSI_WINDOW, DID_NONE, 0);
    xt_no_fault(t);
    xt_end(t);
}

/* Injected table read errors: DT_READ_ERR, PT_READ_ERR, IR_READ_ERR */
static void test_fault_read_err(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t dst = xt_page(t), root, irt = xt_page(t);
    uint64_t a = 0x200000, b = 0x8000000000ULL;

    g_assert(t->cap & CAP_DBG);
    xt_enable(t, t->cap & CAP_IR ? CTRL_IRE : 0);
    root = xt_page(t);
    xt_dte(t, t->edu_rid, root | DTE_V | DTE_MODE_XLATE | DTE_LEVELS(4),
           4 | DTE_IM_REMAP, t->cap & CAP_IR ? irt | 4 : 0);
    xt_map(t, root, 4, a, dst, 1, PTE_RW);
    xt_map(t, root, 4, b, dst, 1, PTE_RW);
    dev_write(t, a, 0, 64);
    xt_no_fault(t);

    /*
     * The DTE is cached now: the next table read is the walk of @b.  The
     * whole request fails, none of it reaches memory.
     */
    qtest_memset(t->qts, dst, 0x3c, PAGE);
    wr32(t, R_DBG_INJECT, DBG_TABLE_READ_ERR);
    dev_write(t, b, 0, 64);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    xt_fault(t, RSN_PT_READ_ERR, ACC_WRITE, b, 4, root + 8 * 1);
    xt_no_fault(t);
    g_assert(has_fill(t, dst, PAGE, 0x3c));
    /* a cache hit does not use the injection */
    wr32(t, R_DBG_INJECT, DBG_TABLE_READ_ERR);
    dev_write(t, a, 0, 64);
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, DBG_TABLE_READ_ERR);
    /* with the DTC emptied the DTE read fails */
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_cmd(t, CMD_INV_IOTLB | CMD_SCOPE_GLOBAL, 0);
    xt_sync(t);
    dev_write(t, a, 0, FLT_LEN);
    xt_fault(t, RSN_DT_READ_ERR, ACC_WRITE, a, DID_NONE,
             t->dt + 32ULL * t->edu_rid);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    dev_write(t, a, 0, 64);
    xt_no_fault(t);
    if (t->cap & CAP_IR) {
        irte_set(t, irt, 5, IRTE_V | IRTE_VECTOR(0x66), 0);
        wr32(t, R_DBG_INJECT, DBG_TABLE_READ_ERR);
        g_assert(!ir_fire(t, MSI_REMAP(5), 0, 0x66));
        xt_fault(t, RSN_IR_READ_ERR, ACC_INTR, MSI_REMAP(5), DID_NONE,
                 irt + 16 * 5);
        g_assert(ir_fire(t, MSI_REMAP(5), 0, 0x66));
    }
    xt_no_fault(t);
    /* injected errors are not violations */
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/* Remappable MSIs that are not one aligned 4-byte write */
static void test_ir_malformed(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);

    irte_set(t, irt, 2, IRTE_V | IRTE_VECTOR(0x58), 0);
    dev_write(t, MSI_REMAP(2), 0xf00, 2);
    xt_fault(t, RSN_IR_MALFORMED, ACC_INTR, MSI_REMAP(2), DID_NONE, 0);
    g_assert(!apic_irr_has(t, 0x58));
    /* the well-formed one goes through */
    dev_write(t, MSI_REMAP(2), 0xf00, 4);
    g_assert(apic_irr_has(t, 0x58));
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/* Fault queue stopped or FLT_IE clear: faults are counted, nothing sent */
static void test_fltq_off(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t faults;

    xt_enable(t, 0);
    xt_dte_xlate(t, 4, 2);
    faults = cnt(t, R_CNT_FAULT);
    /* FLT_IE = 0: recorded, no interrupt, and none later either */
    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_FLT_IE) | CTRL_EN);
    make_fault(t, 0x1000000);
    g_assert(!xt_msix_fired(t, 0));
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    g_assert(!xt_msix_fired(t, 0));
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x1000000, 2, 4);
    /*
     * FLTQ_EN 1 -> 0 with a record pending: HEAD and TAIL keep their
     * values, and the record can still be drained
     */
    make_fault(t, 0x1003000);
    g_assert(xt_msix_fired(t, 0));
    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_FLTQ_EN) | CTRL_EN);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_FLTQ_ON, ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_HEAD), ==, t->fltq_head);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, (t->fltq_head + 1) % 16);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x1003000, 2, 4);
    g_assert_cmphex(rd32(t, R_FLTQ_HEAD), ==, t->fltq_head);
    /* FLTQ_EN = 0: only counted */
    make_fault(t, 0x1001000);
    xt_no_fault(t);
    g_assert(!xt_msix_fired(t, 0));
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 3);
    /* restarted: HEAD = TAIL = 0, recording again */
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    t->fltq_head = 0;
    g_assert_cmphex(rd32(t, R_FLTQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 0);
    make_fault(t, 0x1002000);
    g_assert(xt_msix_fired(t, 0));
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x1002000, 2, 4);
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/* Restarting the command queue discards its error state */
static void test_cmdq_restart(void)
{
    XrmuTest *t = xt_start(NULL);
    uint32_t base;

    xt_enable(t, 0);
    base = t->cmdq_tail;
    xt_cmd(t, CMD_NOP, 0);
    xt_cmd(t, CMD_NOP, 0);
    xt_cmd(t, 0x09, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==,
                    CMDQ_STS_ERR | CMDQ_ERR_ILLEGAL << 8);
    g_assert(xt_msix_fired(t, 1));
    /* stopping keeps HEAD, TAIL and the error */
    xt_ctrl(t, CTRL_QUEUES & ~CTRL_CMDQ_EN);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, base + 2);
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), ==, base + 3);
    /* TAIL writes while stopped are ignored */
    wr32(t, R_CMDQ_TAIL, base + 5);
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), ==, base + 3);
    /* starting resets HEAD, TAIL and CMDQ_STS */
    xt_ctrl(t, CTRL_QUEUES);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    t->cmdq_tail = 0;
    xt_sync(t);
    /* SYNC with neither WR nor IRQ: software polls HEAD */
    xt_cmd(t, CMD_SYNC, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert(!xt_msix_fired(t, 1));
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 6);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    xt_end(t);
}

/* MSI-X masking: a masked vector is pending in the PBA, sent on unmask */
static void test_msix_mask(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t e = t->dev->msix_table_off + 1 * PCI_MSIX_ENTRY_SIZE;

    xt_enable(t, 0);
    qpci_io_writel(t->dev, t->bar, e + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   PCI_MSIX_ENTRY_CTRL_MASKBIT);
    g_assert(qpci_msix_masked(t->dev, 1));
    g_assert(!qpci_msix_pending(t->dev, 1));
    xt_cmd(t, CMD_SYNC | SYNC_IRQ, 0);
    g_assert(!xt_msix_fired(t, 1));
    g_assert(qpci_msix_pending(t->dev, 1));
    qpci_io_writel(t->dev, t->bar, e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    g_assert(xt_msix_fired(t, 1));
    g_assert(!qpci_msix_pending(t->dev, 1));
    xt_end(t);
}

/* A system (PCI) reset is a unit reset */
static void test_system_reset(void)
{
    XrmuTest *t = xt_start(NULL);

    xt_enable(t, CTRL_IRE);
    xt_cmd(t, CMD_NOP, 0);
    wr32(t, R_DBG_INJECT, DBG_CMDQ_STALL);
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(t->qts, "RESET");
    /* config space was reset too: map BAR0 at the same place again */
    qpci_config_writel(t->dev, PCI_BASE_ADDRESS_0, t->bar.addr);
    qpci_config_writel(t->dev, PCI_BASE_ADDRESS_1, t->bar.addr >> 32);
    qpci_device_enable(t->dev);
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    assert_regs_reset(t);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    xt_end(t);
}

/* Requesters outside RIDRANGE are never translated or remapped */
static void test_coverage(void)
{
    XrmuTest *t = xt_start("bus-first=1,bus-last=9");
    uint64_t src = xt_page(t), dst = xt_page(t);
    uint64_t rr = rd64(t, R_RIDRANGE);

    g_assert_cmphex((rr >> 16) & 0xff, ==, 1);
    g_assert_cmphex((rr >> 24) & 0xff, ==, 9);
    fill_pattern(t, src, PAGE, 41);
    /* edu (bus 0) has no valid DTE: it would fault if it were covered */
    xt_enable(t, CTRL_IRE);
    dev_read(t, src, 0, PAGE);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 41));
    edu_msi_program(t, MSI_WINDOW, 0x45);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x45));
    xt_no_fault(t);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, 0);
    g_assert_cmpuint(cnt(t, R_CNT_XLATE), ==, 0);
    xt_end(t);
}

/*
 * Writes to the interrupt window are never DMA: with IRE=0 they are
 * forwarded unchanged even for a blocked or unmapped requester.
 */
static void test_ir_window_not_dma(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t root;

    xt_enable(t, 0);
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_BLOCKED, 0, 0);
    edu_msi_program(t, MSI_WINDOW, 0x46);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x46));
    xt_dte(t, t->edu_rid, 0, 0, 0);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    root = xt_dte_xlate(t, 4, 1);
    /* a mapping of the window IOVA does not turn it into DMA */
    xt_map(t, root, 4, MSI_WINDOW, xt_page(t), 1, PTE_RW);
    edu_msi_program(t, MSI_WINDOW, 0x47);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x47));
    xt_no_fault(t);
    /* with IRE=1 an invalid DTE blocks the MSI (DTE_INVALID, ACC=2) */
    xt_dte(t, t->edu_rid, 0, 0, 0);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN | CTRL_IRE);
    g_assert(!ir_fire(t, MSI_WINDOW, 0x48, 0x48));
    xt_fault(t, RSN_DTE_INVALID, ACC_INTR, MSI_WINDOW, DID_NONE, 0);
    xt_no_fault(t);
    xt_end(t);
}

/*
 * INV_IOTLB details: a DID above 2^DIDW matches nothing, a range is
 * clipped at 2^64 instead of wrapping to 0.
 */
static void test_inval_iotlb_edges(void)
{
    XrmuTest *t = xt_start("did-bits=8");
    uint64_t p1 = xt_page(t), p2 = xt_page(t), src = xt_page(t);
    uint64_t root, pte;

    g_assert_cmpint(CAP_DIDW(t->cap), ==, 8);
    fill_pattern(t, src, PAGE, 24);
    dev_read(t, src, 0, PAGE);
    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 5);
    pte = xt_map(t, root, 4, 0, p1, 1, PTE_RW);
    dev_write(t, 0, 0, 64);
    g_assert(has_pattern(t, p1, 64, 24));
    qtest_memset(t->qts, p1, 0, PAGE);
    qtest_writeq(t->qts, pte, p2 | PTE_RW | PTE_V | PTE_LEAF);
    /* DID 0x105 is not DID 5 */
    xt_cmd(t, CMD_INV_IOTLB | CMD_SCOPE_DOMAIN | CMD_DID(0x105), 0);
    xt_cmd(t, CMD_INV_IOTLB | CMD_SCOPE_RANGE | CMD_DID(0x105), 0);
    /* the last page of the address space plus one more: no wrap to 0 */
    xt_cmd(t, CMD_INV_IOTLB | CMD_SCOPE_RANGE | CMD_DID(5) | CMD_HI(1),
           0xfffffffffffff000ULL);
    xt_sync(t);
    dev_write(t, 0, 0, 64);
    g_assert(has_pattern(t, p1, 64, 24));
    g_assert(has_fill(t, p2, 64, 0));
    xt_cmd(t, CMD_INV_IOTLB | CMD_SCOPE_RANGE | CMD_DID(5), 0);
    xt_sync(t);
    dev_write(t, 0, 0, 64);
    g_assert(has_pattern(t, p2, 64, 24));
    xt_no_fault(t);
    /* the first SYNC after the non-covering invalidations: R23 */
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 23);
    xt_end(t);
}

/* INV_DTE(RID) also drops the cached L1E above it */
static void test_stale_l1e(void)
{
    XrmuTest *t = xt_start_at(NULL, 0x11);
    uint64_t src = xt_page(t), d1 = xt_page(t), d2 = xt_page(t), l2;

    fill_pattern(t, src, PAGE, 25);
    dev_read(t, src, 0, PAGE);
    xt_dt_2lvl(t, 9);
    xt_enable(t, 0);
    /* edu passes through at d1 */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, 0, 0);
    dev_write(t, d1, 0, 64);
    g_assert(has_pattern(t, d1, 64, 25));
    /* a new level-2 page with a blocked DTE, swapped in with one store */
    l2 = xt_page(t);
    qtest_writeq(t->qts, l2 + 32 * (t->edu_rid & 0x7f),
                 DTE_V | DTE_MODE_BLOCKED);
    qtest_writeq(t->qts, t->dt + 8 * (t->edu_rid >> 7), l2 | L1E_V);
    dev_write(t, d2, 0, 64);
    g_assert(has_pattern(t, d2, 64, 25));
    xt_no_fault(t);
    xt_cmd(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_sync(t);
    qtest_memset(t->qts, d2, 0, PAGE);
    dev_write(t, d2, 0, FLT_LEN);
    g_assert(has_fill(t, d2, PAGE, 0));
    xt_fault(t, RSN_BLOCKED, ACC_WRITE, d2, DID_NONE, 0);
    xt_no_fault(t);
    xt_end(t);
}

/* FSD also suppresses BLOCKED; FPD suppresses IR_SID only */
static void test_fault_suppress_scope(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt, dst = xt_page(t), faults;

    irt = ir_setup(t, DTE_IM_REMAP, 4, true);
    faults = cnt(t, R_CNT_FAULT);
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_BLOCKED | DTE_FSD, DTE_IM_REMAP |
           DTE_IRSV, irt | 4);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    dev_write(t, dst, 0, FLT_LEN);
    xt_no_fault(t);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 1);
    /* FSD does not cover interrupt faults */
    irte_set(t, irt, 1, IRTE_VECTOR(0x61), 0);
    g_assert(!ir_fire(t, MSI_REMAP(1), 0, 0x61));
    xt_fault(t, RSN_IR_IRTE_INVALID, ACC_INTR, MSI_REMAP(1), DID_NONE, 0);
    /* FPD on a malformed IRTE: still recorded */
    irte_set(t, irt, 2, IRTE_V | IRTE_FPD | IRTE_VECTOR(0x3), 0);
    g_assert(!ir_fire(t, MSI_REMAP(2), 0, 0x3));
    xt_fault(t, RSN_IR_IRTE_RSVD, ACC_INTR, MSI_REMAP(2), DID_NONE, 0);
    /* FPD with a SID mismatch: not recorded, counted */
    faults = cnt(t, R_CNT_FAULT);
    irte_set(t, irt, 3, IRTE_V | IRTE_FPD | IRTE_SVT(1) | IRTE_VECTOR(0x63),
             t->edu_rid ^ 8);
    g_assert(!ir_fire(t, MSI_REMAP(3), 0, 0x63));
    xt_no_fault(t);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 1);
    xt_end(t);
}

/* A unit without interrupt remapping (intremap=off) */
static void test_ir_absent(void)
{
    XrmuTest *t = xt_start("intremap=off");
    uint64_t irt = xt_page(t);

    g_assert(!(t->cap & CAP_IR));
    g_assert_cmpint(CAP_IRT_MAXLOG2(t->cap), ==, 0);
    xt_enable(t, 0);
    /* IRE cannot be set (R12) */
    wr32(t, R_CTRL, CTRL_QUEUES | CTRL_EN | CTRL_IRE);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 12);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_IRE_ACK, ==, 0);
    g_assert_cmphex(rd32(t, R_CTRL) & CTRL_IRE, ==, 0);
    g_assert(rd32(t, R_STATUS) & STS_EN_ACK);
    /* MSIs pass through unchanged */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, DTE_IM_REMAP, 0);
    edu_msi_program(t, MSI_WINDOW, 0x49);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x49));
    /* IRTLOG2 above IRT_MAXLOG2 = 0 makes the DTE malformed */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, DTE_IM_REMAP, irt | 1);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    dev_write(t, 0x1800000, 0, FLT_LEN);
    xt_fault(t, RSN_DTE_RSVD, ACC_WRITE, 0x1800000, DID_NONE, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 7);
    xt_no_fault(t);
    xt_end(t);
}

/* A unit without the debug block (dbg=off): 0x100-0x1FF reads 0 */
/* Violations seen, read through QOM (works with CAP.DBG = 0 too) */
static uint32_t qom_violations(XrmuTest *t)
{
    QDict *rsp = qtest_qmp(t->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': '/machine/peripheral/xrmu0', "
                           "'property': 'conformance-violations' } }");
    uint32_t n;

    g_assert(qdict_haskey(rsp, "return"));
    n = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return n;
}

/*
 * The debug window is 0x100-0x14F: 0x10C and 0x148 are reserved in it,
 * 0x150 on is undefined.  A 64-bit counter read equals its two halves.
 */
static void test_regs_debug_window(void)
{
    XrmuTest *t = xt_start("id=xrmu0");
    uint64_t c;
    uint32_t n = 0;

    xt_enable(t, 0);
    g_assert_cmphex(rd32(t, 0x10c), ==, 0);
    g_assert_cmphex(rd64(t, 0x148), ==, 0);
    g_assert_cmphex(rd32(t, 0x14c), ==, 0);
    c = rd64(t, R_CNT_CMD);
    g_assert_cmpuint(c, >, 0);
    g_assert_cmphex(rd32(t, R_CNT_CMD), ==, (uint32_t)c);
    g_assert_cmphex(rd32(t, R_CNT_CMD + 4), ==, c >> 32);
    /* reserved and undefined offsets: writes dropped, R2 */
    wr64(t, 0x148, 1);
    viol(t, &n, 2);
    g_assert_cmphex(rd64(t, 0x148), ==, 0);
    wr32(t, 0x150, 1);
    viol(t, &n, 2);
    g_assert_cmphex(rd32(t, 0x150), ==, 0);
    g_assert_cmpuint(qom_violations(t), ==, n);
    xt_end(t);
}

static void test_regs_no_debug(void)
{
    XrmuTest *t = xt_start("dbg=off,id=xrmu0");
    uint64_t off, dst = xt_page(t);

    g_assert(!(t->cap & CAP_DBG));
    xt_enable(t, 0);
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_BLOCKED, 0, 0);
    dev_write(t, dst, 0, FLT_LEN);
    xt_fault(t, RSN_BLOCKED, ACC_WRITE, dst, DID_NONE, 0);
    wr32(t, R_RESET, 1);
    wr32(t, R_DBG_INJECT, DBG_CMDQ_STALL);
    xt_sync(t);
    for (off = 0x100; off < 0x200; off += 4) {
        g_assert_cmphex(rd32(t, off), ==, 0);
    }
    /* the window is an undefined offset: a nonzero write is R2 */
    g_assert_cmpuint(qom_violations(t), ==, 2);
    wr32(t, R_CNT_CMD, 1);
    g_assert_cmpuint(qom_violations(t), ==, 3);
    xt_end(t);
}

/* Addresses at or above CAP.PAW (paw=40) */
static void test_paw(void)
{
    XrmuTest *t = xt_start("paw=40");
    uint64_t root, high = 1ULL << 40;

    g_assert_cmpint(CAP_PAW(t->cap), ==, 40);
    xt_enable(t, 0);
    /* a SYNC status address above PAW is a RsvdZ violation: ILLEGAL */
    xt_cmd_put(t, CMD_SYNC | SYNC_WR, high);
    cmd_error_resume(t, CMDQ_ERR_ILLEGAL, true);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 6);
    /* PTE address above PAW: PT_RSVD */
    root = xt_dte_xlate(t, 4, 1);
    xt_map(t, root, 4, 0x100000, high, 1, PTE_RW);
    dev_write(t, 0x100000, 0, FLT_LEN);
    xt_fault(t, RSN_PT_RSVD, ACC_WRITE, 0x100000, 1, 1);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 8);
    /* PTROOT above PAW: DTE_RSVD */
    xt_dte(t, t->edu_rid, high | DTE_V | DTE_MODE_XLATE | DTE_LEVELS(4), 1,
           0);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    dev_write(t, 0x100000, 0, FLT_LEN);
    xt_fault(t, RSN_DTE_RSVD, ACC_WRITE, 0x100000, DID_NONE, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 7);
    xt_no_fault(t);
    xt_end(t);
}

/*
 * A leaf that maps any of the interrupt window is malformed (page
 * tables): a translated write would otherwise reach the APIC as an MSI
 * that no remapping checked.  4 KiB leaves at the window's first and last
 * page and a 2 MiB leaf over it: PT_RSVD, R8, no interrupt; an ordinary
 * page still translates.
 */
static void test_pt_maps_window(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t root, buf = xt_page(t), below = xt_page(t);
    uint32_t n = 0;

    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 1);
    /* edu buffer 0x800: 0x55, a fixed compatibility MSI for vector 0x55 */
    qtest_writel(t->qts, buf, 0x55);
    xt_map(t, root, 4, 0x200000, buf, 1, PTE_RW);
    dev_read(t, 0x200000, 0x800, 4);
    xt_no_fault(t);

    xt_map(t, root, 4, 0x100000, MSI_WINDOW, 1, PTE_RW);
    dev_write(t, 0x100000, 0x800, 4);
    xt_fault(t, RSN_PT_RSVD, ACC_WRITE, 0x100000, 1, 1);
    viol(t, &n, 8);
    g_assert(!apic_irr_has(t, 0x55));
    dev_read(t, 0x100000, 0x900, 4);
    xt_fault(t, RSN_PT_RSVD, ACC_READ, 0x100000, 1, 1);
    viol(t, &n, 8);

    xt_map(t, root, 4, 0x101000, MSI_WINDOW + 0xff000, 1, PTE_RW);
    dev_write(t, 0x101000, 0x800, 4);
    xt_fault(t, RSN_PT_RSVD, ACC_WRITE, 0x101000, 1, 1);
    viol(t, &n, 8);
    g_assert(!apic_irr_has(t, 0x55));

    if (t->cap & CAP_PS2M) {
        xt_map(t, root, 4, 0x40000000, MSI_WINDOW, 2, PTE_RW);
        dev_write(t, 0x40000000, 0x800, 4);
        xt_fault(t, RSN_PT_RSVD, ACC_WRITE, 0x40000000, 1, 2);
        viol(t, &n, 8);
        g_assert(!apic_irr_has(t, 0x55));
    }

    /* an ordinary page still translates */
    xt_map(t, root, 4, 0x102000, below, 1, PTE_RW);
    dev_write(t, 0x102000, 0x800, 4);
    xt_no_fault(t);
    g_assert_cmphex(qtest_readl(t->qts, below), ==, 0x55);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, n);
    xt_end(t);
}

/*
 * The command queue restarted at @base, where the unit's DMA reaches no
 * memory, with one command published: READ_ERR at HEAD 0, the
 * command-queue interrupt, an R13 violation.  @on: the CTRL bits kept on
 * besides the queues.  Leaves the queue stopped in error.
 */
static void cmdq_unreachable(XrmuTest *t, uint64_t base, uint32_t on,
                             uint32_t *n)
{
    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_CMDQ_EN) | on);
    wr64(t, R_CMDQ_BASE, base | 4);
    xt_ctrl(t, CTRL_QUEUES | on);
    wr32(t, R_CMDQ_TAIL, 1);
    t->cmdq_tail = 1;
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==,
                    CMDQ_STS_ERR | CMDQ_ERR_READ << 8);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, 0);
    g_assert(xt_msix_fired(t, 1));
    viol(t, n, 13);
}

/*
 * Real (not injected) DMA errors of the unit's own accesses: structures
 * placed where no memory is.  Reported architecturally and as R13.
 */
static void test_real_dma_errors(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t hole = 1ULL << (CAP_PAW(t->cap) - 1);
    uint64_t root, irt = hole + 0x10000;
    uint32_t n = 0, on = CTRL_EN | (t->cap & CAP_IR ? CTRL_IRE : 0);

    /* device table in the hole: DT_READ_ERR with the DTE address */
    wr64(t, R_DTBASE, hole | DTBASE_LOG2SZ(8));
    xt_queues(t, 4, 4);
    t->dt = hole;
    xt_ctrl(t, CTRL_QUEUES);
    xt_inv_all(t);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    dev_write(t, 0x1800000, 0, FLT_LEN);
    viol(t, &n, 13);
    xt_fault(t, RSN_DT_READ_ERR, ACC_WRITE, 0x1800000, DID_NONE,
             hole + 32ULL * t->edu_rid);
    xt_no_fault(t);

    /* page table root and IRT in the hole: PT_READ_ERR, IR_READ_ERR */
    xt_ctrl(t, CTRL_QUEUES);
    xt_dt_linear(t, 8);
    xt_inv_all(t);
    xt_ctrl(t, CTRL_QUEUES | on);
    root = hole + 0x20000;
    xt_dte(t, t->edu_rid, root | DTE_V | DTE_MODE_XLATE | DTE_LEVELS(4), 1 |
           DTE_IM_REMAP, t->cap & CAP_IR ? irt | 4 : 0);
    dev_write(t, 0x8000000000ULL, 0, FLT_LEN);
    viol(t, &n, 13);
    xt_fault(t, RSN_PT_READ_ERR, ACC_WRITE, 0x8000000000ULL, 1, root + 8);
    if (t->cap & CAP_IR) {
        g_assert(!ir_fire(t, MSI_REMAP(3), 0x11, 0x4a));
        viol(t, &n, 13);
        xt_fault(t, RSN_IR_READ_ERR, ACC_INTR, MSI_REMAP(3), DID_NONE,
                 irt + 16 * 3);
    }
    xt_no_fault(t);

    /* command queue in the hole: READ_ERR at HEAD, R13 */
    cmdq_unreachable(t, hole, on, &n);

    /* fault queue in the hole: WERR, vector 0, R13 */
    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_FLTQ_EN) | on);
    wr64(t, R_FLTQ_BASE, hole | 4);
    xt_ctrl(t, CTRL_QUEUES | on);
    dev_write(t, 0x1800000, 0, FLT_LEN);
    n++;                    /* R13 for the page-table read */
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, FLTQ_STS_WERR);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 0);
    g_assert(xt_msix_fired(t, 0));
    viol(t, &n, 13);
    xt_end(t);
}

/*
 * A SYNC whose status write to @addr is not performed: SYNC_WRITE_ERR with
 * HEAD at the SYNC, the command-queue interrupt, an R13 violation; pointed
 * at memory (@good) and resumed, it completes.
 */
static void sync_refused(XrmuTest *t, uint64_t addr, uint32_t data,
                         uint64_t good, uint32_t *n)
{
    uint32_t bad = t->cmdq_tail;

    xt_cmd(t, CMD_SYNC | SYNC_WR | CMD_HI(data), addr);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==,
                    CMDQ_STS_ERR | CMDQ_ERR_SYNC_WRITE << 8);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, bad);
    g_assert(xt_msix_fired(t, 1));
    viol(t, n, 13);
    qtest_writeq(t->qts, t->cmdq + 16 * bad + 8, good);
    wr32(t, R_CMDQ_STS, CMDQ_STS_ERR);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    g_assert_cmphex(qtest_readl(t->qts, good), ==, data);
}

/*
 * The unit's own DMA reaches RAM only (overview, R13): a SYNC status word
 * aimed at CTRL in the unit's registers at @regs or at another device's
 * register, a command queue and a fault queue placed at @regs fail as DMA
 * outside memory does, and no register changes.
 */
static void own_regs_dma(XrmuTest *t, uint64_t regs)
{
    uint64_t good = xt_page(t);
    uint32_t n = 0, ctrl;

    xt_enable(t, 0);
    ctrl = rd32(t, R_CTRL);
    g_assert_cmphex(ctrl & CTRL_EN, ==, CTRL_EN);

    /* SYNC writing 0 to CTRL: SYNC_WRITE_ERR, the unit stays on */
    sync_refused(t, regs + R_CTRL, 0, good, &n);
    g_assert_cmphex(rd32(t, R_CTRL), ==, ctrl);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_EN_ACK, ==, STS_EN_ACK);

    /* nor another device's: edu's liveness register reads ~written */
    qpci_io_writel(t->edu, t->ebar, EDU_LIVENESS, 0);
    sync_refused(t, t->ebar.addr + EDU_LIVENESS, 0x5a5a, good, &n);
    g_assert_cmphex(qpci_io_readl(t->edu, t->ebar, EDU_LIVENESS), ==,
                    0xffffffff);

    /* command queue in the registers: READ_ERR at HEAD, nothing executed */
    cmdq_unreachable(t, regs, CTRL_EN, &n);

    /* fault queue in the registers: WERR, the record written nowhere */
    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_FLTQ_EN) | CTRL_EN);
    wr64(t, R_FLTQ_BASE, regs | 4);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    make_fault(t, 0x1800000);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, FLTQ_STS_WERR);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, 0);
    g_assert(xt_msix_fired(t, 0));
    viol(t, &n, 13);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_QUEUES | CTRL_EN);
    g_assert_cmphex(rd64(t, R_FLTQ_BASE), ==, regs | 4);
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
}

static void test_own_bar_dma(void)
{
    XrmuTest *t = xt_start(NULL);

    own_regs_dma(t, t->bar.addr);
    xt_end(t);
}

/*
 * Bus Master Enable gates the unit's own memory accesses, nothing else
 * (identity): with it clear, a fault cannot be recorded (WERR), commands
 * cannot be read (READ_ERR), registers still work; set again, both queues
 * work after software clears their error states, without a reset.
 */
static void test_bus_master(void)
{
    XrmuTest *t = xt_start(NULL);
    uint16_t cmd = qpci_config_readw(t->dev, PCI_COMMAND);
    uint64_t faults;
    uint32_t viols;

    xt_enable(t, 0);
    xt_dte_xlate(t, 4, 2);
    xt_inv_all(t);
    g_assert_cmphex(cmd & PCI_COMMAND_MASTER, ==, PCI_COMMAND_MASTER);
    qpci_config_writew(t->dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);

    faults = cnt(t, R_CNT_FAULT);
    viols = rd32(t, R_DBG_VIOL_COUNT);
    make_fault(t, 0x1800000);
    g_assert_cmpuint(cnt(t, R_CNT_FAULT), ==, faults + 1);
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, FLTQ_STS_WERR);
    g_assert_cmphex(rd32(t, R_FLTQ_TAIL), ==, t->fltq_head);
    g_assert(!xt_msix_fired(t, 0));
    g_assert_cmpuint(rd32(t, R_DBG_VIOL_COUNT), >, viols);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 13);

    xt_cmd_put(t, CMD_NOP, 0);
    xt_cmd_publish(t);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==,
                    CMDQ_STS_ERR | CMDQ_ERR_READ << 8);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail - 1);
    g_assert(!xt_msix_fired(t, 1));
    g_assert_cmphex(rd32(t, R_STATUS) & STS_EN_ACK, ==, STS_EN_ACK);

    /* back on: resume the command queue, restart the fault queue */
    qpci_config_writew(t->dev, PCI_COMMAND, cmd);
    wr32(t, R_CMDQ_STS, CMDQ_STS_ERR);
    xt_cmd_settle(t);
    g_assert_cmphex(rd32(t, R_CMDQ_STS), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, t->cmdq_tail);
    xt_sync(t);
    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_FLTQ_EN) | CTRL_EN);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    t->fltq_head = 0;
    g_assert_cmphex(rd32(t, R_FLTQ_STS), ==, 0);
    make_fault(t, 0x1800000);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x1800000, 2, 4);
    xt_no_fault(t);
    xt_end(t);
}

/*
 * One CTRL write may switch everything: on in the order queues, EN, IRE
 * and off in the order IRE, EN, queues, without violations.
 */
static void test_ctrl_order(void)
{
    XrmuTest *t = xt_start(NULL);
    uint32_t all = CTRL_QUEUES | CTRL_EN | CTRL_IRE;

    g_assert(t->cap & CAP_IR);
    xt_dt_linear(t, 8);
    xt_queues(t, 4, 4);
    wr32(t, R_CTRL, all);
    g_assert_cmphex(rd32(t, R_CTRL), ==, all);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_EN_ACK | STS_IRE_ACK |
                    STS_CMDQ_ON | STS_FLTQ_ON);
    xt_inv_all(t);
    wr32(t, R_CTRL, 0);
    g_assert_cmphex(rd32(t, R_CTRL), ==, 0);
    g_assert_cmphex(rd32(t, R_STATUS), ==, 0);
    /* EN is set again only after invalidating the caches (R10) */
    xt_ctrl(t, CTRL_QUEUES);
    t->cmdq_tail = 0;
    xt_inv_all(t);
    wr32(t, R_CTRL, all | CTRL_BLK);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_EN_ACK | STS_IRE_ACK |
                    STS_CMDQ_ON | STS_FLTQ_ON | STS_BLK_ACK);
    wr32(t, R_CTRL, CTRL_BLK);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_BLK_ACK);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/* Conformance checker */

static void test_conf_clean(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt;

    irt = ir_setup(t, DTE_IM_REMAP, 4, false);
    irte_set(t, irt, 0, IRTE_V | IRTE_VECTOR(0xa0), 0);
    g_assert(ir_fire(t, MSI_REMAP(0), 0, 0xa0));
    xt_cmd(t, CMD_NOP, 0);
    xt_inv_all(t);
    /* orderly disable */
    xt_ctrl(t, CTRL_QUEUES | CTRL_BLK);
    xt_ctrl(t, CTRL_BLK);
    xt_ctrl(t, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, 0);
    xt_end(t);
}

static void test_conf_rules(void)
{
    /* DIDW = 8, so a DID out of range can be written */
    XrmuTest *t = xt_start("did-bits=8");
    uint32_t n = 0;
    uint64_t dtbase, root;

    /* R3: queue size out of range: stored, and the queue does not start */
    xt_dt_linear(t, 8);
    xt_queues(t, 4, 4);
    wr64(t, R_CMDQ_BASE, t->cmdq | 3);
    viol(t, &n, 3);
    g_assert_cmphex(rd64(t, R_CMDQ_BASE), ==, t->cmdq | 3);
    wr32(t, R_CTRL, CTRL_CMDQ_EN);
    viol(t, &n, 3);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_CMDQ_ON, ==, 0);
    /* a refused start is not stored */
    g_assert_cmphex(rd32(t, R_CTRL), ==, 0);
    /* nor is a refused fault-queue start; the next write tries again */
    wr64(t, R_FLTQ_BASE, t->fltq | 3);
    viol(t, &n, 3);
    wr32(t, R_CTRL, CTRL_FLTQ_EN);
    viol(t, &n, 3);
    g_assert_cmphex(rd32(t, R_CTRL), ==, 0);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_FLTQ_ON, ==, 0);
    wr64(t, R_FLTQ_BASE, t->fltq | 4);
    wr32(t, R_CTRL, CTRL_FLTQ_EN);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_FLTQ_EN);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_FLTQ_ON, ==, STS_FLTQ_ON);
    wr32(t, R_CTRL, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, n);
    /* R11: EN without CMDQ_ON is not stored */
    wr32(t, R_CTRL, CTRL_EN);
    viol(t, &n, 11);
    g_assert_cmphex(rd32(t, R_CTRL) & CTRL_EN, ==, 0);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_EN_ACK, ==, 0);
    wr32(t, R_CTRL, 0);
    wr64(t, R_CMDQ_BASE, t->cmdq | 4);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, n);
    /* R3 and R11: DTBASE.LOG2SZ out of range, EN refused */
    wr64(t, R_DTBASE, t->dt | DTBASE_LOG2SZ(6));
    viol(t, &n, 3);
    xt_ctrl(t, CTRL_QUEUES);
    wr32(t, R_CTRL, CTRL_QUEUES | CTRL_EN);
    viol(t, &n, 11);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_EN_ACK, ==, 0);
    xt_ctrl(t, 0);
    wr64(t, R_DTBASE, t->dt | DTBASE_LOG2SZ(8));
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, n);

    /* R12: IRE without EN (or without CAP.IR) is not stored */
    xt_ctrl(t, CTRL_QUEUES);
    wr32(t, R_CTRL, CTRL_QUEUES | CTRL_IRE);
    viol(t, &n, 12);
    g_assert_cmphex(rd32(t, R_CTRL) & CTRL_IRE, ==, 0);
    g_assert_cmphex(rd32(t, R_STATUS) & STS_IRE_ACK, ==, 0);

    xt_enable(t, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, n);
    dtbase = rd64(t, R_DTBASE);
    /* R1: DTBASE written while enabled is ignored */
    wr64(t, R_DTBASE, 0x5000000 | DTBASE_LOG2SZ(8));
    viol(t, &n, 1);
    g_assert_cmphex(rd64(t, R_DTBASE), ==, dtbase);
    /* R1: CMDQ_BASE while the queue runs */
    wr64(t, R_CMDQ_BASE, 0x5000000 | 4);
    viol(t, &n, 1);
    g_assert_cmphex(rd64(t, R_CMDQ_BASE), ==, t->cmdq | 4);
    /* R6: bad command */
    xt_cmd_put(t, 0x77, 0);
    cmd_error_resume(t, CMDQ_ERR_ILLEGAL, true);
    viol(t, &n, 6);
    /* R7: malformed DTE (MODE=3) faults DTE_RSVD */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_RSVD, 0, 0);
    dev_write(t, 0x1800000, 0, FLT_LEN);
    viol(t, &n, 7);
    xt_fault(t, RSN_DTE_RSVD, ACC_WRITE, 0x1800000, DID_NONE, 0);
    /* R7: DID beyond DIDW */
    g_assert_cmpint(CAP_DIDW(t->cap), ==, 8);
    root = xt_page(t);
    xt_dte(t, t->edu_rid, root | DTE_V | DTE_MODE_XLATE | DTE_LEVELS(4),
           1u << CAP_DIDW(t->cap), 0);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    dev_write(t, 0x1000, 0, FLT_LEN);
    viol(t, &n, 7);
    xt_fault(t, RSN_DTE_RSVD, ACC_WRITE, 0x1000, DID_NONE, 0);
    /* R8: LEAF at level 4 */
    root = xt_dte_xlate(t, 4, 1);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    qtest_writeq(t->qts, root, 0x1800000 | PTE_V | PTE_LEAF | PTE_RW);
    dev_write(t, 0x1000, 0, FLT_LEN);
    viol(t, &n, 8);
    xt_fault(t, RSN_PT_RSVD, ACC_WRITE, 0x1000, 1, 4);
    /* R8: RsvdZ bit 4 in a non-leaf */
    qtest_writeq(t->qts, root, xt_page(t) | PTE_V | BIT_ULL(4));
    dev_write(t, 0x2000, 0, FLT_LEN);
    viol(t, &n, 8);
    xt_fault(t, RSN_PT_RSVD, ACC_WRITE, 0x2000, 1, 4);
    xt_no_fault(t);
    /* R7: IM=3 is malformed in every mode, also while IRE=0 */
    xt_dte(t, t->edu_rid, DTE_V | DTE_MODE_PT, 3ULL << 16, 0);
    xt_cmd(t, CMD_INV_DTE | CMD_ALL, 0);
    xt_sync(t);
    dev_write(t, 0x3000, 0, FLT_LEN);
    viol(t, &n, 7);
    xt_fault(t, RSN_DTE_RSVD, ACC_WRITE, 0x3000, DID_NONE, 0);
    /* R12: clearing EN but leaving IRE on turns IRE off too */
    if (t->cap & CAP_IR) {
        xt_ctrl(t, CTRL_QUEUES | CTRL_EN | CTRL_IRE);
        wr32(t, R_CTRL, CTRL_QUEUES | CTRL_IRE);
        viol(t, &n, 12);
        g_assert_cmphex(rd32(t, R_STATUS) & (STS_EN_ACK | STS_IRE_ACK), ==,
                        0);
        g_assert_cmphex(rd32(t, R_CTRL) & (CTRL_EN | CTRL_IRE), ==, 0);
        /* EN again: the caches are invalidated first (R10) */
        xt_inv_all(t);
        xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    }
    /* R4: CMDQ_TAIL beyond the queue size is ignored */
    wr32(t, R_CMDQ_TAIL, 16);
    viol(t, &n, 4);
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), ==, t->cmdq_tail);
    /* R5: FLTQ_HEAD moved past TAIL is ignored */
    wr32(t, R_FLTQ_HEAD, (t->fltq_head + 3) % 16);
    viol(t, &n, 5);
    g_assert_cmphex(rd32(t, R_FLTQ_HEAD), ==, t->fltq_head);
    wr32(t, R_FLTQ_HEAD, 16);
    viol(t, &n, 5);
    g_assert_cmphex(rd32(t, R_FLTQ_HEAD), ==, t->fltq_head);
    /* R13: a SYNC status write that fails */
    xt_cmd(t, CMD_SYNC | SYNC_WR, 1ULL << (CAP_PAW(t->cap) - 1));
    viol(t, &n, 13);
    xt_end(t);
}

/*
 * The invalidation checker (on by default; conformance rules R10, R23,
 * R24).  Each mutation below is a wrong driver sequence that must be
 * reported exactly once, under its rule; the correct sequences next to
 * them report nothing.
 */
#define R_EN_INV                10
#define R_INV_BEFORE_SYNC       23
#define R_REUSE_AFTER_SYNC      24

/* Address of the PTE of @level on @iova's walk from @root */
static uint64_t pte_at(XrmuTest *t, uint64_t root, int levels, uint64_t iova,
                       int level)
{
    uint64_t table = root;
    int l;

    for (l = levels; l > level; l--) {
        uint64_t pte = qtest_readq(t->qts,
                                   table + 8 * ((iova >> (12 + 9 * (l - 1)))
                                                & 511));

        g_assert(pte & PTE_V);
        table = pte & PTE_ADDR_MASK;
    }
    return table + 8 * ((iova >> (12 + 9 * (level - 1))) & 511);
}

typedef struct MutCtx {
    XrmuTest *t;
    uint64_t p1, p2, root, pte, iova;
    uint16_t did;
} MutCtx;

/* edu translated through DID 5, IOVA -> p1 used once (IOTLB filled) */
static void mut_start_opts(MutCtx *m, const char *opts)
{
    XrmuTest *t = xt_start(opts);
    uint64_t src = xt_page(t);

    m->t = t;
    m->p1 = xt_page(t);
    m->p2 = xt_page(t);
    m->iova = 0x40200000;
    m->did = 5;
    fill_pattern(t, src, PAGE, 61);
    dev_read(t, src, 0, PAGE);
    xt_enable(t, 0);
    m->root = xt_dte_xlate(t, 4, m->did);
    m->pte = xt_map(t, m->root, 4, m->iova, m->p1, 1, PTE_RW);
    dev_write(t, m->iova, 0, 64);
    g_assert(has_pattern(t, m->p1, 64, 61));
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
}

static void mut_start(MutCtx *m)
{
    mut_start_opts(m, NULL);
}

static void inv_range(XrmuTest *t, uint16_t did, uint64_t iova, int pages)
{
    xt_cmd_put(t, CMD_INV_IOTLB | CMD_SCOPE_RANGE | CMD_DID(did) |
               CMD_HI(pages - 1), iova);
}

/* Exactly one violation, of @rule, after the second SYNC */
static void mut_expect(MutCtx *m, int rule)
{
    XrmuTest *t = m->t;

    xt_sync(t);
    /* the first TAIL write after a change may be another CPU's */
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_sync(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, rule);
    /* reported once */
    xt_sync(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    xt_end(t);
}

static void mut_end_clean(MutCtx *m)
{
    xt_sync(m->t);
    xt_sync(m->t);
    g_assert_cmphex(rd32(m->t, R_DBG_VIOL_COUNT), ==, 0);
    xt_no_fault(m->t);
    xt_end(m->t);
}

/* M1: unmap without INV_IOTLB, then the IOVA reused for another page */
static void test_mut_unmap_no_inv(void)
{
    MutCtx m;

    mut_start(&m);
    qtest_writeq(m.t->qts, m.pte, 0);
    xt_sync(m.t);
    qtest_writeq(m.t->qts, m.pte, m.p2 | PTE_RW | PTE_V | PTE_LEAF);
    mut_expect(&m, R_INV_BEFORE_SYNC);
}

/* M1 with a one-entry IOTLB: the entry was evicted, the record stays */
static void test_mut_unmap_evicted(void)
{
    MutCtx m;
    uint64_t p3;

    mut_start_opts(&m, "iotlb-entries=1");
    p3 = xt_page(m.t);
    xt_map(m.t, m.root, 4, m.iova + PAGE, p3, 1, PTE_RW);
    dev_write(m.t, m.iova + PAGE, 0, 64);
    g_assert(has_pattern(m.t, p3, 64, 61));
    qtest_writeq(m.t->qts, m.pte, 0);
    xt_sync(m.t);
    qtest_writeq(m.t->qts, m.pte, m.p2 | PTE_RW | PTE_V | PTE_LEAF);
    mut_expect(&m, R_INV_BEFORE_SYNC);
}

/*
 * M2: the 2 MiB span is unmapped (level-2 entry cleared) and its level-1
 * table page reused at once, without invalidation or SYNC
 */
static void test_mut_pt_page_reuse(void)
{
    MutCtx m;
    uint64_t l2e;

    mut_start(&m);
    l2e = pte_at(m.t, m.root, 4, m.iova, 2);
    qtest_writeq(m.t->qts, l2e, 0);
    /* the page now holds a table of another mapping */
    qtest_writeq(m.t->qts, m.pte, m.p2 | PTE_R | PTE_V | PTE_LEAF);
    mut_expect(&m, R_REUSE_AFTER_SYNC);
}

/* M3: a valid DTE rewritten (passthrough) without INV_DTE */
static void test_mut_dte_no_inv(void)
{
    MutCtx m;

    mut_start(&m);
    qtest_writeq(m.t->qts, xt_dte_addr(m.t, m.t->edu_rid),
                 DTE_V | DTE_MODE_PT);
    mut_expect(&m, R_INV_BEFORE_SYNC);
}

/* M4: a valid IRTE changed without INV_IRTE */
static void test_mut_irte_no_inv(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);
    MutCtx m = { .t = t };

    irte_set(t, irt, 2, IRTE_V | IRTE_VECTOR(0x90), 0);
    g_assert(ir_fire(t, MSI_REMAP(2), 0, 0x90));
    irte_set(t, irt, 2, IRTE_V | IRTE_VECTOR(0x91), 0);
    /* other index, other RID: not covering */
    xt_cmd_put(t, CMD_INV_IRTE | CMD_RID(t->edu_rid), 3);
    xt_cmd_put(t, CMD_INV_IRTE | CMD_RID(t->edu_rid + 1) | CMD_HI(15), 0);
    mut_expect(&m, R_INV_BEFORE_SYNC);
}

/*
 * M5: the span unmapped, INV_IOTLB and SYNC queued, but the table page
 * reused before the SYNC completed (the driver did not wait)
 */
static void test_mut_sync_not_waited(void)
{
    MutCtx m;
    XrmuTest *t;
    uint64_t l2e;

    mut_start(&m);
    t = m.t;
    l2e = pte_at(t, m.root, 4, m.iova, 2);
    qtest_writeq(t->qts, l2e, 0);
    inv_range(t, m.did, m.iova & ~(2 * MiB - 1), 512);
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, sync_cmd(t, 0x99), t->sync_addr);
    xt_cmd_publish(t);
    qtest_writeq(t->qts, m.pte, m.p2 | PTE_R | PTE_V | PTE_LEAF);
    xt_cmd_settle(t);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0x99);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_LAST), ==, R_REUSE_AFTER_SYNC);
    xt_sync(t);
    xt_sync(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    xt_end(t);
}

/* M6: INV_IOTLB of the right range in the wrong domain */
static void test_mut_inv_wrong_did(void)
{
    MutCtx m;

    mut_start(&m);
    qtest_writeq(m.t->qts, m.pte, m.p2 | PTE_RW | PTE_V | PTE_LEAF);
    inv_range(m.t, m.did + 1, m.iova, 1);
    mut_expect(&m, R_INV_BEFORE_SYNC);
}

/* M7: INV_IOTLB of the right domain, a range that misses the page */
static void test_mut_inv_wrong_range(void)
{
    MutCtx m;

    mut_start(&m);
    qtest_writeq(m.t->qts, m.pte, 0);
    inv_range(m.t, m.did, m.iova + PAGE, 16);
    xt_sync(m.t);
    qtest_writeq(m.t->qts, m.pte, m.p2 | PTE_RW | PTE_V | PTE_LEAF);
    mut_expect(&m, R_INV_BEFORE_SYNC);
}

/* M8: the IRT moved (DTE IRTPTR) with INV_DTE but without INV_IRTE */
static void test_mut_irt_moved(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false), irt2 = xt_page(t);
    MutCtx m = { .t = t };

    irte_set(t, irt, 1, IRTE_V | IRTE_VECTOR(0x92), 0);
    g_assert(ir_fire(t, MSI_REMAP(1), 0, 0x92));
    irte_set(t, irt2, 1, IRTE_V | IRTE_VECTOR(0x93), 0);
    qtest_writeq(t->qts, xt_dte_addr(t, t->edu_rid) + 16, irt2 | 4);
    xt_cmd_put(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    mut_expect(&m, R_INV_BEFORE_SYNC);
}

/* M9: EN cleared and set again without invalidating the caches */
static void test_mut_en_no_inv(void)
{
    MutCtx m;

    mut_start(&m);
    xt_ctrl(m.t, CTRL_QUEUES);
    xt_ctrl(m.t, CTRL_QUEUES | CTRL_EN);
    g_assert_cmphex(rd32(m.t, R_DBG_VIOL_COUNT), ==, 1);
    g_assert_cmphex(rd32(m.t, R_DBG_VIOL_LAST), ==, R_EN_INV);
    xt_sync(m.t);
    xt_sync(m.t);
    g_assert_cmphex(rd32(m.t, R_DBG_VIOL_COUNT), ==, 1);
    xt_end(m.t);
}

/* Strict unmap: INV_IOTLB + SYNC, then the IOVA and the page reused */
static void test_ok_strict_unmap(void)
{
    MutCtx m;

    mut_start(&m);
    qtest_writeq(m.t->qts, m.pte, 0);
    inv_range(m.t, m.did, m.iova, 1);
    xt_sync(m.t);
    qtest_writeq(m.t->qts, m.pte, m.p2 | PTE_RW | PTE_V | PTE_LEAF);
    xt_sync(m.t);
    dev_write(m.t, m.iova, 0, 64);
    g_assert(has_pattern(m.t, m.p2, 64, 61));
    mut_end_clean(&m);
}

/*
 * Lazy unmap (flush queue): PTEs cleared with no invalidation while other
 * SYNCs complete; the IOVA is reused only after the domain flush.
 */
static void test_ok_lazy_unmap(void)
{
    MutCtx m;
    XrmuTest *t;
    int i;

    mut_start(&m);
    t = m.t;
    qtest_writeq(t->qts, m.pte, 0);
    for (i = 0; i < 4; i++) {
        inv_range(t, m.did + 1, m.iova, 1);
        xt_sync(t);
    }
    xt_cmd_put(t, CMD_INV_IOTLB | CMD_SCOPE_DOMAIN | CMD_DID(m.did), 0);
    xt_sync(t);
    qtest_writeq(t->qts, m.pte, m.p2 | PTE_RW | PTE_V | PTE_LEAF);
    dev_write(t, m.iova, 0, 64);
    g_assert(has_pattern(t, m.p2, 64, 61));
    mut_end_clean(&m);
}

/* Table page freed after the SYNC of its invalidation completed */
static void test_ok_pt_page_reuse(void)
{
    MutCtx m;
    uint64_t l2e;

    mut_start(&m);
    l2e = pte_at(m.t, m.root, 4, m.iova, 2);
    qtest_writeq(m.t->qts, l2e, 0);
    inv_range(m.t, m.did, m.iova & ~(2 * MiB - 1), 512);
    xt_sync(m.t);
    qtest_writeq(m.t->qts, m.pte, m.p2 | PTE_R | PTE_V | PTE_LEAF);
    mut_end_clean(&m);
}

/*
 * DTE and IRTE changed in place (one 64-bit store) with their
 * invalidations; EN cleared and set again after invalidating everything
 */
static void test_ok_dte_irte_en(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);
    MutCtx m = { .t = t };

    irte_set(t, irt, 2, IRTE_V | IRTE_VECTOR(0x94), 0);
    g_assert(ir_fire(t, MSI_REMAP(2), 0, 0x94));
    qtest_writeq(t->qts, irt + 32, IRTE_V | IRTE_VECTOR(0x95));
    xt_cmd_put(t, CMD_INV_IRTE | CMD_RID(t->edu_rid), 2);
    xt_sync(t);
    g_assert(ir_fire(t, MSI_REMAP(2), 0, 0x95));
    dev_write(t, 0x1000, 0, FLT_LEN);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, 0x1000, 7, -1);
    qtest_writeq(t->qts, xt_dte_addr(t, t->edu_rid),
                 DTE_V | DTE_MODE_BLOCKED);
    xt_cmd_put(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_sync(t);
    xt_ctrl(t, CTRL_QUEUES);
    xt_inv_all(t);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN | CTRL_IRE);
    mut_end_clean(&m);
}

/*
 * A device's IRT released the way the driver does it: DTE made invalid,
 * INV_DTE + SYNC, interrupt fields rewritten (IM = block, no IRT), DTE
 * valid again; other SYNCs complete before the INV_IRTE of the old
 * table, after whose SYNC the table page is reused.  MSIs never relied
 * on the stale IRTEs (IM = block): nothing to report.
 */
static void test_ok_ir_release(void)
{
    XrmuTest *t = xt_start(NULL);
    uint64_t irt = ir_setup(t, DTE_IM_REMAP, 4, false);
    uint64_t dte = xt_dte_addr(t, t->edu_rid), qw0;
    MutCtx m = { .t = t };

    irte_set(t, irt, 1, IRTE_V | IRTE_VECTOR(0x96), 0);
    g_assert(ir_fire(t, MSI_REMAP(1), 0, 0x96));
    qw0 = qtest_readq(t->qts, dte);
    qtest_writeq(t->qts, dte, 0);
    xt_cmd_put(t, CMD_INV_DTE | CMD_RID(t->edu_rid), 0);
    xt_sync(t);
    qtest_writeq(t->qts, dte + 8, 7 | DTE_IM_BLOCK);
    qtest_writeq(t->qts, dte + 16, 0);
    qtest_writeq(t->qts, dte, qw0);
    xt_sync(t);
    xt_sync(t);
    xt_cmd_put(t, CMD_INV_IRTE | CMD_RID(t->edu_rid) | CMD_HI(15), 0);
    xt_sync(t);
    irte_set(t, irt, 1, IRTE_V | IRTE_VECTOR(0x97), 0);
    mut_end_clean(&m);
}

/* The checker reads memory without consuming a DBG_INJECT error */
static void test_checker_no_inject(void)
{
    MutCtx m;
    XrmuTest *t;

    mut_start(&m);
    t = m.t;
    wr32(t, R_DBG_INJECT, DBG_TABLE_READ_ERR);
    qtest_writeq(t->qts, m.pte, m.p2 | PTE_RW | PTE_V | PTE_LEAF);
    xt_sync(t);
    xt_sync(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 1);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, DBG_TABLE_READ_ERR);
    wr32(t, R_DBG_INJECT, 0);
    xt_end(t);
}

/* stale-check=off: nothing is reported */
static void test_checker_off(void)
{
    XrmuTest *t = xt_start("stale-check=off");
    uint64_t p1 = xt_page(t), p2 = xt_page(t), root, pte;

    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 1);
    pte = xt_map(t, root, 4, 0x100000, p1, 1, PTE_RW);
    dev_write(t, 0x100000, 0, 64);
    qtest_writeq(t->qts, pte, p2 | PTE_RW | PTE_V | PTE_LEAF);
    xt_sync(t);
    xt_sync(t);
    xt_ctrl(t, CTRL_QUEUES);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/* Debug fault injections that model a vanished or a slow unit */

static bool qom_get_bool(XrmuTest *t, const char *prop)
{
    QDict *rsp = qtest_qmp(t->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': '/machine/peripheral/xrmu0', "
                           "'property': %s } }", prop);
    bool val;

    g_assert(qdict_haskey(rsp, "return"));
    val = qdict_get_bool(rsp, "return");
    qobject_unref(rsp);
    return val;
}

/* Returns whether the property accepted the value */
static bool qom_set_bool(XrmuTest *t, const char *prop, bool val)
{
    QDict *rsp = qtest_qmp(t->qts, "{ 'execute': 'qom-set', 'arguments': "
                           "{ 'path': '/machine/peripheral/xrmu0', "
                           "'property': %s, 'value': %i } }", prop, val);
    bool ok = qdict_haskey(rsp, "return");

    g_assert(ok || qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    return ok;
}

/*
 * A device reset (system reset): config space is reset too, so map both
 * functions' BARs at the same places again.
 */
static void xt_system_reset(XrmuTest *t)
{
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(t->qts, "RESET");
    qpci_config_writel(t->dev, PCI_BASE_ADDRESS_0, t->bar.addr);
    qpci_config_writel(t->dev, PCI_BASE_ADDRESS_1, t->bar.addr >> 32);
    qpci_device_enable(t->dev);
    qpci_config_writel(t->edu, PCI_BASE_ADDRESS_0, t->ebar.addr);
    qpci_device_enable(t->edu);
}

static void assert_gone_reads(XrmuTest *t)
{
    static const uint64_t regs32[] = {
        R_VERSION, R_CTRL, R_STATUS, R_RESET, R_CMDQ_HEAD, R_CMDQ_TAIL,
        R_CMDQ_STS, R_FLTQ_HEAD, R_FLTQ_TAIL, R_FLTQ_STS, R_FLTQ_LOST,
        R_DBG_VIOL_COUNT, R_DBG_INJECT, 0x10c, 0x0f00, 0x1000, 0x1ffc,
    };
    static const uint64_t regs64[] = {
        R_CAP, R_RIDRANGE, R_ECAP, R_DTBASE, R_CMDQ_BASE, R_FLTQ_BASE,
        R_CNT_XLATE, R_CNT_CMD,
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(regs32); i++) {
        g_assert_cmphex(rd32(t, regs32[i]), ==, 0xffffffff);
    }
    for (i = 0; i < ARRAY_SIZE(regs64); i++) {
        g_assert_cmphex(rd64(t, regs64[i]), ==, UINT64_MAX);
        g_assert_cmphex(rd32(t, regs64[i]), ==, 0xffffffff);
        g_assert_cmphex(rd32(t, regs64[i] + 4), ==, 0xffffffff);
    }
    /* sizes the registers do not support answer all ones too */
    g_assert_cmphex(rd64(t, R_CTRL), ==, UINT64_MAX);
    g_assert_cmphex(qpci_io_readb(t->dev, t->bar, R_VERSION + 2), ==, 0xff);
    /* and so do the MSI-X table and PBA in the same BAR */
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, t->dev->msix_table_off),
                    ==, 0xffffffff);
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, t->dev->msix_pba_off),
                    ==, 0xffffffff);
    /* config space is not affected */
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==,
                    XRMU_VENDOR);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_DEVICE_ID), ==,
                    XRMU_DEVICE);
}

/*
 * DBG_INJECT.UNIT_GONE: from the write on, BAR0 reads all ones and drops
 * writes, no command executes, no fault record or interrupt is written,
 * and DMA and MSIs of covered devices are aborted.  The fault interrupt
 * in flight (FLT_IE = 1) arrives once.  RESET cannot bring the unit back,
 * a device reset does.
 */
static void test_inject_unit_gone(void)
{
    XrmuTest *t = xt_start("id=xrmu0");
    uint64_t src = xt_page(t), dst = xt_page(t), root, rec;

    fill_pattern(t, src, PAGE, 61);
    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 1);
    xt_map(t, root, 4, 0x100000, src, 1, PTE_RW);
    xt_map(t, root, 4, 0x200000, dst, 1, PTE_RW);
    dev_read(t, 0x100000, 0, PAGE);
    dev_write(t, 0x200000, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 61));
    xt_no_fault(t);
    g_assert(!xt_msix_fired(t, 0));
    g_assert(!xt_msix_fired(t, 1));

    /* commands wait behind a stall that the next write lifts */
    wr32(t, R_DBG_INJECT, DBG_CMDQ_STALL);
    qtest_writel(t->qts, t->sync_addr, 0);
    xt_cmd_put(t, CMD_NOP, 0);
    xt_cmd_put(t, sync_cmd(t, 91) | SYNC_IRQ, t->sync_addr);
    xt_cmd_publish(t);

    wr32(t, R_DBG_INJECT, DBG_UNIT_GONE);
    /* the fault interrupt in flight, once, and nothing else */
    g_assert(xt_msix_fired(t, 0));
    g_assert(!xt_msix_fired(t, 1));
    assert_gone_reads(t);
    g_assert(qom_get_bool(t, "inject-unit-gone"));

    /* writes change nothing, RESET and DBG_INJECT included */
    wr32(t, R_CTRL, 0);
    wr32(t, R_RESET, XRMU_RESET_MAGIC);
    wr32(t, R_DBG_INJECT, 0);
    wr64(t, R_DTBASE, 0);
    wr32(t, R_FLTQ_STS, FLTQ_STS_OVF | FLTQ_STS_WERR);
    assert_gone_reads(t);
    /* neither can the property clear it; setting it again sends nothing */
    g_assert(!qom_set_bool(t, "inject-unit-gone", false));
    g_assert(qom_set_bool(t, "inject-unit-gone", true));
    g_assert(qom_get_bool(t, "inject-unit-gone"));
    g_assert_cmphex(rd32(t, R_VERSION), ==, 0xffffffff);

    /* the published commands never execute */
    qtest_clock_step(t->qts, 10 * NS_PER_MS);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0);

    /* DMA is aborted, mapped or not, and nothing is recorded */
    rec = t->fltq + 32ULL * t->fltq_head;
    qtest_memset(t->qts, dst, 0x5c, PAGE);
    dev_write(t, 0x200000, 0, PAGE);
    g_assert(has_fill(t, dst, PAGE, 0x5c));
    dev_write(t, 0x300000, 0, FLT_LEN);
    dev_read(t, 0x400000, 0, FLT_LEN);
    g_assert_cmphex(qtest_readq(t->qts, rec), ==, 0);
    /* the MSI is dropped (with EN = 1, IRE = 0 it would pass) */
    edu_msi_program(t, MSI_WINDOW, 0x47);
    edu_msi_fire(t);
    g_assert(!apic_irr_has(t, 0x47));
    g_assert(!xt_msix_fired(t, 0));
    g_assert(!xt_msix_fired(t, 1));
    assert_gone_reads(t);

    /* a device reset brings back a unit in its reset state */
    xt_system_reset(t);
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    g_assert_cmphex(rd64(t, R_CAP), ==, t->cap);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    g_assert(!qom_get_bool(t, "inject-unit-gone"));
    assert_regs_reset(t);
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, t->dev->msix_pba_off),
                    ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, t->sync_addr), ==, 0);
    /* EN = 0: DMA passes through again */
    qtest_memset(t->qts, dst, 0, PAGE);
    dev_read(t, src, 0, PAGE);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 61));
    edu_msi_program(t, MSI_WINDOW, 0x4a);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x4a));
    xt_end(t);
}

/* UNIT_GONE through the property, with FLT_IE = 0: no interrupt at all */
static void test_inject_unit_gone_quiet(void)
{
    XrmuTest *t = xt_start("id=xrmu0");

    xt_enable(t, 0);
    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_FLT_IE) | CTRL_EN);
    g_assert(!xt_msix_fired(t, 0));
    g_assert(!xt_msix_fired(t, 1));
    g_assert(qom_set_bool(t, "inject-unit-gone", true));
    g_assert(!xt_msix_fired(t, 0));
    g_assert(!xt_msix_fired(t, 1));
    assert_gone_reads(t);
    xt_system_reset(t);
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    xt_end(t);
}

/*
 * DBG_INJECT.CTRL_DELAY: the next CTRL write takes effect 50 ms of
 * virtual time later.  Until then CTRL reads it back while STATUS,
 * translation and blocking stay as they were; a second write makes the
 * pending one take effect first; a unit reset cancels it.
 */
static void test_inject_ctrl_delay(void)
{
    XrmuTest *t = xt_start("id=xrmu0");
    uint64_t src = xt_page(t), dst = xt_page(t), root, blocked;
    uint32_t on = STS_CMDQ_ON | STS_FLTQ_ON;

    fill_pattern(t, src, PAGE, 62);
    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 1);
    xt_map(t, root, 4, 0x100000, src, 1, PTE_RW);
    xt_map(t, root, 4, 0x200000, dst, 1, PTE_RW);
    dev_read(t, 0x100000, 0, PAGE);

    /* a translated DMA that edu performs 100 ms on, inside the delay */
    edu_dma_start(t, EDU_BUF, 0x200000, PAGE, true);
    qtest_clock_step(t->qts, 60 * NS_PER_MS);
    wr32(t, R_DBG_INJECT, DBG_CTRL_DELAY);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, DBG_CTRL_DELAY);
    wr32(t, R_CTRL, CTRL_QUEUES | CTRL_BLK);
    /* taken (the bit is clear, CTRL reads it), not in effect */
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_QUEUES | CTRL_BLK);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_EN_ACK | on);
    edu_msi_program(t, MSI_WINDOW, 0x48);
    edu_msi_fire(t);
    g_assert(apic_irr_has(t, 0x48));
    qtest_clock_step(t->qts, 45 * NS_PER_MS);
    g_assert_cmphex(qpci_io_readq(t->edu, t->ebar, EDU_DMA_CMD) &
                    EDU_CMD_START, ==, 0);
    g_assert(has_pattern(t, dst, PAGE, 62));
    xt_no_fault(t);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_EN_ACK | on);
    /* in effect exactly 50 ms after the write */
    qtest_clock_step(t->qts, CTRL_DELAY_NS - 45 * NS_PER_MS - 1);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_EN_ACK | on);
    qtest_clock_step(t->qts, 1);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_BLK_ACK | on);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_QUEUES | CTRL_BLK);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    /* EN = 0, BLK = 1 now: DMA and the MSI are blocked */
    blocked = cnt(t, R_CNT_IR_BLOCK);
    qtest_memset(t->qts, dst, 0x66, PAGE);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_fill(t, dst, PAGE, 0x66));
    edu_msi_program(t, MSI_WINDOW, 0x49);
    edu_msi_fire(t);
    g_assert(!apic_irr_has(t, 0x49));
    g_assert_cmpuint(cnt(t, R_CNT_IR_BLOCK), ==, blocked + 1);

    /*
     * A second write while one is pending: the pending one (command
     * queue off) takes effect first, then the second (on again), at once.
     * The queue restarted, so HEAD and TAIL are 0.
     */
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), !=, 0);
    wr32(t, R_DBG_INJECT, DBG_CTRL_DELAY);
    wr32(t, R_CTRL, (CTRL_QUEUES & ~CTRL_CMDQ_EN) | CTRL_BLK);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_BLK_ACK | on);
    wr32(t, R_CTRL, CTRL_QUEUES | CTRL_BLK);
    g_assert_cmphex(rd32(t, R_CMDQ_HEAD), ==, 0);
    g_assert_cmphex(rd32(t, R_CMDQ_TAIL), ==, 0);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_BLK_ACK | on);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_QUEUES | CTRL_BLK);
    qtest_clock_step(t->qts, CTRL_DELAY_NS + NS_PER_MS);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_BLK_ACK | on);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_QUEUES | CTRL_BLK);
    t->cmdq_tail = 0;
    xt_sync(t);

    /* RESET cancels a pending write (armed through the property) */
    g_assert(qom_set_bool(t, "inject-ctrl-delay", true));
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, DBG_CTRL_DELAY);
    wr32(t, R_CTRL, CTRL_QUEUES);
    g_assert(!qom_get_bool(t, "inject-ctrl-delay"));
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_QUEUES);
    g_assert_cmphex(rd32(t, R_STATUS), ==, STS_BLK_ACK | on);
    wr32(t, R_RESET, XRMU_RESET_MAGIC);
    assert_regs_reset(t);
    qtest_clock_step(t->qts, CTRL_DELAY_NS + NS_PER_MS);
    assert_regs_reset(t);

    /* and so does a device reset */
    wr32(t, R_DBG_INJECT, DBG_CTRL_DELAY);
    wr32(t, R_CTRL, CTRL_BLK);
    g_assert_cmphex(rd32(t, R_CTRL), ==, CTRL_BLK);
    g_assert_cmphex(rd32(t, R_STATUS), ==, 0);
    xt_system_reset(t);
    assert_regs_reset(t);
    qtest_clock_step(t->qts, CTRL_DELAY_NS + NS_PER_MS);
    assert_regs_reset(t);
    g_assert_cmphex(rd32(t, R_DBG_INJECT), ==, 0);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/* Randomised robustness: QEMU must survive arbitrary programming */

static const uint64_t fuzz_regs[] = {
    R_CTRL, R_RESET, R_DTBASE, R_CMDQ_BASE, R_CMDQ_TAIL, R_CMDQ_STS,
    R_FLTQ_BASE, R_FLTQ_HEAD, R_FLTQ_STS, R_DBG_INJECT, R_VERSION, R_CAP,
    R_CNT_XLATE, 0x0f00, 0x2000, 0x2008, 0x200c, 0x2010, 0x3000,
};

static uint64_t fuzz_value(GRand *r, XrmuTest *t, uint64_t *pool)
{
    switch (g_rand_int_range(r, 0, 8)) {
    case 0:
        return g_rand_int(r);
    case 1:
        return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
    case 2:
        return g_rand_int_range(r, 0, 64);
    case 3:
        return pool[g_rand_int_range(r, 0, 8)] |
               g_rand_int_range(r, 0, 0x200);
    case 4:
        return XRMU_RESET_MAGIC;
    case 5:
        return t->bar.addr + g_rand_int_range(r, 0, 0x4000);
    case 6:
        return MSI_WINDOW | (g_rand_int(r) & 0xfffff);
    default:
        return CTRL_QUEUES | CTRL_EN | CTRL_IRE |
               (g_rand_boolean(r) ? CTRL_BLK : 0);
    }
}

static guint32 env_uint(const char *str)
{
    unsigned long v = 0;

    g_assert_cmpint(qemu_strtoul(str, NULL, 0, &v), ==, 0);
    return v;
}

static void test_fuzz(void)
{
    XrmuTest *t = xt_start(NULL);
    const char *seed_env = g_getenv("XRMU_FUZZ_SEED");
    const char *iter_env = g_getenv("XRMU_FUZZ_ITERS");
    guint32 seed = seed_env ? env_uint(seed_env) : 0x5eed1234;
    guint32 iters = iter_env ? env_uint(iter_env) : 2000;
    GRand *r = g_rand_new_with_seed(seed);
    uint64_t pool[8], src, dst, root;
    int i, j;

    g_test_message("fuzz seed 0x%x, %u iterations", seed, iters);
    for (i = 0; i < 8; i++) {
        pool[i] = xt_pages(t, 2);
    }
    /* start from a sane configuration, then perturb it */
    t->dt = pool[0];
    t->dt_log2 = 8;
    wr64(t, R_DTBASE, pool[0] | DTBASE_LOG2SZ(8));
    xt_queues(t, 4, 4);
    xt_enable(t, CTRL_IRE);
    for (i = 0; i < iters; i++) {
        int op = g_rand_int_range(r, 0, 10);
        uint64_t v = fuzz_value(r, t, pool);

        if (op < 4) {
            uint64_t reg = fuzz_regs[g_rand_int_range(r, 0,
                                                      ARRAY_SIZE(fuzz_regs))];

            /* a unit that is gone stays gone: nothing left to fuzz */
            if (reg == R_DBG_INJECT) {
                v &= ~(uint64_t)DBG_UNIT_GONE;
            }
            if (g_rand_boolean(r)) {
                wr64(t, reg & ~7ULL, v);
            } else {
                wr32(t, reg, v);
            }
        } else if (op < 7) {
            uint64_t pa = pool[g_rand_int_range(r, 0, 8)] +
                          8 * g_rand_int_range(r, 0, 1024);

            for (j = 0; j < 4; j++) {
                qtest_writeq(t->qts, pa + 8 * j, fuzz_value(r, t, pool));
            }
        } else if (op < 9) {
            /* edu's own side must stay inside its buffer */
            uint32_t len = g_rand_int_range(r, 1, 64);
            uint64_t boff = EDU_BUF + g_rand_int_range(r, 0,
                                                       EDU_BUF_SIZE - len);
            bool to_ram = g_rand_boolean(r);

            qpci_io_writeq(t->edu, t->ebar, EDU_DMA_SRC, to_ram ? boff : v);
            qpci_io_writeq(t->edu, t->ebar, EDU_DMA_DST, to_ram ? v : boff);
            qpci_io_writeq(t->edu, t->ebar, EDU_DMA_CNT, len);
            qpci_io_writeq(t->edu, t->ebar, EDU_DMA_CMD, EDU_CMD_START |
                           (to_ram ? EDU_CMD_TO_RAM : 0));
            qtest_clock_step(t->qts, EDU_DMA_NS);
        } else {
            edu_msi_program(t, g_rand_boolean(r) ? MSI_WINDOW |
                            (g_rand_int(r) & 0xffff) :
                            fuzz_value(r, t, pool), g_rand_int(r));
            edu_msi_fire(t);
        }
        if (i % 250 == 0) {
            g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
        }
    }
    g_rand_free(r);
    /* the random programming did reach the unit's checks */
    g_assert_cmpuint(rd32(t, R_DBG_VIOL_COUNT), >, 0);

    /* restore an orderly state and check the unit still works */
    wr32(t, R_RESET, XRMU_RESET_MAGIC);
    g_assert_cmphex(rd32(t, R_CTRL), ==, 0);
    g_assert_cmphex(rd32(t, R_STATUS), ==, 0);
    t->next_page = MEM_END - 64 * PAGE;
    t->dt = 0;
    t->cmdq = 0;
    src = xt_page(t);
    dst = xt_page(t);
    fill_pattern(t, src, PAGE, 51);
    dev_read(t, src, 0, PAGE);
    dev_write(t, dst, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 51));
    t->sync_addr = xt_page(t);
    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 1);
    xt_map(t, root, 4, 0x100000, dst, 1, PTE_RW);
    qtest_memset(t->qts, dst, 0, PAGE);
    dev_write(t, 0x100000, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 51));
    xt_no_fault(t);
    xt_end(t);
}

/*
 * Each case runs in a forked subprocess, so that a failing assertion in
 * one case does not hide the results of the others.
 */
/* The memory-mapped unit (xrmu-sys) */

/* Route GSI @gsi to @vector of APIC 0: fixed, edge-triggered, unmasked */
static void ioapic_route(XrmuTest *t, int gsi, int vector)
{
    qtest_writel(t->qts, IOAPIC_BASE + IOAPIC_IOREGSEL,
                 IOAPIC_REDTBL(gsi) + 1);
    qtest_writel(t->qts, IOAPIC_BASE + IOAPIC_IOWIN, 0);
    qtest_writel(t->qts, IOAPIC_BASE + IOAPIC_IOREGSEL, IOAPIC_REDTBL(gsi));
    qtest_writel(t->qts, IOAPIC_BASE + IOAPIC_IOWIN, vector);
}

/*
 * Identity ("Memory-mapped (platform) variant"): VERSION, CAP and RIDRANGE
 * read as on the PCI function with the same properties, RIDRANGE follows
 * segment, bus-first and bus-last, and the block sits at addr and is
 * exactly 4 KiB: the page after it reads as a page where nothing is, also
 * while DBG_INJECT.UNIT_GONE makes the whole block read all ones.
 */
static void test_sys_identity(void)
{
    static const char props[] = "segment=2,bus-first=16,bus-last=31,"
                                "aw-bits=57,did-bits=7,ps-1g=off";
    uint64_t alt = 0xfe001000, none;
    XrmuTest *t = xt_start(NULL);
    uint64_t cap = t->cap, rr = rd64(t, R_RIDRANGE);

    xt_end(t);
    t = xt_start_sys(NULL);
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    g_assert_cmphex(t->cap, ==, cap);
    g_assert_cmphex(rd64(t, R_RIDRANGE), ==, rr);
    g_assert_cmphex(rd64(t, R_ECAP), ==, 0);
    assert_regs_reset(t);
    xt_end(t);

    t = xt_start(props);
    cap = t->cap;
    rr = rd64(t, R_RIDRANGE);
    xt_end(t);
    g_assert_cmphex(rr, ==, 2 | 16 << 16 | 31 << 24);
    t = xt_start_sys_full(alt, props, NULL);
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    g_assert_cmphex(t->cap, ==, cap);
    g_assert_cmphex(rd64(t, R_RIDRANGE), ==, rr);
    g_assert_cmphex(qtest_readl(t->qts, SYS_ADDR + R_VERSION), !=,
                    XRMU_VERSION_1_0);

    none = qtest_readq(t->qts, alt + 0x2000);
    g_assert_cmphex(qtest_readq(t->qts, alt - 8), ==, none);
    g_assert_cmphex(qtest_readq(t->qts, alt + 0x1000 + R_VERSION), ==, none);
    g_assert_cmphex(qtest_readq(t->qts, alt + 0x1000 + R_CAP), ==, none);
    wr32(t, R_DBG_INJECT, DBG_UNIT_GONE);
    g_assert_cmphex(rd64(t, R_VERSION), ==, UINT64_MAX);
    g_assert_cmphex(rd64(t, 0xff8), ==, UINT64_MAX);
    g_assert_cmphex(qtest_readq(t->qts, alt + 0x1000), ==, none);
    g_assert_cmphex(qtest_readq(t->qts, alt + 0x1ff8), ==, none);
    g_assert_cmphex(qtest_readq(t->qts, alt - 8), ==, none);
    g_assert_cmphex(none, !=, UINT64_MAX);
    /* only a platform reset brings it back */
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(t->qts, "RESET");
    assert_regs_reset(t);
    xt_end(t);
}

/*
 * No Bus Master Enable: straight after power-on, with no PCI config access
 * at all, the unit reads commands and writes the SYNC status word (the PCI
 * function needs BME for both, fault/bus-master).
 */
static void test_sys_no_bme(void)
{
    XrmuTest *t = xt_start_sys_full(SYS_ADDR, NULL, "");

    xt_queues(t, 4, 4);
    xt_ctrl(t, CTRL_QUEUES);
    xt_sync(t);
    xt_cmd_put(t, CMD_NOP, 0);
    xt_sync(t);
    g_assert_cmphex(rd32(t, R_DBG_VIOL_COUNT), ==, 0);
    xt_end(t);
}

/*
 * Interrupts: the command line is pulsed once for a SYNC with IRQ = 1 and
 * once when CMDQ_STS.ERR goes 0 -> 1, the fault line once for a record
 * written into an empty fault queue; only while CTRL.CMD_IE / FLT_IE is
 * set, and an event with the bit clear is not remembered.  The pulses
 * reach the GSIs of irq-fault and irq-cmd (6 and 7).
 */
static void test_sys_interrupts(void)
{
    XrmuTest *t = xt_start_sys(NULL);
    uint64_t iova = 0x40000000;

    ioapic_route(t, SYS_GSI_FLT, 0x56);
    ioapic_route(t, SYS_GSI_CMD, 0x57);
    /* its SYNCs have IRQ = 0 */
    xt_enable(t, 0);
    g_assert_cmpuint(sys_pulses(t, 1), ==, 0);
    g_assert_cmpuint(sys_pulses(t, 0), ==, 0);

    xt_cmd(t, CMD_SYNC | SYNC_IRQ, 0);
    g_assert_cmpuint(sys_pulses(t, 1), ==, 1);
    g_assert_cmpuint(sys_pulses(t, 0), ==, 0);
    g_assert(apic_irr_has(t, 0x57));
    g_assert(!apic_irr_has(t, 0x56));

    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_CMD_IE) | CTRL_EN);
    xt_cmd(t, CMD_SYNC | SYNC_IRQ, 0);
    g_assert_cmpuint(sys_pulses(t, 1), ==, 1);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    qtest_clock_step(t->qts, 1000000);
    g_assert_cmpuint(sys_pulses(t, 1), ==, 1);

    /* ERR 0 -> 1: one pulse, none on resuming (cmd_error_resume) */
    t->pulses_seen[1] = 1;
    xt_cmd_put(t, 0x06, 0);
    cmd_error_resume(t, CMDQ_ERR_ILLEGAL, true);
    g_assert_cmpuint(sys_pulses(t, 1), ==, 2);

    /* faults of edu (no mapping) */
    xt_dte_xlate(t, 4, 2);
    make_fault(t, iova);
    g_assert_cmpuint(sys_pulses(t, 0), ==, 1);
    g_assert(apic_irr_has(t, 0x56));
    make_fault(t, iova + PAGE);
    g_assert_cmpuint(sys_pulses(t, 0), ==, 1);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, iova, 2, 4);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, iova + PAGE, 2, 4);
    xt_no_fault(t);
    make_fault(t, iova + 2 * PAGE);
    g_assert_cmpuint(sys_pulses(t, 0), ==, 2);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, iova + 2 * PAGE, 2, 4);

    xt_ctrl(t, (CTRL_QUEUES & ~CTRL_FLT_IE) | CTRL_EN);
    make_fault(t, iova + 3 * PAGE);
    xt_ctrl(t, CTRL_QUEUES | CTRL_EN);
    qtest_clock_step(t->qts, 1000000);
    g_assert_cmpuint(sys_pulses(t, 0), ==, 2);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, iova + 3 * PAGE, 2, 4);
    xt_no_fault(t);
    g_assert_cmpuint(sys_pulses(t, 1), ==, 2);
    xt_end(t);
}

/*
 * No requester ID of its own: every requester of RIDRANGE is covered, RID
 * 0 too.  edu sits behind a root port whose secondary bus is numbered 1
 * while edu is set up, then 0: not a numbering firmware makes, but the
 * unit sees the RID the bus numbers give, 00:00.0, the lowest of the
 * range, and translates it.
 */
static void test_sys_rid0(void)
{
    XrmuTest *t = xt_start_sys_full(SYS_ADDR, NULL,
                                    "-device pcie-root-port,id=rp1,"
                                    "addr=05.0,chassis=1 "
                                    "-device edu,bus=rp1,addr=00.0,"
                                    "dma_mask=0xffffffffffffffff");
    QPCIDevice *rp = qpci_device_find(t->bus, QPCI_DEVFN(5, 0));
    uint64_t root, src = xt_page(t), dst = xt_page(t);
    uint64_t iova = 0x40000000, xlate;

    g_assert(rp);
    qpci_config_writeb(rp, PCI_SECONDARY_BUS, 1);
    qpci_config_writeb(rp, PCI_SUBORDINATE_BUS, 1);
    /* the window where libqos maps BARs: 0xe0000000-0xefffffff */
    qpci_config_writew(rp, PCI_MEMORY_BASE, 0xe000);
    qpci_config_writew(rp, PCI_MEMORY_LIMIT, 0xeff0);
    qpci_device_enable(rp);
    xt_start_edu(t, 1 << 8 | QPCI_DEVFN(0, 0));
    qpci_io_writel(t->edu, t->ebar, EDU_LIVENESS, 0);
    g_assert_cmphex(qpci_io_readl(t->edu, t->ebar, EDU_LIVENESS), ==,
                    0xffffffff);
    qpci_config_writeb(rp, PCI_SECONDARY_BUS, 0);
    qpci_config_writeb(rp, PCI_SUBORDINATE_BUS, 0);
    t->edu_rid = 0;

    xt_enable(t, 0);
    root = xt_dte_xlate(t, 4, 3);
    make_fault(t, iova);
    xt_fault(t, RSN_PT_NOT_PRESENT, ACC_WRITE, iova, 3, 4);
    xt_no_fault(t);
    xt_map(t, root, 4, iova, src, 1, PTE_R);
    xt_map(t, root, 4, iova + PAGE, dst, 1, PTE_W);
    fill_pattern(t, src, PAGE, 43);
    xlate = cnt(t, R_CNT_XLATE);
    dev_read(t, iova, 0, PAGE);
    dev_write(t, iova + PAGE, 0, PAGE);
    g_assert(has_pattern(t, dst, PAGE, 43));
    g_assert_cmpuint(cnt(t, R_CNT_XLATE), >, xlate);
    xt_no_fault(t);
    g_free(rp);
    xt_end(t);
}

/* Own DMA reaches RAM only, not the register block (fault/own-bar-dma) */
static void test_sys_own_regs_dma(void)
{
    XrmuTest *t = xt_start_sys(NULL);

    own_regs_dma(t, t->mmio);
    xt_end(t);
}

/*
 * Start QEMU with @args and expect it to refuse them: exit status 1 with
 * @msg on stderr.  One still running after 10 s is killed (and fails).
 */
static void sys_refused(const char *args, const char *msg)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *cmd = g_strdup_printf("exec %s -M q35 -nodefaults "
                                           "-display none -accel qtest -S "
                                           "%s", bin, args);
    char *argv[] = { (char *)"/bin/sh", (char *)"-c", cmd, NULL };
    g_autoptr(GError) err = NULL;
    char out[4096];
    size_t len = 0;
    ssize_t r;
    int fd, status = 0, i;
    GPid pid;

    g_assert(bin);
    g_assert(g_spawn_async_with_pipes(NULL, argv, NULL,
                                      G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                      &pid, NULL, NULL, &fd, &err));
    for (i = 0; i < 1000 && waitpid(pid, &status, WNOHANG) != pid; i++) {
        g_usleep(10 * 1000);
    }
    if (i == 1000) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    while (len < sizeof(out) - 1 &&
           (r = read(fd, out + len, sizeof(out) - 1 - len)) > 0) {
        len += r;
    }
    out[len] = 0;
    close(fd);
    g_spawn_close_pid(pid);
    g_test_message("%s: %s", args, out);
    g_assert_cmpint(i, <, 1000);
    g_assert(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(out, msg));
}

/*
 * Realize refuses GSIs that are no I/O APIC input or the same for both
 * lines, an addr that is not 4 KiB aligned, a pci-bus that is not a root
 * bus or one that has an IOMMU; GSIs 23 and 0 and pci-bus=pcie.0 work.
 */
static void test_sys_bad_props(void)
{
    XrmuTest *t;

    sys_refused("-device xrmu-sys,irq-fault=24",
                "xrmu-sys: GSI 24 is not an IOAPIC input");
    sys_refused("-device xrmu-sys,irq-cmd=100",
                "xrmu-sys: GSI 100 is not an IOAPIC input");
    sys_refused("-device xrmu-sys,irq-fault=7",
                "xrmu-sys: the fault and command interrupts need two GSIs");
    sys_refused("-device xrmu-sys,irq-fault=9,irq-cmd=9",
                "xrmu-sys: the fault and command interrupts need two GSIs");
    sys_refused("-device xrmu-sys,addr=0xfeda0800",
                "xrmu-sys: addr 0xfeda0800 is not 4 KiB aligned");
    sys_refused("-device xrmu-sys,pci-bus=nosuchbus",
                "xrmu-sys: pci-bus \"nosuchbus\" is not a PCI root bus");
    sys_refused("-device pcie-root-port,id=rp1,chassis=1 "
                "-device xrmu-sys,pci-bus=rp1",
                "xrmu-sys: pci-bus \"rp1\" is not a PCI root bus");
    sys_refused("-device xrmu-pci -device xrmu-sys",
                "xrmu-sys: root bus pcie.0 already has an IOMMU");
    sys_refused("-device xrmu-sys -device xrmu-sys,addr=0xfedb0000",
                "xrmu-sys: root bus pcie.0 already has an IOMMU");

    t = xt_start_sys("irq-fault=23,irq-cmd=0,pci-bus=pcie.0");
    g_assert_cmphex(rd32(t, R_VERSION), ==, XRMU_VERSION_1_0);
    xt_end(t);
}

typedef struct XrmuCase {
    const char *name;
    void (*fn)(void);
} XrmuCase;

static void run_case(gconstpointer data)
{
    const XrmuCase *c = data;

    if (g_test_subprocess()) {
        c->fn();
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
}

static const XrmuCase xrmu_cases[] = {
    { "regs/reset-values", test_reset_values },
    { "regs/ro-w1c", test_regs_ro_w1c },
    { "regs/unit-reset", test_unit_reset },
    { "xlate/4k", test_xlate_4k },
    { "xlate/2m", test_xlate_2m },
    { "xlate/1g", test_xlate_1g },
    { "xlate/2m-unannounced", test_xlate_2m_unannounced },
    { "xlate/1g-unannounced", test_xlate_1g_unannounced },
    { "xlate/levels-3", test_levels_3 },
    { "xlate/levels-4", test_levels_4 },
    { "xlate/levels-5", test_levels_5 },
    { "xlate/levels-5-unannounced", test_levels_5_unannounced },
    { "dt/linear", test_dt_linear },
    { "dt/range", test_dt_range },
    { "dt/two-level", test_dt_two_level },
    { "fault/ro-not-present", test_fault_ro_np },
    { "fault/one-per-request", test_fault_one_per_request },
    { "fault/fsd", test_fault_fsd },
    { "mode/blocked", test_mode_blocked },
    { "mode/passthrough", test_mode_passthrough },
    { "mode/ctrl-blk", test_ctrl_blk },
    { "inval/iotlb-range", test_stale_iotlb_range },
    { "inval/iotlb-domain", test_stale_iotlb_domain },
    { "inval/iotlb-global", test_stale_iotlb_global },
    { "inval/iotlb-large-page", test_stale_iotlb_large },
    { "inval/dte", test_stale_dte },
    { "cmd/all", test_cmd_all },
    { "cmd/async", test_cmd_async },
    { "cmd/in-flight", test_cmd_inflight },
    { "cmd/sync-mode", test_cmd_sync_mode },
    { "cmd-err/opcode", test_cmd_err_opcode },
    { "cmd-err/reserved", test_cmd_err_rsvd },
    { "cmd-err/inject", test_cmd_err_inject },
    { "cmd-err/sync-write", test_cmd_err_sync_write },
    { "fltq/overflow", test_fltq_overflow },
    { "fltq/werr", test_fltq_werr },
    { "ir/remap", test_ir_remap },
    { "ir/sid", test_ir_sid },
    { "ir/sid-private", test_ir_sid_private },
    { "ir/index", test_ir_index },
    { "ir/irte-invalid", test_ir_irte_invalid },
    { "ir/compat", test_ir_compat },
    { "ir/gated-on-ack", test_ir_gated_on_ack },
    { "ir/stale-irte", test_ir_stale_irte },
    { "ir/message", test_ir_message },
    { "ir/window-read", test_ir_window_read },
    { "ir/malformed", test_ir_malformed },
    { "fault/read-err", test_fault_read_err },
    { "fltq/off", test_fltq_off },
    { "cmd/restart", test_cmdq_restart },
    { "cmd/msix-mask", test_msix_mask },
    { "regs/system-reset", test_system_reset },
    { "coverage", test_coverage },
    { "ir/window-not-dma", test_ir_window_not_dma },
    { "inval/iotlb-edges", test_inval_iotlb_edges },
    { "inval/l1e", test_stale_l1e },
    { "fault/suppress-scope", test_fault_suppress_scope },
    { "ir/absent", test_ir_absent },
    { "regs/no-debug", test_regs_no_debug },
    { "regs/debug-window", test_regs_debug_window },
    { "paw", test_paw },
    { "fault/real-dma-errors", test_real_dma_errors },
    { "fault/pt-maps-window", test_pt_maps_window },
    { "fault/own-bar-dma", test_own_bar_dma },
    { "fault/bus-master", test_bus_master },
    { "regs/ctrl-order", test_ctrl_order },
    { "conformance/clean", test_conf_clean },
    { "conformance/rules", test_conf_rules },
    { "checker/mut-unmap-no-inv", test_mut_unmap_no_inv },
    { "checker/mut-unmap-evicted", test_mut_unmap_evicted },
    { "checker/mut-pt-page-reuse", test_mut_pt_page_reuse },
    { "checker/mut-dte-no-inv", test_mut_dte_no_inv },
    { "checker/mut-irte-no-inv", test_mut_irte_no_inv },
    { "checker/mut-sync-not-waited", test_mut_sync_not_waited },
    { "checker/mut-inv-wrong-did", test_mut_inv_wrong_did },
    { "checker/mut-inv-wrong-range", test_mut_inv_wrong_range },
    { "checker/mut-irt-moved", test_mut_irt_moved },
    { "checker/mut-en-no-inv", test_mut_en_no_inv },
    { "checker/ok-strict-unmap", test_ok_strict_unmap },
    { "checker/ok-lazy-unmap", test_ok_lazy_unmap },
    { "checker/ok-pt-page-reuse", test_ok_pt_page_reuse },
    { "checker/ok-dte-irte-en", test_ok_dte_irte_en },
    { "checker/ok-ir-release", test_ok_ir_release },
    { "checker/no-inject", test_checker_no_inject },
    { "checker/off", test_checker_off },
    { "inject/unit-gone", test_inject_unit_gone },
    { "inject/unit-gone-quiet", test_inject_unit_gone_quiet },
    { "inject/ctrl-delay", test_inject_ctrl_delay },
    { "fuzz", test_fuzz },
    { "sys/identity", test_sys_identity },
    { "sys/no-bme", test_sys_no_bme },
    { "sys/interrupts", test_sys_interrupts },
    { "sys/rid0", test_sys_rid0 },
    { "sys/own-regs-dma", test_sys_own_regs_dma },
    { "sys/bad-props", test_sys_bad_props },
};

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    if (!g_test_subprocess()) {
        /* a failed case is reported, the others still run */
        g_test_set_nonfatal_assertions();
    }

    if (!qtest_has_device("xrmu-pci") || !qtest_has_device("edu")) {
        g_test_skip("xrmu-pci or edu not available");
        return g_test_run();
    }
    for (i = 0; i < ARRAY_SIZE(xrmu_cases); i++) {
        g_autofree char *path = g_strdup_printf("/xrmu/%s",
                                                xrmu_cases[i].name);

        if (g_str_has_prefix(xrmu_cases[i].name, "sys/") &&
            !qtest_has_device("xrmu-sys")) {
            continue;
        }
        qtest_add_data_func(path, &xrmu_cases[i], run_case);
    }
    return g_test_run();
}
