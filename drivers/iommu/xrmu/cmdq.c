// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu command queue.
 *
 * Every submission is a batch of commands followed by a SYNC that writes a
 * sequence number to a completion word in memory.  The batch is queued and
 * CMDQ_TAIL written under cmdq_lock; the submitter then drops the lock
 * and polls the completion word for its own sequence number, so that other
 * CPUs can queue and publish their commands meanwhile.  Error recovery
 * (which rewrites the entry at HEAD) and the fence take the lock.  All waits
 * are bounded.
 *
 * A unit that stops making progress (a wait times out) is fenced: its
 * translation is switched off with CTRL.BLK set, so that DMA and MSIs of
 * its devices are blocked rather than translated through caches that can
 * no longer be invalidated.  Only once the unit has acknowledged the block
 * (or failed to within XRMU_FENCE_TIMEOUT_US) is the unit marked fenced:
 * from then on submissions fail at once instead of spinning, and so does
 * every waiter still polling.  A failed submission is safe for its caller
 * to act on (free what it invalidated) only if the block was acknowledged
 * (xrmu_cmdq_quiesced()); table pages of the others are quarantined.  A
 * delayed work retries: once the queue has drained, submissions are
 * accepted again (the unit is still blocked), every cache is invalidated
 * after them, and only then is translation switched back on.
 *
 * A unit whose registers read all ones is gone (xrmu_check_gone()):
 * every submission and wait fails at once with -ENODEV, nothing is
 * fenced or retried.
 */

#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/minmax.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "../iommu-pages.h"
#include "trace.h"
#include "xrmu.h"

#define XRMU_CMDQ_TIMEOUT_US	(1 * USEC_PER_SEC)
#define XRMU_FENCE_TIMEOUT_US	(100 * USEC_PER_MSEC)
#define XRMU_RECOVER_DELAY	HZ
#define XRMU_INV_ALL_TRIES	3
/* A SYNC waiter reads CMDQ_STS on every this many 1 us poll steps only. */
#define XRMU_CMDQ_STS_EVERY	8

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
 * The unit stopped on the entry at HEAD: report it, replace it by a NOP
 * (the specification's way to resume, command-queue.rst) and resume.
 * Called with cmdq_lock held.
 *
 * A replaced SYNC is completed here: the unit executes commands in order,
 * so every command before it has completed, which is all its SYNC would
 * have said; the lock holder writes its sequence number to the completion
 * word (the queue is stopped, so the unit writes no word meanwhile, and
 * later SYNCs carry larger numbers).  Nothing was lost.  Any other command
 * is counted in cmdq_lost, so that the submissions pending now return -EIO
 * and invalidate every cache.
 */
static void xrmu_cmdq_recover(struct xrmu_unit *unit, u32 sts)
{
	u32 code = FIELD_GET(XRMU_CMDQ_STS_ERRCODE, sts);
	u32 head = xrmu_readl(unit, XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
	struct xrmu_cmd *ent = &unit->cmdq[head & xrmu_cmdq_mask(unit)];
	bool sync = FIELD_GET(XRMU_CMD_OPCODE, ent->qw[0]) == XRMU_CMD_OP_SYNC;

	unit->cmdq_head = head & xrmu_cmdq_mask(unit);

	unit->cnt.cmd_errors[code < ARRAY_SIZE(unit->cnt.cmd_errors) ?
			     code : 0]++;
	trace_xrmu_cmdq_error(unit, code, head, ent);
	dev_err_ratelimited(unit->dev,
			    "command queue error %u (%s) at %u: %016llx %016llx, %s\n",
			    code,
			    code < ARRAY_SIZE(xrmu_cmdq_errstr) &&
			    xrmu_cmdq_errstr[code] ? xrmu_cmdq_errstr[code] :
			    "unknown",
			    head, ent->qw[0], ent->qw[1],
			    sync ? "SYNC replaced by NOP and completed" :
			    "replaced by NOP");
	if (sync) {
		u32 seq = FIELD_GET(XRMU_CMD_SYNC_DATA, ent->qw[0]);

		if ((s32)(seq - READ_ONCE(*unit->sync_word)) > 0)
			WRITE_ONCE(*unit->sync_word, seq);
	} else {
		WRITE_ONCE(unit->cmdq_lost, unit->cmdq_lost + 1);
	}
	*ent = xrmu_cmd_nop();
	/* writel() orders the NOP before the resume. */
	xrmu_writel(unit, XRMU_REG_CMDQ_STS, XRMU_CMDQ_STS_ERR);
}

/*
 * The unit made no progress (or keeps rejecting commands): fence it.
 * Called with cmdq_lock held, possibly in atomic context.
 *
 * @fenced is published only after the wait for the block: waiters that
 * see it give up (xrmu_cmdq_poll()), and their callers may then free what
 * they invalidated, which is safe only once the unit no longer translates
 * (@blocked, read after @fenced).  Other waiters meanwhile keep polling,
 * or wait for cmdq_lock, which is held throughout.
 */
static void xrmu_cmdq_fence(struct xrmu_unit *unit, const char *what)
{
	u32 head = xrmu_readl(unit, XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
	u32 ctrl, sts;
	int ret;

	if (unit->fenced || xrmu_gone(unit))
		return;
	unit->cmdq_head = head & xrmu_cmdq_mask(unit);
	ctrl = (unit->ctrl & ~(XRMU_CTRL_EN | XRMU_CTRL_IRE)) | XRMU_CTRL_BLK;
	xrmu_writel(unit, XRMU_REG_CTRL, ctrl);
	trace_xrmu_ctrl(unit, ctrl);
	ret = read_poll_timeout_atomic(xrmu_readl, sts, xrmu_gone(unit) ||
				       (sts & (XRMU_STATUS_EN_ACK |
					       XRMU_STATUS_BLK_ACK)) ==
				       XRMU_STATUS_BLK_ACK,
				       1, XRMU_FENCE_TIMEOUT_US, false,
				       unit, XRMU_REG_STATUS);
	if (xrmu_gone(unit))
		return;
	WRITE_ONCE(unit->blocked, !ret);
	/* Pairs with smp_load_acquire() in xrmu_cmdq_poll(). */
	smp_store_release(&unit->fenced, true);
	unit->cnt.fences++;
	trace_xrmu_fence(unit, true, head, unit->cmdq_tail, sts);
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
 * CMDQ_HEAD is read only when the copy says the queue is full.  The copy
 * is only ever set from a CMDQ_HEAD read under cmdq_lock, never from a
 * SYNC completion seen by a waiter without the lock: such a waiter may
 * look after the queue has wrapped, and its SYNC's index could then lie
 * between the real HEAD and TAIL again.
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
		head = xrmu_readl(unit, XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
		if (xrmu_gone(unit))
			return -ENODEV;
		unit->cmdq_head = head & mask;
		if (head != next)
			return 0;
		/* Full: publish what is queued and let the unit drain it. */
		xrmu_writel(unit, XRMU_REG_CMDQ_TAIL, unit->cmdq_tail);
		ret = read_poll_timeout_atomic(xrmu_readl, head,
					       (head & XRMU_QIDX) != next ||
					       (xrmu_readl(unit,
							   XRMU_REG_CMDQ_STS) &
						XRMU_CMDQ_STS_ERR),
					       1, XRMU_CMDQ_TIMEOUT_US, false,
					       unit, XRMU_REG_CMDQ_HEAD);
		if (xrmu_gone(unit))
			return -ENODEV;
		if (ret) {
			unit->cnt.cmd_timeouts++;
			xrmu_cmdq_fence(unit, "queue full");
			return ret;
		}
		sts = xrmu_readl(unit, XRMU_REG_CMDQ_STS);
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

/**
 * struct xrmu_cmdq_wait - a submission waiting for its SYNC
 * @unit: the unit
 * @seq: sequence number the SYNC writes to the completion word
 * @lost: unit->cmdq_lost when queueing began
 * @polls: poll steps so far (CMDQ_STS is read on every
 *	XRMU_CMDQ_STS_EVERY-th)
 */
struct xrmu_cmdq_wait {
	struct xrmu_unit *unit;
	u32 seq;
	u32 lost;
	unsigned int polls;
};

/*
 * Queue @cmds and a SYNC and publish them.  Called with cmdq_lock held.
 *
 * Entries are written at TAIL only after xrmu_cmdq_wait_space() has seen
 * HEAD pass the slot, whoever is still polling for an older SYNC: waiters
 * never look at their slots again, only at the completion word.
 */
static int xrmu_cmdq_queue(struct xrmu_unit *unit, const struct xrmu_cmd *cmds,
			   unsigned int n, struct xrmu_cmdq_wait *w)
{
	unsigned int i;
	int ret;

	/*
	 * Before the first entry: a full queue publishes part of the batch
	 * in xrmu_cmdq_wait_space(), and an error in it must count.
	 */
	w->lost = unit->cmdq_lost;
	for (i = 0; i <= n; i++) {
		ret = xrmu_cmdq_wait_space(unit);
		if (ret)
			return ret;
		if (i < n) {
			xrmu_cmdq_put(unit, cmds[i]);
		} else {
			w->seq = ++unit->sync_seq;
			xrmu_cmdq_put(unit,
				      xrmu_cmd_sync(virt_to_phys(unit->sync_word),
						    w->seq, false));
		}
	}
	/* writel() orders the entries (and table updates) before the tail. */
	xrmu_writel(unit, XRMU_REG_CMDQ_TAIL, unit->cmdq_tail);
	return 0;
}

/*
 * 1: the SYNC of @w completed, 0: pending, -ETIMEDOUT: the unit is fenced,
 * -ENODEV: it is gone.  Called with interrupts disabled and cmdq_lock not
 * held.
 *
 * SYNCs complete in queue order and their sequence numbers are assigned in
 * queue order under cmdq_lock, so the completion word only moves forward
 * and a word at or past @w->seq means this SYNC completed (a later SYNC
 * completes only after every earlier command).  The unit writes the word
 * before HEAD passes the SYNC; once it has, the SYNC's slot may be reused
 * by other submitters at any time, which is harmless because nothing here
 * reads the slot.  The comparison is modulo 2^32: it is right as long as
 * fewer than 2^31 SYNCs complete during one wait, and a wait lasts at most
 * XRMU_CMDQ_TIMEOUT_US with interrupts disabled (no preemption), while
 * every SYNC needs a queue slot and a CMDQ_TAIL write.
 *
 * A stopped queue is resumed by whoever sees it first; the others see
 * CMDQ_STS.ERR clear when they get the lock, or a new error.
 */
static int xrmu_cmdq_poll(struct xrmu_cmdq_wait *w)
{
	struct xrmu_unit *unit = w->unit;
	u32 sts;

	if ((s32)(READ_ONCE(*unit->sync_word) - w->seq) >= 0)
		return 1;
	/* Pairs with smp_store_release() in xrmu_cmdq_fence(): @blocked. */
	if (smp_load_acquire(&unit->fenced))
		return -ETIMEDOUT;
	/*
	 * A stopped queue is found on every XRMU_CMDQ_STS_EVERY-th step: an
	 * error then delays the SYNC by at most that many microseconds, and a
	 * SYNC that completes within them costs no register read beyond the
	 * CMDQ_TAIL write (the completion word is in memory).
	 */
	if (++w->polls % XRMU_CMDQ_STS_EVERY)
		return 0;
	sts = xrmu_readl(unit, XRMU_REG_CMDQ_STS);
	if (xrmu_gone(unit))
		return -ENODEV;
	if (!(sts & XRMU_CMDQ_STS_ERR))
		return 0;
	raw_spin_lock(&unit->cmdq_lock);
	sts = xrmu_readl(unit, XRMU_REG_CMDQ_STS);
	if ((sts & XRMU_CMDQ_STS_ERR) && !xrmu_gone(unit))
		xrmu_cmdq_recover(unit, sts);
	raw_spin_unlock(&unit->cmdq_lock);
	return 0;
}

/*
 * Wait for the SYNC of @w.  Called with interrupts disabled and cmdq_lock
 * not held.  The whole wait, errors and recoveries included, is bounded by
 * XRMU_CMDQ_TIMEOUT_US.
 */
static int xrmu_cmdq_wait(struct xrmu_cmdq_wait *w)
{
	struct xrmu_unit *unit = w->unit;
	int ret, done;

	ret = read_poll_timeout_atomic(xrmu_cmdq_poll, done, done, 1,
				       XRMU_CMDQ_TIMEOUT_US, false, w);
	if (ret) {
		raw_spin_lock(&unit->cmdq_lock);
		unit->cnt.cmd_timeouts++;
		xrmu_cmdq_fence(unit, "SYNC timeout");
		raw_spin_unlock(&unit->cmdq_lock);
		return xrmu_gone(unit) ? -ENODEV : ret;
	}
	if (done < 0)
		return done;
	/*
	 * A command replaced by a NOP is counted before the resume that lets
	 * the unit reach this SYNC and write its word: read the count after
	 * the word.  Conservative: the lost command may have been another
	 * submitter's.
	 */
	dma_rmb();
	if (READ_ONCE(unit->cmdq_lost) != w->lost)
		return -EIO;
	return 0;
}

/*
 * Queue @cmds and a SYNC under cmdq_lock, then wait for the SYNC without
 * it.  Interrupts stay disabled throughout (see xrmu_cmdq_poll()).  With
 * @ptr, *@ptr = @val is stored under the lock just before the commands:
 * no other submitter's SYNC can then be published between an in-place
 * change of an entry the unit may cache and its invalidation (the spec's
 * invalidation checker, R23, counts only the changer's own SYNC).
 */
static int xrmu_cmdq_issue(struct xrmu_unit *unit, const struct xrmu_cmd *cmds,
			   unsigned int n, u64 *ptr, u64 val)
{
	struct xrmu_cmdq_wait w = { .unit = unit };
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	raw_spin_lock(&unit->cmdq_lock);
	if (ptr)
		WRITE_ONCE(*ptr, val);
	if (xrmu_gone(unit))
		ret = -ENODEV;
	else if (unit->fenced)
		ret = -ETIMEDOUT;
	else if (unit->asleep)
		ret = 1;	/* owed to the next enable: xrmu_cmdq_sleep() */
	else
		ret = xrmu_cmdq_queue(unit, cmds, n, &w);
	raw_spin_unlock(&unit->cmdq_lock);
	if (!ret)
		ret = xrmu_cmdq_wait(&w);
	else if (ret > 0)
		ret = 0;
	local_irq_restore(flags);
	trace_xrmu_cmdq_done(unit, w.seq, ret);
	return ret;
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
 * May be called in atomic context.  If the unit rejected a command while
 * this submission was pending (it was replaced by a NOP, and it may have
 * been one of these), an invalidation may have been lost: every cache is
 * then invalidated with known-good commands before returning, so that
 * callers can still rely on the invalidations they asked for.
 *
 * Return: 0, -EIO if the unit reported an error on a command while this
 * submission was pending (recovered as described: the caches are clean),
 * -ETIMEDOUT if the unit made no progress or is fenced (nothing was
 * invalidated: see xrmu_cmdq_quiesced() before freeing what was), -ENODEV
 * if the unit is gone.
 */
int xrmu_cmdq_submit(struct xrmu_unit *unit, const struct xrmu_cmd *cmds,
		     unsigned int n)
{
	return xrmu_cmdq_submit_store(unit, NULL, 0, cmds, n);
}

/**
 * xrmu_cmdq_submit_store() - change a word in place, then invalidate it
 * @unit: the unit
 * @ptr: the word, in a structure the unit may cache (a valid entry), or NULL
 * @val: its new value
 * @cmds: the invalidation commands covering @ptr (a SYNC is appended)
 * @n: number of commands
 *
 * As xrmu_cmdq_submit(), with the store made under the command queue lock
 * right before @cmds are queued, so that the SYNC the unit completes
 * first after the change is the one that follows its invalidation.
 *
 * Return: as xrmu_cmdq_submit().
 */
int xrmu_cmdq_submit_store(struct xrmu_unit *unit, u64 *ptr, u64 val,
			   const struct xrmu_cmd *cmds, unsigned int n)
{
	struct xrmu_cmd all[3];
	unsigned long flags;
	int ret, tries;

	ret = xrmu_cmdq_issue(unit, cmds, n, ptr, val);
	/*
	 * -EIO only if the global invalidation after it completed: a caller
	 * may then free what it invalidated.  A unit that keeps rejecting
	 * commands is fenced instead.
	 */
	for (tries = 0; ret == -EIO; tries++) {
		if (tries == XRMU_INV_ALL_TRIES) {
			dev_err_ratelimited(unit->dev,
					    "global invalidation after a command error failed %d times\n",
					    tries);
			raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
			xrmu_cmdq_fence(unit, "repeated command errors");
			raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
			return xrmu_gone(unit) ? -ENODEV : -ETIMEDOUT;
		}
		ret = xrmu_cmdq_issue(unit, all, xrmu_cmd_inv_all(unit, all),
				      NULL, 0);
		if (!ret)
			return -EIO;
	}
	return ret;
}

/**
 * xrmu_cmdq_quiesced() - may memory covered by an invalidation be freed?
 * @unit: the unit
 * @ret: what xrmu_cmdq_submit() returned for the invalidation
 *
 * Return: true if the invalidation completed, or the unit can no longer
 * use what it may have cached: it acknowledged the block of its fence
 * (read after the fence was published) or it is gone.  False only for a
 * unit that neither executes commands nor acknowledges a block.
 */
bool xrmu_cmdq_quiesced(struct xrmu_unit *unit, int ret)
{
	if (!ret || ret == -EIO || xrmu_gone(unit))
		return true;
	/* Pairs with smp_store_release() in xrmu_cmdq_fence(). */
	return smp_load_acquire(&unit->fenced) && READ_ONCE(unit->blocked);
}

/**
 * xrmu_free_table_pages() - free page-table pages after their invalidation
 * @unit: the unit
 * @ret: what xrmu_cmdq_submit() returned for their invalidation
 * @pages: the pages; emptied
 *
 * Pages that the unit may still walk or hold in its caches (see
 * xrmu_cmdq_quiesced()) are kept until a recovery has invalidated every
 * cache, or until the unit is removed.  May be called in atomic context.
 */
void xrmu_free_table_pages(struct xrmu_unit *unit, int ret,
			   struct iommu_pages_list *pages)
{
	unsigned long flags;

	if (iommu_pages_list_empty(pages))
		return;
	if (xrmu_cmdq_quiesced(unit, ret)) {
		iommu_put_pages_list(pages);
		return;
	}
	spin_lock_irqsave(&unit->quarantine_lock, flags);
	iommu_pages_list_splice(pages, &unit->quarantine);
	unit->cnt.quarantined++;
	spin_unlock_irqrestore(&unit->quarantine_lock, flags);
	dev_err_ratelimited(unit->dev,
			    "invalidation failed (%d) and the unit did not acknowledge its block: page-table pages kept until it recovers\n",
			    ret);
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
 * has:
 *  1. accept submissions again: the unit is still blocked (EN off), so
 *     the invalidations they queue execute without anything being
 *     translated, and none is refused while translation comes back;
 *  2. invalidate every cache, after every submission refused while fenced
 *     (the unit walked and cached nothing while blocked, and these
 *     commands execute after all of them);
 *  3. switch translation back on, unless fenced again meanwhile;
 *  4. free the quarantined pages taken before step 2.
 */
static void xrmu_cmdq_recover_work(struct work_struct *work)
{
	struct xrmu_unit *unit = container_of(to_delayed_work(work),
					      struct xrmu_unit, recover_work);
	struct iommu_pages_list held = IOMMU_PAGES_LIST_INIT(held);
	struct xrmu_cmd all[3];
	unsigned long flags;
	u32 head, sts;
	bool busy;
	int ret;

	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	/* Nothing else is queued while fenced: submissions fail at once. */
	head = xrmu_readl(unit, XRMU_REG_CMDQ_HEAD) & XRMU_QIDX;
	sts = xrmu_readl(unit, XRMU_REG_CMDQ_STS);
	if (xrmu_gone(unit)) {
		raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
		return;
	}
	unit->cmdq_head = head & xrmu_cmdq_mask(unit);
	busy = head != unit->cmdq_tail && !(sts & XRMU_CMDQ_STS_ERR);
	if (!busy) {
		/* (1) */
		WRITE_ONCE(unit->fenced, false);
		trace_xrmu_fence(unit, false, head, unit->cmdq_tail,
				 xrmu_readl(unit, XRMU_REG_STATUS));
	}
	raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
	if (busy) {
		schedule_delayed_work(&unit->recover_work, XRMU_RECOVER_DELAY);
		return;
	}

	spin_lock_irqsave(&unit->quarantine_lock, flags);
	iommu_pages_list_splice(&unit->quarantine, &held);
	spin_unlock_irqrestore(&unit->quarantine_lock, flags);

	/* (2); a timeout fences again and schedules this work again. */
	ret = xrmu_cmdq_submit(unit, all, xrmu_cmd_inv_all(unit, all));
	if (ret && ret != -EIO) {
		spin_lock_irqsave(&unit->quarantine_lock, flags);
		iommu_pages_list_splice(&held, &unit->quarantine);
		spin_unlock_irqrestore(&unit->quarantine_lock, flags);
		return;
	}

	/* (3) */
	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	busy = unit->fenced;
	if (!busy) {
		WRITE_ONCE(unit->blocked, false);
		xrmu_writel(unit, XRMU_REG_CTRL, unit->ctrl);
		trace_xrmu_ctrl(unit, unit->ctrl);
	}
	raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
	/* (4): the caches are clean of them, whatever happens next. */
	iommu_put_pages_list(&held);
	if (busy)
		return;

	ret = read_poll_timeout(xrmu_readl, sts, xrmu_gone(unit) ||
				!(unit->ctrl & XRMU_CTRL_EN) ||
				(sts & XRMU_STATUS_EN_ACK), 10,
				XRMU_FENCE_TIMEOUT_US, false,
				unit, XRMU_REG_STATUS);
	if (xrmu_gone(unit))
		return;
	if (ret) {
		dev_err(unit->dev, "fenced unit does not turn translation back on (STATUS 0x%08x)\n",
			sts);
		raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
		xrmu_cmdq_fence(unit, "translation not back on");
		raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
		return;
	}

	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	unit->cnt.recoveries++;
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
	unit->quarantine = IOMMU_PAGES_LIST_INIT(unit->quarantine);
	spin_lock_init(&unit->quarantine_lock);
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

/**
 * xrmu_cmdq_sleep() - complete the queue and stop using it
 * @unit: the unit, with translation already off and DMA blocked
 *	(CTRL.BLK acknowledged) and its recovery cancelled
 *	(xrmu_cmdq_exit()), about to have its queues stopped for a system
 *	sleep or a shutdown
 *
 * Every command queued before this call completes before it returns.
 * From then on submissions return 0 at once without reaching the unit,
 * so that nothing spins on a stopped queue (flush-queue timers and other
 * CPUs keep running until late in a suspend or shutdown).  This is safe
 * because the unit walks and caches nothing while blocked, and the enable
 * sequence that ends the sleep invalidates every cache before translation
 * comes back on (control.rst, step 4): the skipped invalidations are owed
 * to that one, and what they covered may be freed at once.
 *
 * Return: 0, or as xrmu_cmdq_submit() for the last commands queued.
 */
int xrmu_cmdq_sleep(struct xrmu_unit *unit)
{
	struct xrmu_cmdq_wait w = { .unit = unit };
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	raw_spin_lock(&unit->cmdq_lock);
	unit->asleep = true;
	if (xrmu_gone(unit))
		ret = -ENODEV;
	else if (unit->fenced)
		ret = -ETIMEDOUT;
	else
		ret = xrmu_cmdq_queue(unit, NULL, 0, &w);
	raw_spin_unlock(&unit->cmdq_lock);
	if (!ret)
		ret = xrmu_cmdq_wait(&w);
	local_irq_restore(flags);
	return ret;
}

/**
 * xrmu_cmdq_wake() - use a restarted command queue again
 * @unit: the unit, its command queue just started (HEAD = TAIL = 0), DMA
 *	still blocked
 *
 * Clears a fence left from before the sleep: the queue is new, and the
 * caller invalidates every cache before switching translation on.
 */
void xrmu_cmdq_wake(struct xrmu_unit *unit)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&unit->cmdq_lock, flags);
	unit->cmdq_tail = 0;
	unit->cmdq_head = 0;
	WRITE_ONCE(unit->fenced, false);
	WRITE_ONCE(unit->blocked, false);
	unit->asleep = false;
	raw_spin_unlock_irqrestore(&unit->cmdq_lock, flags);
}

/**
 * xrmu_cmdq_free() - free the quarantined pages of a unit switched off
 * @unit: the unit, translation off, never to be switched on again
 */
void xrmu_cmdq_free(struct xrmu_unit *unit)
{
	iommu_put_pages_list(&unit->quarantine);
}
