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
 *
 * A unit that stops making progress (a wait times out) is fenced: its
 * translation is switched off with CTRL.BLK set, so that DMA and MSIs of
 * its devices are blocked rather than translated through caches that can
 * no longer be invalidated.  Submissions then fail at once instead of
 * spinning, and a delayed work retries: once the queue has drained, every
 * cache is invalidated and translation switched back on.
 */

#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/minmax.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "trace.h"
#include "xrmu.h"

#define XRMU_CMDQ_TIMEOUT_US	(1 * USEC_PER_SEC)
#define XRMU_FENCE_TIMEOUT_US	(100 * USEC_PER_MSEC)
#define XRMU_RECOVER_DELAY	HZ

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

	unit->cmdq_head = head & xrmu_cmdq_mask(unit);

	unit->cnt.cmd_errors[code < ARRAY_SIZE(unit->cnt.cmd_errors) ?
			     code : 0]++;
	trace_xrmu_cmdq_error(unit, code, head, ent);
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

/*
 * The unit did not move HEAD for XRMU_CMDQ_TIMEOUT_US: fence it.  Called
 * with cmdq_lock held, possibly in atomic context.
 */
static void xrmu_cmdq_fence(struct xrmu_unit *unit, const char *what)
{
	u32 head = readl(unit->regs + XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
	u32 ctrl, sts;
	int ret;

	unit->cmdq_head = head & xrmu_cmdq_mask(unit);
	unit->cnt.cmd_timeouts++;
	if (unit->fenced)
		return;
	unit->fenced = true;
	unit->cnt.fences++;
	trace_xrmu_fence(unit, true, head, unit->cmdq_tail);
	ctrl = (unit->ctrl & ~(XRMU_CTRL_EN | XRMU_CTRL_IRE)) | XRMU_CTRL_BLK;
	writel(ctrl, unit->regs + XRMU_REG_CTRL);
	ret = readl_poll_timeout_atomic(unit->regs + XRMU_REG_STATUS, sts,
					(sts & (XRMU_STATUS_EN_ACK |
						XRMU_STATUS_BLK_ACK)) ==
					XRMU_STATUS_BLK_ACK,
					1, XRMU_FENCE_TIMEOUT_US);
	dev_err(unit->dev,
		"command queue made no progress (%s, head %u tail %u): unit fenced, DMA and MSIs of its devices blocked%s\n",
		what, head, unit->cmdq_tail,
		ret ? "; STATUS does not acknowledge the block" : "");
	schedule_delayed_work(&unit->recover_work, XRMU_RECOVER_DELAY);
}

/*
 * Wait until there is room for one entry.  Called with cmdq_lock held.
 *
 * The unit only moves HEAD from where it is towards TAIL, so the entries
 * between a HEAD value seen earlier (cmdq_head) and TAIL are a superset of
 * those still pending: if that copy leaves room, the queue has room, and
 * CMDQ_HEAD is read only when the copy says the queue is full.
 */
static int xrmu_cmdq_wait_space(struct xrmu_unit *unit)
{
	u32 mask = xrmu_cmdq_mask(unit);
	u32 next = (unit->cmdq_tail + 1) & mask;
	u32 head, sts;
	int ret;

	if (unit->cmdq_head != next)
		return 0;
	for (;;) {
		head = readl(unit->regs + XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
		unit->cmdq_head = head & mask;
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
			xrmu_cmdq_fence(unit, "queue full");
			return ret;
		}
		sts = readl(unit->regs + XRMU_REG_CMDQ_STS);
		if (sts & XRMU_CMDQ_STS_ERR)
			xrmu_cmdq_recover(unit, sts);
	}
}

static void xrmu_cmdq_put(struct xrmu_unit *unit, struct xrmu_cmd cmd)
{
	trace_xrmu_cmd(unit, unit->cmdq_tail, &cmd);
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
			xrmu_cmdq_fence(unit, "SYNC timeout");
			return ret;
		}
		if (done == 1) {
			/*
			 * The unit writes the completion word before it moves
			 * HEAD past the SYNC: HEAD has reached the SYNC, not
			 * necessarily gone past it.
			 */
			unit->cmdq_head = sync_idx;
			return err;
		}
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

/* Fill @all with commands invalidating every cache; returns the count. */
static unsigned int xrmu_cmd_inv_all(struct xrmu_unit *unit,
				     struct xrmu_cmd *all)
{
	unsigned int n = 0;

	all[n++] = xrmu_cmd_inv_dte_all();
	all[n++] = xrmu_cmd_inv_iotlb_global();
	if (unit->cap & XRMU_CAP_IR)
		all[n++] = xrmu_cmd_inv_irte_all();
	return n;
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
 * (recovered as described), -ETIMEDOUT if the unit made no progress or is
 * fenced (DMA through it is blocked then, so nothing stale can be used).
 */
int xrmu_cmdq_submit(struct xrmu_unit *unit, const struct xrmu_cmd *cmds,
		     unsigned int n)
{
	struct xrmu_cmd all[3];
	unsigned int n_all;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	if (unit->fenced) {
		raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
		return -ETIMEDOUT;
	}
	ret = xrmu_cmdq_issue(unit, cmds, n);
	if (ret == -EIO) {
		n_all = xrmu_cmd_inv_all(unit, all);
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

/*
 * Retry a fenced unit.  While HEAD has not reached the tail without an
 * error the unit is still stuck: look again later (no spinning).  Once it
 * has, invalidate every cache (nothing was translated while fenced, so no
 * entry can be filled from a table changed since) and switch translation
 * back on.
 */
static void xrmu_cmdq_recover_work(struct work_struct *work)
{
	struct xrmu_unit *unit = container_of(to_delayed_work(work),
					      struct xrmu_unit, recover_work);
	struct xrmu_cmd all[3];
	unsigned long flags;
	u32 head, sts;
	int ret;

	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	head = readl(unit->regs + XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
	unit->cmdq_head = head & xrmu_cmdq_mask(unit);
	sts = readl(unit->regs + XRMU_REG_CMDQ_STS);
	if (head != unit->cmdq_tail && !(sts & XRMU_CMDQ_STS_ERR))
		ret = -EBUSY;
	else
		ret = xrmu_cmdq_issue(unit, all, xrmu_cmd_inv_all(unit, all));
	raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
	if (ret) {
		schedule_delayed_work(&unit->recover_work, XRMU_RECOVER_DELAY);
		return;
	}

	writel(unit->ctrl, unit->regs + XRMU_REG_CTRL);
	ret = readl_poll_timeout(unit->regs + XRMU_REG_STATUS, sts,
				 !(unit->ctrl & XRMU_CTRL_EN) ||
				 (sts & XRMU_STATUS_EN_ACK), 10,
				 XRMU_FENCE_TIMEOUT_US);
	if (ret) {
		dev_err(unit->dev, "fenced unit does not turn translation back on (STATUS 0x%08x)\n",
			sts);
		schedule_delayed_work(&unit->recover_work, XRMU_RECOVER_DELAY);
		return;
	}

	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	unit->fenced = false;
	unit->cnt.recoveries++;
	trace_xrmu_fence(unit, false, head, unit->cmdq_tail);
	raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
	dev_warn(unit->dev, "command queue moving again: caches invalidated, unit no longer fenced\n");
}

/**
 * xrmu_cmdq_init() - set up the command queue state of a unit
 * @unit: the unit, before its first command
 */
void xrmu_cmdq_init(struct xrmu_unit *unit)
{
	INIT_DELAYED_WORK(&unit->recover_work, xrmu_cmdq_recover_work);
}

/**
 * xrmu_cmdq_exit() - stop the recovery of a unit being torn down
 * @unit: the unit
 *
 * The unit stays fenced if it was.
 */
void xrmu_cmdq_exit(struct xrmu_unit *unit)
{
	cancel_delayed_work_sync(&unit->recover_work);
}
