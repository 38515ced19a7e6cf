// SPDX-License-Identifier: GPL-2.0-only
/*
 * The order of stores that takes a live device-table entry from one value
 * to another.
 *
 * The unit may read an entry at any moment, one 64-bit word after the
 * other, and cache what it read until the entry is invalidated (R16).  A
 * valid entry is therefore changed one word at a time, each store followed
 * by INV_DTE and SYNC, and every value it passes through must be
 * well-formed and mean either the old entry or the new one.  The unit
 * ignores some fields in some modes (device-table.rst: LEVELS, PTROOT and
 * DID outside MODE = translate; IRSV, IRTLOG2 and IRTPTR outside IM =
 * remap), so those can be written ahead of the word that starts using
 * them, and cleared after the word that stops using them.  Only when two
 * words would have to change at once does the entry need a step between:
 * the interrupt fields change first when the DMA fields can then follow in
 * one word; a switch between two translations with different domain IDs
 * (PTROOT in qw0, DID in qw1) goes through "DMA blocked" with the
 * interrupt fields untouched, so the device's MSIs are remapped
 * throughout.  Clearing V, which would also block the MSIs, is left for
 * pairs of entries no ordering can join (none that the driver makes).
 *
 * xrmu_dte_plan() is pure: it only computes the stores, which
 * xrmu_dte_write() in core.c makes and dte_kunit.c checks.
 */

#include <linux/bitfield.h>
#include <linux/bitops.h>

#include "xrmu.h"

#define XRMU_DTE1_IR	(XRMU_DTE1_IM | XRMU_DTE1_IRSV)

/* The bits of @e the unit interprets. */
static void xrmu_dte_used(const struct xrmu_dte *e, struct xrmu_dte *used)
{
	*used = (struct xrmu_dte){ .qw = { XRMU_DTE0_V } };
	if (!(e->qw[0] & XRMU_DTE0_V))
		return;
	used->qw[0] |= XRMU_DTE0_MODE | XRMU_DTE0_FSD;
	if (FIELD_GET(XRMU_DTE0_MODE, e->qw[0]) == XRMU_DTE_MODE_XLATE) {
		used->qw[0] |= XRMU_DTE0_LEVELS | XRMU_DTE0_PTROOT;
		used->qw[1] |= XRMU_DTE1_DID;
	}
	used->qw[1] |= XRMU_DTE1_IM;
	if (FIELD_GET(XRMU_DTE1_IM, e->qw[1]) == XRMU_DTE_IM_REMAP) {
		used->qw[1] |= XRMU_DTE1_IRSV;
		used->qw[2] |= XRMU_DTE2_IRTLOG2 | XRMU_DTE2_IRTPTR;
	}
}

/*
 * @pre = @cur with every bit @cur does not use taken from @tgt.  Returns
 * the words in which, even then, a bit @tgt uses still differs: the words
 * whose store changes what the entry means.
 */
static unsigned int xrmu_dte_critical(const struct xrmu_dte *cur,
				      const struct xrmu_dte *tgt,
				      struct xrmu_dte *pre)
{
	struct xrmu_dte uc, ut;
	unsigned int i, crit = 0;

	xrmu_dte_used(cur, &uc);
	xrmu_dte_used(tgt, &ut);
	for (i = 0; i < ARRAY_SIZE(cur->qw); i++) {
		pre->qw[i] = (cur->qw[i] & uc.qw[i]) | (tgt->qw[i] & ~uc.qw[i]);
		if ((pre->qw[i] ^ tgt->qw[i]) & ut.qw[i])
			crit |= BIT(i);
	}
	return crit;
}

static unsigned int xrmu_dte_store(struct xrmu_dte *e,
				   struct xrmu_dte_step *steps,
				   unsigned int n, unsigned int qw, u64 val)
{
	if (e->qw[qw] == val)
		return n;
	e->qw[qw] = val;
	steps[n].qw = qw;
	steps[n].val = val;
	return n + 1;
}

/*
 * @e -> @tgt when at most one word is critical: the bits @e ignores
 * first, then the critical word, then the bits @tgt ignores.
 */
static unsigned int xrmu_dte_hitless(struct xrmu_dte *e,
				     const struct xrmu_dte *tgt,
				     struct xrmu_dte_step *steps,
				     unsigned int n)
{
	unsigned int crit, c, i;
	struct xrmu_dte pre;

	crit = xrmu_dte_critical(e, tgt, &pre);
	c = crit ? __ffs(crit) : ARRAY_SIZE(e->qw);
	for (i = 0; i < ARRAY_SIZE(e->qw); i++)
		if (i != c)
			n = xrmu_dte_store(e, steps, n, i, pre.qw[i]);
	if (c < ARRAY_SIZE(e->qw))
		n = xrmu_dte_store(e, steps, n, c, tgt->qw[c]);
	for (i = 0; i < ARRAY_SIZE(e->qw); i++)
		n = xrmu_dte_store(e, steps, n, i, tgt->qw[i]);
	return n;
}

static bool xrmu_dte_joinable(const struct xrmu_dte *cur,
			      const struct xrmu_dte *tgt)
{
	struct xrmu_dte pre;

	return hweight32(xrmu_dte_critical(cur, tgt, &pre)) <= 1;
}

/**
 * xrmu_dte_plan() - the stores that change a device-table entry
 * @cur: the entry as it is in memory
 * @tgt: the entry wanted
 * @steps: the stores, in order (at most %XRMU_DTE_MAX_STEPS)
 *
 * Each step stores one 64-bit word.  A store to an entry that is valid
 * when it is made must be followed by INV_DTE and SYNC before the next
 * one; stores to an invalid entry need none, provided the one that sets V
 * comes after the others are visible to the unit.
 *
 * Return: the number of steps (0 if @cur already is @tgt).
 */
unsigned int xrmu_dte_plan(const struct xrmu_dte *cur,
			   const struct xrmu_dte *tgt,
			   struct xrmu_dte_step *steps)
{
	struct xrmu_dte e = *cur, mid;
	unsigned int i, n = 0;

	if (!(cur->qw[0] & XRMU_DTE0_V) || !(tgt->qw[0] & XRMU_DTE0_V)) {
		/* V = 0 on one side: the word holding V last when set. */
		if (!(tgt->qw[0] & XRMU_DTE0_V))
			n = xrmu_dte_store(&e, steps, n, 0, tgt->qw[0]);
		for (i = 1; i < ARRAY_SIZE(e.qw); i++)
			n = xrmu_dte_store(&e, steps, n, i, tgt->qw[i]);
		return xrmu_dte_store(&e, steps, n, 0, tgt->qw[0]);
	}

	/* The interrupt fields first, if DMA can then follow in one word. */
	if (!xrmu_dte_joinable(&e, tgt)) {
		mid = e;
		mid.qw[1] = (e.qw[1] & ~XRMU_DTE1_IR) |
			    (tgt->qw[1] & XRMU_DTE1_IR);
		mid.qw[2] = tgt->qw[2];
		if (xrmu_dte_joinable(&e, &mid) &&
		    xrmu_dte_joinable(&mid, tgt))
			n = xrmu_dte_hitless(&e, &mid, steps, n);
	}
	/* The DMA part needs two words (PTROOT and DID): block DMA first. */
	if (!xrmu_dte_joinable(&e, tgt) &&
	    ((e.qw[0] ^ tgt->qw[0]) ||
	     ((e.qw[1] ^ tgt->qw[1]) & XRMU_DTE1_DID))) {
		mid = e;
		mid.qw[0] = XRMU_DTE0_V | (e.qw[0] & XRMU_DTE0_FSD) |
			    FIELD_PREP(XRMU_DTE0_MODE, XRMU_DTE_MODE_BLOCKED);
		n = xrmu_dte_hitless(&e, &mid, steps, n);
	}
	/*
	 * Then the interrupt fields on their own, DMA blocked (DID unused)
	 * or unchanged (DID the same on both sides).
	 */
	if (!xrmu_dte_joinable(&e, tgt)) {
		mid = e;
		mid.qw[1] = tgt->qw[1];
		mid.qw[2] = tgt->qw[2];
		if (xrmu_dte_joinable(&e, &mid))
			n = xrmu_dte_hitless(&e, &mid, steps, n);
	}
	if (xrmu_dte_joinable(&e, tgt))
		return xrmu_dte_hitless(&e, tgt, steps, n);

	/* No order keeps the entry meaningful: through V = 0 (R16). */
	n = xrmu_dte_store(&e, steps, n, 0, 0);
	for (i = 1; i < ARRAY_SIZE(e.qw); i++)
		n = xrmu_dte_store(&e, steps, n, i, tgt->qw[i]);
	return xrmu_dte_store(&e, steps, n, 0, tgt->qw[0]);
}
