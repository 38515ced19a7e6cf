// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu command queue.
 *
 * Every submission is a batch of commands followed by a SYNC that writes a
 * sequence number to a completion word in memory; the submitter waits for
 * that word under cmdq_lock.  Holding the lock across the wait keeps the
 * queue strictly single-producer, makes error recovery (which rewrites the
 * entry at HEAD) race-free and costs nothing on a unit that executes
 * commands as fast as the model does.  All waits are bounded.
 */

#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/minmax.h>
#include <linux/spinlock.h>

#include "xrmu.h"

#define XRMU_CMDQ_TIMEOUT_US	(1 * USEC_PER_SEC)

static const char * const xrmu_cmdq_errstr[] = {
	[XRMU_CMDQ_ERR_ILLEGAL] = "illegal command",
	[XRMU_CMDQ_ERR_READ] = "command read error",
	[XRMU_CMDQ_ERR_SYNC_WRITE] = "SYNC write error",
};

static inline u32 xrmu_cmdq_mask(struct xrmu_unit *unit)
{
	return (1U << unit->cmdq_log2) - 1;
}

/*
 * The unit stopped on the entry at HEAD: report it, replace it by a NOP and
 * resume.  Returns the index of the replaced entry.
 */
static u32 xrmu_cmdq_recover(struct xrmu_unit *unit, u32 sts)
{
	u32 code = FIELD_GET(XRMU_CMDQ_STS_ERRCODE, sts);
	u32 head = readl(unit->regs + XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
	struct xrmu_cmd *ent = &unit->cmdq[head & xrmu_cmdq_mask(unit)];

	dev_err_ratelimited(unit->dev,
			    "command queue error %u (%s) at %u: %016llx %016llx, replaced by NOP\n",
			    code,
			    code < ARRAY_SIZE(xrmu_cmdq_errstr) &&
			    xrmu_cmdq_errstr[code] ? xrmu_cmdq_errstr[code] :
			    "unknown",
			    head, ent->qw[0], ent->qw[1]);
	*ent = xrmu_cmd_nop();
	/* writel() orders the NOP before the resume. */
	writel(XRMU_CMDQ_STS_ERR, unit->regs + XRMU_REG_CMDQ_STS);
	return head;
}

/* Wait until there is room for one entry.  Called with cmdq_lock held. */
static int xrmu_cmdq_wait_space(struct xrmu_unit *unit)
{
	u32 mask = xrmu_cmdq_mask(unit);
	u32 next = (unit->cmdq_tail + 1) & mask;
	u32 head, sts;
	int ret;

	for (;;) {
		head = readl(unit->regs + XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
		if (head != next)
			return 0;
		/* Full: publish what is queued and let the unit drain it. */
		writel(unit->cmdq_tail, unit->regs + XRMU_REG_CMDQ_TAIL);
		ret = readl_poll_timeout_atomic(unit->regs + XRMU_REG_CMDQ_HEAD,
						head,
						(head & XRMU_QIDX) != next ||
						(readl(unit->regs +
						       XRMU_REG_CMDQ_STS) &
						 XRMU_CMDQ_STS_ERR),
						1, XRMU_CMDQ_TIMEOUT_US);
		if (ret) {
			head &= XRMU_QIDX;
			dev_err_ratelimited(unit->dev,
					    "command queue stuck (head %u tail %u)\n",
					    head, unit->cmdq_tail);
			return ret;
		}
		sts = readl(unit->regs + XRMU_REG_CMDQ_STS);
		if (sts & XRMU_CMDQ_STS_ERR)
			xrmu_cmdq_recover(unit, sts);
	}
}

static void xrmu_cmdq_put(struct xrmu_unit *unit, struct xrmu_cmd cmd)
{
	unit->cmdq[unit->cmdq_tail] = cmd;
	unit->cmdq_tail = (unit->cmdq_tail + 1) & xrmu_cmdq_mask(unit);
}

struct xrmu_sync_state {
	struct xrmu_unit *unit;
	u32 seq;
	bool head_fallback;
};

/* 0: pending, 1: complete, 2: the queue is stopped on an error */
static int xrmu_sync_poll(struct xrmu_sync_state *st)
{
	struct xrmu_unit *unit = st->unit;

	if ((s32)(READ_ONCE(*unit->sync_word) - st->seq) >= 0)
		return 1;
	if (st->head_fallback &&
	    (readl(unit->regs + XRMU_REG_CMDQ_HEAD) & XRMU_QIDX) ==
	    unit->cmdq_tail)
		return 1;
	if (readl(unit->regs + XRMU_REG_CMDQ_STS) & XRMU_CMDQ_STS_ERR)
		return 2;
	return 0;
}

/* Queue @cmds and a SYNC, publish, wait.  Called with cmdq_lock held. */
static int xrmu_cmdq_issue(struct xrmu_unit *unit, const struct xrmu_cmd *cmds,
			   unsigned int n)
{
	struct xrmu_sync_state st = { .unit = unit };
	u32 sync_idx = 0, sts;
	int ret = 0, err = 0, done;
	unsigned int i;

	for (i = 0; i <= n; i++) {
		ret = xrmu_cmdq_wait_space(unit);
		if (ret)
			return ret;
		if (i < n) {
			xrmu_cmdq_put(unit, cmds[i]);
		} else {
			st.seq = ++unit->sync_seq;
			sync_idx = unit->cmdq_tail;
			xrmu_cmdq_put(unit,
				      xrmu_cmd_sync(virt_to_phys(unit->sync_word),
						    st.seq, false));
		}
	}
	/* writel() orders the entries (and table updates) before the tail. */
	writel(unit->cmdq_tail, unit->regs + XRMU_REG_CMDQ_TAIL);

	for (;;) {
		ret = read_poll_timeout_atomic(xrmu_sync_poll, done, done, 1,
					       XRMU_CMDQ_TIMEOUT_US, false,
					       &st);
		if (ret) {
			dev_err_ratelimited(unit->dev,
					    "command queue timeout (head %u tail %u)\n",
					    readl(unit->regs + XRMU_REG_CMDQ_HEAD),
					    unit->cmdq_tail);
			return ret;
		}
		if (done == 1)
			return err;
		sts = readl(unit->regs + XRMU_REG_CMDQ_STS);
		err = -EIO;
		/*
		 * If the SYNC itself failed, all earlier commands completed
		 * but its completion word will never be written; HEAD
		 * reaching TAIL then means completion.
		 */
		if (xrmu_cmdq_recover(unit, sts) == sync_idx)
			st.head_fallback = true;
	}
}

/**
 * xrmu_cmdq_submit() - execute commands and wait for their completion
 * @unit: the unit
 * @cmds: commands (a SYNC is appended)
 * @n: number of commands, may be 0 (then only a SYNC is issued)
 *
 * May be called in atomic context.  If the unit rejected one of the
 * commands (it was replaced by a NOP), an invalidation may have been lost:
 * every cache is then invalidated with known-good commands before
 * returning, so that callers can still rely on the invalidations they
 * asked for.
 *
 * Return: 0, -EIO if the unit reported an error on one of the commands
 * (recovered as described), -ETIMEDOUT.
 */
int xrmu_cmdq_submit(struct xrmu_unit *unit, const struct xrmu_cmd *cmds,
		     unsigned int n)
{
	struct xrmu_cmd all[3];
	unsigned int n_all = 0;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	ret = xrmu_cmdq_issue(unit, cmds, n);
	if (ret == -EIO) {
		all[n_all++] = xrmu_cmd_inv_dte_all();
		all[n_all++] = xrmu_cmd_inv_iotlb_global();
		if (unit->cap & XRMU_CAP_IR)
			all[n_all++] = xrmu_cmd_inv_irte_all();
		if (xrmu_cmdq_issue(unit, all, n_all))
			dev_err_ratelimited(unit->dev,
					    "global invalidation after a command error failed\n");
	}
	raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
	return ret;
}

/**
 * xrmu_inv_iotlb_range() - invalidate an IOVA range of a domain ID and wait
 * @unit: the unit
 * @did: domain ID
 * @iova: start of the range
 * @size: size of the range in bytes
 *
 * Ranges too large for one command invalidate the whole domain ID.
 *
 * Return: as xrmu_cmdq_submit().
 */
int xrmu_inv_iotlb_range(struct xrmu_unit *unit, u16 did, unsigned long iova,
			 size_t size)
{
	unsigned long first = iova >> PAGE_SHIFT;
	unsigned long last = (iova + size - 1) >> PAGE_SHIFT;
	u64 npages = (u64)last - first + 1;
	struct xrmu_cmd cmd;

	if (!size)
		return 0;
	if (npages > (1ULL << 32))
		cmd = xrmu_cmd_inv_iotlb_domain(did);
	else
		cmd = xrmu_cmd_inv_iotlb_range(did, first << PAGE_SHIFT,
					       npages);
	return xrmu_cmdq_submit(unit, &cmd, 1);
}
