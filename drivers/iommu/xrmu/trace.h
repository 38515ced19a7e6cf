/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xrmu tracepoints.
 *
 * The IOMMU core already traces map, unmap and io_page_fault (events/iommu);
 * map and unmap run in the generic page-table library without the driver.
 * These add what only the driver knows: every command put on the command
 * queue (with the unit and domain ID), the complete fault record, and the
 * command-queue error paths.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xrmu

#if !defined(__XRMU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define __XRMU_TRACE_H

#include <linux/device.h>
#include <linux/tracepoint.h>

#include "xrmu.h"

TRACE_EVENT(xrmu_cmd,
	    TP_PROTO(struct xrmu_unit *unit, u32 index, const struct xrmu_cmd *cmd),
	    TP_ARGS(unit, index, cmd),
	    TP_STRUCT__entry(__string(unit, dev_name(unit->dev))
			     __field(u32, index)
			     __field(u8, op)
			     __field(u64, qw0)
			     __field(u64, qw1)),
	    TP_fast_assign(__assign_str(unit);
			   __entry->index = index;
			   __entry->op = FIELD_GET(XRMU_CMD_OPCODE, cmd->qw[0]);
			   __entry->qw0 = cmd->qw[0];
			   __entry->qw1 = cmd->qw[1];),
	    TP_printk("%s [%u] %s qw0=0x%016llx qw1=0x%016llx",
		      __get_str(unit), __entry->index,
		      __print_symbolic(__entry->op,
				       { XRMU_CMD_OP_NOP, "NOP" },
				       { XRMU_CMD_OP_INV_DTE, "INV_DTE" },
				       { XRMU_CMD_OP_INV_IOTLB, "INV_IOTLB" },
				       { XRMU_CMD_OP_INV_IRTE, "INV_IRTE" },
				       { XRMU_CMD_OP_SYNC, "SYNC" }),
		      __entry->qw0, __entry->qw1)
);

TRACE_EVENT(xrmu_cmdq_error,
	    TP_PROTO(struct xrmu_unit *unit, u32 code, u32 qhead,
		     const struct xrmu_cmd *cmd),
	    TP_ARGS(unit, code, qhead, cmd),
	    TP_STRUCT__entry(__string(unit, dev_name(unit->dev))
			     __field(u32, code)
			     __field(u32, head)
			     __field(u64, qw0)
			     __field(u64, qw1)),
	    TP_fast_assign(__assign_str(unit);
			   __entry->code = code;
			   __entry->head = qhead;
			   __entry->qw0 = cmd->qw[0];
			   __entry->qw1 = cmd->qw[1];),
	    TP_printk("%s errcode=%u head=%u qw0=0x%016llx qw1=0x%016llx",
		      __get_str(unit), __entry->code, __entry->head, __entry->qw0,
		      __entry->qw1)
);

/*
 * The unit was fenced (@fenced: after the wait for its block, STATUS as
 * then read) or accepts submissions again (!@fenced: recovery begins,
 * translation still off).
 */
TRACE_EVENT(xrmu_fence,
	    TP_PROTO(struct xrmu_unit *unit, bool fenced, u32 qhead, u32 qtail,
		     u32 status),
	    TP_ARGS(unit, fenced, qhead, qtail, status),
	    TP_STRUCT__entry(__string(unit, dev_name(unit->dev))
			     __field(bool, fenced)
			     __field(u32, head)
			     __field(u32, tail)
			     __field(u32, status)),
	    TP_fast_assign(__assign_str(unit);
			   __entry->fenced = fenced;
			   __entry->head = qhead;
			   __entry->tail = qtail;
			   __entry->status = status;),
	    TP_printk("%s %s head=%u tail=%u status=0x%08x", __get_str(unit),
		      __entry->fenced ? "fenced" : "recovering", __entry->head,
		      __entry->tail, __entry->status)
);

/* A write of @ctrl to CTRL. */
TRACE_EVENT(xrmu_ctrl,
	    TP_PROTO(struct xrmu_unit *unit, u32 ctrl),
	    TP_ARGS(unit, ctrl),
	    TP_STRUCT__entry(__string(unit, dev_name(unit->dev))
			     __field(u32, ctrl)),
	    TP_fast_assign(__assign_str(unit);
			   __entry->ctrl = ctrl;),
	    TP_printk("%s ctrl=0x%08x", __get_str(unit), __entry->ctrl)
);

/* A submission returned @ret; @seq is its SYNC's number (0: not queued). */
TRACE_EVENT(xrmu_cmdq_done,
	    TP_PROTO(struct xrmu_unit *unit, u32 seq, int ret),
	    TP_ARGS(unit, seq, ret),
	    TP_STRUCT__entry(__string(unit, dev_name(unit->dev))
			     __field(u32, seq)
			     __field(int, ret)),
	    TP_fast_assign(__assign_str(unit);
			   __entry->seq = seq;
			   __entry->ret = ret;),
	    TP_printk("%s seq=%u ret=%d", __get_str(unit), __entry->seq,
		      __entry->ret)
);

/* One fault record, as read from the queue (not rate limited). */
TRACE_EVENT(xrmu_fault,
	    TP_PROTO(struct xrmu_unit *unit, const u64 *rec),
	    TP_ARGS(unit, rec),
	    TP_STRUCT__entry(__string(unit, dev_name(unit->dev))
			     __field(u8, reason)
			     __field(u8, acc)
			     __field(bool, didv)
			     __field(u16, rid)
			     __field(u16, did)
			     __field(u64, addr)
			     __field(u64, info)),
	    TP_fast_assign(__assign_str(unit);
			   __entry->reason = FIELD_GET(XRMU_FLT_REASON, rec[0]);
			   __entry->acc = FIELD_GET(XRMU_FLT_ACC, rec[0]);
			   __entry->didv = rec[0] & XRMU_FLT_DIDV;
			   __entry->rid = FIELD_GET(XRMU_FLT_RID, rec[0]);
			   __entry->did = FIELD_GET(XRMU_FLT_DID, rec[0]);
			   __entry->addr = rec[1];
			   __entry->info = rec[2];),
	    TP_printk("%s reason=0x%02x acc=%s rid=%02x:%02x.%u did=%d addr=0x%llx info=0x%llx",
		      __get_str(unit), __entry->reason,
		      __print_symbolic(__entry->acc, { 0, "read" }, { 1, "write" },
				       { 2, "irq" }, { 3, "?" }),
		      __entry->rid >> 8, (__entry->rid >> 3) & 0x1f,
		      __entry->rid & 7, __entry->didv ? __entry->did : -1,
		      __entry->addr, __entry->info)
);

/* Fault queue status events: overflow (with records lost) or write error. */
TRACE_EVENT(xrmu_fault_queue,
	    TP_PROTO(struct xrmu_unit *unit, u32 sts, u32 lost),
	    TP_ARGS(unit, sts, lost),
	    TP_STRUCT__entry(__string(unit, dev_name(unit->dev))
			     __field(u32, sts)
			     __field(u32, lost)),
	    TP_fast_assign(__assign_str(unit);
			   __entry->sts = sts;
			   __entry->lost = lost;),
	    TP_printk("%s%s%s lost=%u", __get_str(unit),
		      __entry->sts & XRMU_FLTQ_STS_OVF ? " overflow" : "",
		      __entry->sts & XRMU_FLTQ_STS_WERR ? " write-error" : "",
		      __entry->lost)
);

/* A device's DMA blocked after @count fault records within a second. */
TRACE_EVENT(xrmu_storm_block,
	    TP_PROTO(struct xrmu_unit *unit, u16 rid, unsigned int count),
	    TP_ARGS(unit, rid, count),
	    TP_STRUCT__entry(__string(unit, dev_name(unit->dev))
			     __field(u16, rid)
			     __field(unsigned int, count)),
	    TP_fast_assign(__assign_str(unit);
			   __entry->rid = rid;
			   __entry->count = count;),
	    TP_printk("%s rid=%02x:%02x.%u faults=%u", __get_str(unit),
		      __entry->rid >> 8, (__entry->rid >> 3) & 0x1f,
		      __entry->rid & 7, __entry->count)
);

#endif /* __XRMU_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
