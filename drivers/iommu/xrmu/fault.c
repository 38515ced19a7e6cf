// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu fault queue: drain records, count them, log them (rate limited),
 * trace them (not rate limited) and hand DMA faults to the fault handler
 * of the device's domain through report_iommu_fault().
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/pci.h>

#include "trace.h"
#include "xrmu.h"

#define XRMU_FLT_RECORD_QWORDS	4
/*
 * Under a fault storm the (real-time) fault thread sleeps after every
 * XRMU_FLT_BUDGET records for as long as handling them took, so it never
 * takes more than about half of a CPU; records the unit cannot write
 * meanwhile are counted as lost (overflow).
 */
#define XRMU_FLT_BUDGET		128
#define XRMU_FLT_MIN_SLEEP_US	100
#define XRMU_FLT_MAX_SLEEP_US	(10 * USEC_PER_MSEC)

static const char *xrmu_fault_reason(unsigned int reason)
{
	switch (reason) {
	case 0x01: return "DT_RANGE";
	case 0x02: return "DT_L1_INVALID";
	case 0x03: return "DTE_INVALID";
	case 0x04: return "DTE_RSVD";
	case 0x05: return "DT_READ_ERR";
	case 0x06: return "BLOCKED";
	case 0x10: return "PT_NOT_PRESENT";
	case 0x11: return "PT_READ";
	case 0x12: return "PT_WRITE";
	case 0x13: return "PT_RSVD";
	case 0x14: return "PT_READ_ERR";
	case 0x15: return "ADDR_RANGE";
	case 0x20: return "IR_COMPAT";
	case 0x21: return "IR_INDEX";
	case 0x22: return "IR_IRTE_INVALID";
	case 0x23: return "IR_IRTE_RSVD";
	case 0x24: return "IR_SID";
	case 0x25: return "IR_READ_ERR";
	case 0x26: return "IR_BLOCKED";
	case 0x27: return "IR_MALFORMED";
	default: return "unknown";
	}
}

static const char * const xrmu_fault_acc[] = { "read", "write", "irq", "?" };

/*
 * Hand a DMA fault to the domain of the requester, if it is a device this
 * unit translates: a handler installed with iommu_set_fault_handler()
 * (VFIO type1, a test module) sees it, and the core traces io_page_fault.
 * Runs in the fault thread.  Returns true if a handler took the fault.
 */
static bool xrmu_fault_to_domain(struct xrmu_unit *unit, const u64 *rec)
{
	unsigned int acc = FIELD_GET(XRMU_FLT_ACC, rec[0]);

	if (acc != XRMU_FLT_ACC_READ && acc != XRMU_FLT_ACC_WRITE)
		return false;
	return xrmu_report_fault(unit, FIELD_GET(XRMU_FLT_RID, rec[0]),
				 rec[1], acc == XRMU_FLT_ACC_WRITE ?
				 IOMMU_FAULT_WRITE : IOMMU_FAULT_READ);
}

static void xrmu_fault_report(struct xrmu_unit *unit, const u64 *rec)
{
	unsigned int reason = FIELD_GET(XRMU_FLT_REASON, rec[0]);
	unsigned int rid = FIELD_GET(XRMU_FLT_RID, rec[0]);

	trace_xrmu_fault(unit, rec);
	unit->cnt.fault_records++;
	if (reason < XRMU_FLT_NR_REASONS)
		unit->cnt.fault_reason[reason]++;
	if (xrmu_fault_to_domain(unit, rec))
		unit->cnt.fault_reported++;

	if (rec[0] & XRMU_FLT_DIDV)
		dev_err_ratelimited(unit->dev,
				    "fault %s (0x%02x) %s rid %04x:%02x:%02x.%u did %llu addr 0x%llx info 0x%llx\n",
				    xrmu_fault_reason(reason), reason,
				    xrmu_fault_acc[FIELD_GET(XRMU_FLT_ACC, rec[0])],
				    unit->segment, rid >> 8, (rid >> 3) & 0x1f,
				    rid & 7, FIELD_GET(XRMU_FLT_DID, rec[0]),
				    rec[1], rec[2]);
	else
		dev_err_ratelimited(unit->dev,
				    "fault %s (0x%02x) %s rid %04x:%02x:%02x.%u addr 0x%llx info 0x%llx\n",
				    xrmu_fault_reason(reason), reason,
				    xrmu_fault_acc[FIELD_GET(XRMU_FLT_ACC, rec[0])],
				    unit->segment, rid >> 8, (rid >> 3) & 0x1f,
				    rid & 7, rec[1], rec[2]);
}

/*
 * Overflow and write errors: count the records the unit dropped, clear the
 * status bits (recording resumes at once: the queue has room again, and
 * no cause needs repairing for a write error the driver can see), log.
 * FLTQ_LOST is read on every pass so the count is exact even when OVF was
 * already set.  Returns the status bits cleared (none on a unit gone).
 */
static u32 xrmu_fault_status(struct xrmu_unit *unit)
{
	u32 sts, lost, delta;

	sts = xrmu_readl(unit, XRMU_REG_FLTQ_STS) &
	      (XRMU_FLTQ_STS_OVF | XRMU_FLTQ_STS_WERR);
	if (xrmu_gone(unit))
		return 0;
	if (sts)
		xrmu_writel(unit, XRMU_REG_FLTQ_STS, sts);
	lost = xrmu_readl(unit, XRMU_REG_FLTQ_LOST);
	if (xrmu_gone(unit))
		return 0;
	delta = lost - unit->fltq_lost;
	unit->fltq_lost = lost;
	unit->cnt.fault_lost += delta;
	if (!sts)
		return 0;
	if (sts & XRMU_FLTQ_STS_OVF)
		unit->cnt.fault_overflows++;
	if (sts & XRMU_FLTQ_STS_WERR)
		unit->cnt.fault_write_errors++;
	trace_xrmu_fault_queue(unit, sts, delta);
	dev_err_ratelimited(unit->dev,
			    "fault queue%s%s, %u records lost (%llu in total), recording resumed\n",
			    sts & XRMU_FLTQ_STS_OVF ? " overflow" : "",
			    sts & XRMU_FLTQ_STS_WERR ? " write error" : "",
			    delta, unit->cnt.fault_lost);
	return sts;
}

/*
 * A HEAD or TAIL index the unit reports must lie in the queue: a removed
 * unit reads all ones (xrmu_check_gone() has then said so), anything else
 * out of range is a malformed unit.  Either way the queue is not read.
 */
static bool xrmu_fault_index_ok(struct xrmu_unit *unit, u32 idx,
				const char *reg)
{
	if (likely(idx < (1U << unit->fltq_log2)))
		return true;
	if (!xrmu_gone(unit))
		dev_err_ratelimited(unit->dev,
				    "fault queue %s %u out of range (%u records): records not read\n",
				    reg, idx, 1U << unit->fltq_log2);
	return false;
}

/**
 * xrmu_fault_thread() - drain the fault queue
 * @irq: the fault interrupt
 * @data: the unit
 *
 * The unit signals only records written into an empty queue (and OVF or
 * WERR going from 0 to 1), so after moving HEAD this re-reads TAIL and
 * keeps draining until both agree; after clearing OVF or WERR it drains
 * once more.  Under a fault storm it sleeps after every XRMU_FLT_BUDGET
 * records, so that the storm cannot monopolise a CPU.  It stops at once on
 * a unit that is gone or reports an index outside the queue.
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t xrmu_fault_thread(int irq, void *data)
{
	struct xrmu_unit *unit = data;
	u32 mask = (1U << unit->fltq_log2) - 1;
	u64 *q = unit->fltq;
	ktime_t start = ktime_get();
	unsigned int done = 0;
	u32 head, tail;
	s64 us;

	unit->cnt.fault_irqs++;
	head = xrmu_readl(unit, XRMU_REG_FLTQ_HEAD) & XRMU_QIDX;
	if (!xrmu_fault_index_ok(unit, head, "HEAD"))
		return IRQ_HANDLED;
	do {
		for (;;) {
			tail = xrmu_readl(unit, XRMU_REG_FLTQ_TAIL) &
			       XRMU_QIDX;
			if (!xrmu_fault_index_ok(unit, tail, "TAIL"))
				return IRQ_HANDLED;
			if (head == tail)
				break;
			/* Order the record reads after the TAIL read. */
			rmb();
			while (head != tail) {
				xrmu_fault_report(unit,
						  &q[head * XRMU_FLT_RECORD_QWORDS]);
				head = (head + 1) & mask;
				done++;
			}
			xrmu_writel(unit, XRMU_REG_FLTQ_HEAD, head);
			if (done >= XRMU_FLT_BUDGET) {
				us = ktime_us_delta(ktime_get(), start);
				us = clamp_t(s64, us, XRMU_FLT_MIN_SLEEP_US,
					     XRMU_FLT_MAX_SLEEP_US);
				usleep_range(us, 2 * us);
				done = 0;
				start = ktime_get();
			}
		}
	} while (xrmu_fault_status(unit));
	return IRQ_HANDLED;
}
