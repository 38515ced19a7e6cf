// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu fault queue: drain records and report them (rate limited).
 */

#include <linux/bitfield.h>
#include <linux/interrupt.h>
#include <linux/io.h>

#include "xrmu.h"

#define XRMU_FLT_RECORD_QWORDS	4

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

static void xrmu_fault_report(struct xrmu_unit *unit, const u64 *rec)
{
	unsigned int reason = FIELD_GET(XRMU_FLT_REASON, rec[0]);
	unsigned int rid = FIELD_GET(XRMU_FLT_RID, rec[0]);

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

/**
 * xrmu_fault_thread() - drain the fault queue
 * @irq: the fault interrupt
 * @data: the unit
 *
 * The unit signals only records written into an empty queue, so after
 * moving HEAD this re-reads TAIL and keeps draining until both agree.
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t xrmu_fault_thread(int irq, void *data)
{
	struct xrmu_unit *unit = data;
	u32 mask = (1U << unit->fltq_log2) - 1;
	u64 *q = unit->fltq;
	u32 head, tail, sts;

	head = readl(unit->regs + XRMU_REG_FLTQ_HEAD) & XRMU_QIDX;
	for (;;) {
		tail = readl(unit->regs + XRMU_REG_FLTQ_TAIL) & XRMU_QIDX;
		if (head == tail)
			break;
		/* Order the record reads after the TAIL read. */
		rmb();
		while (head != tail) {
			xrmu_fault_report(unit,
					  &q[head * XRMU_FLT_RECORD_QWORDS]);
			head = (head + 1) & mask;
		}
		writel(head, unit->regs + XRMU_REG_FLTQ_HEAD);
	}

	sts = readl(unit->regs + XRMU_REG_FLTQ_STS);
	if (sts & (XRMU_FLTQ_STS_OVF | XRMU_FLTQ_STS_WERR)) {
		dev_err_ratelimited(unit->dev,
				    "fault queue%s%s, %u records lost\n",
				    sts & XRMU_FLTQ_STS_OVF ? " overflow" : "",
				    sts & XRMU_FLTQ_STS_WERR ? " write error" : "",
				    readl(unit->regs + XRMU_REG_FLTQ_LOST));
		writel(sts & (XRMU_FLTQ_STS_OVF | XRMU_FLTQ_STS_WERR),
		       unit->regs + XRMU_REG_FLTQ_STS);
	}
	return IRQ_HANDLED;
}
