// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of xrmu_dte_plan(): every update of a device-table entry
 * the driver makes, replayed store by store the way the unit may see it.
 *
 * The unit may use any value an entry takes between two invalidations,
 * and the driver invalidates after each store to a valid entry; so every
 * value the entry passes through while valid must be well-formed and mean
 * the old or the new entry, for DMA and for interrupts separately.  A
 * switch between two translations with different domain IDs may block DMA
 * in between (PTROOT and DID are in different words); nothing may block
 * the interrupts of a device whose interrupt fields do not change.
 *
 * Entries are built and decoded here with the bit positions of
 * Documentation/xrmu/device-table.rst written out, not with the driver's
 * field macros.
 */

#include <kunit/test.h>

#include "xrmu.h"

/* DMA part: qw0 bit 0 V, [2:1] MODE, [5:3] LEVELS, 6 FSD, [63:12] PTROOT */
#define T_BLOCKED	0x1ULL
#define T_PASS		0x3ULL
#define T_XLATE(lv, root)	(0x5ULL | (u64)(lv) << 3 | (root))
/* qw1 [15:0] DID, [17:16] IM, 18 IRSV; qw2 [3:0] IRTLOG2, [63:12] IRTPTR */
#define T_IM_BLOCK	0x00000ULL
#define T_IM_COMPAT	0x10000ULL
#define T_IM_REMAP	0x60000ULL	/* IM = 2, IRSV = 1 */

struct t_dma {
	const char *name;
	u64 qw0;
	u16 did;
};

struct t_ir {
	const char *name;
	u64 qw1;
	u64 qw2;
};

/* What the driver writes: domains and interrupt setups. */
static const struct t_dma t_dmas[] = {
	{ "blocked", T_BLOCKED, 0 },
	{ "storm blocked", T_BLOCKED | 0x40ULL, 0 },
	{ "identity", T_PASS, 0 },
	{ "paging A", T_XLATE(4, 0x1234000ULL), 1 },
	{ "paging A grown", T_XLATE(5, 0x7777000ULL), 1 },
	{ "paging B", T_XLATE(3, 0x2345000ULL), 2 },
	{ "paging C", T_XLATE(4, 0x3456000ULL), 0x7fff },
};

static const struct t_ir t_irs[] = {
	{ "IR off", T_IM_COMPAT, 0 },
	{ "IR blocked", T_IM_BLOCK, 0 },
	{ "IR table 1", T_IM_REMAP, 0x55000ULL | 3 },
	{ "IR table 2", T_IM_REMAP, 0x66000ULL | 11 },
};

static struct xrmu_dte t_entry(const struct t_dma *d, const struct t_ir *r)
{
	struct xrmu_dte e = { .qw = { d->qw0, r->qw1 | d->did, r->qw2, 0 } };

	return e;
}

/*
 * What a value of an entry does.  dma: -1 invalid (V = 0), else MODE, with
 * the fields that mode uses; ir: IM, likewise.  bad: malformed (R7).
 */
struct t_meaning {
	int dma, ir;
	u64 qw0_used, did, irsv, irt;
	bool bad;
};

static struct t_meaning t_decode(const struct xrmu_dte *e)
{
	u64 q0 = e->qw[0], q1 = e->qw[1], q2 = e->qw[2];
	struct t_meaning m = { .dma = -1, .ir = -1 };
	unsigned int levels = (q0 >> 3) & 7;

	if (!(q0 & 1))
		return m;
	m.dma = (q0 >> 1) & 3;
	m.ir = (q1 >> 16) & 3;
	m.bad = (q0 & 0xf80) || (q1 >> 19) || (q2 & 0xff0) || e->qw[3] ||
		m.dma == 3 || m.ir == 3 ||
		(m.dma == 2 && (levels < 3 || levels > 5));
	/* FSD (bit 6) counts in every mode; LEVELS, PTROOT and DID in 2. */
	m.qw0_used = q0 & 0x40;
	if (m.dma == 2) {
		m.qw0_used = q0 & ~0xf87ULL;
		m.did = q1 & 0xffff;
	}
	if (m.ir == 2) {
		m.irsv = (q1 >> 18) & 1;
		m.irt = q2;
	}
	return m;
}

static bool t_same_dma(const struct t_meaning *a, const struct t_meaning *b)
{
	return a->dma == b->dma && a->qw0_used == b->qw0_used &&
	       a->did == b->did;
}

static bool t_same_ir(const struct t_meaning *a, const struct t_meaning *b)
{
	return a->ir == b->ir && a->irsv == b->irsv && a->irt == b->irt;
}

struct t_result {
	unsigned int stores, invs, dma_blocked;
	bool through_invalid;
};

/*
 * Replay the plan from @cur to @tgt and check each value the entry takes.
 * Stores to a valid entry are each followed by an invalidation (counted);
 * while V = 0 the unit caches nothing, so only the value after the store
 * that sets V again counts there.
 */
static void t_replay(struct kunit *test, const struct xrmu_dte *cur,
		     const struct xrmu_dte *tgt, const char *what,
		     struct t_result *res)
{
	struct t_meaning mc = t_decode(cur), mt = t_decode(tgt), m;
	struct xrmu_dte_step steps[XRMU_DTE_MAX_STEPS + 1];
	struct xrmu_dte e = *cur;
	unsigned int i, n;
	bool xlate_did = mc.dma == 2 && mt.dma == 2 &&
			 (cur->qw[1] & 0xffff) != (tgt->qw[1] & 0xffff);

	*res = (struct t_result){ };
	n = xrmu_dte_plan(cur, tgt, steps);
	KUNIT_ASSERT_LE_MSG(test, n, XRMU_DTE_MAX_STEPS, "%s", what);
	res->stores = n;
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_LT_MSG(test, steps[i].qw, 4, "%s", what);
		KUNIT_EXPECT_NE_MSG(test, e.qw[steps[i].qw], steps[i].val,
				    "%s: step %u stores what is there", what, i);
		if (e.qw[0] & 1)
			res->invs++;
		e.qw[steps[i].qw] = steps[i].val;
		m = t_decode(&e);
		if (m.dma == -1) {
			res->through_invalid = mc.dma != -1;
			continue;
		}
		KUNIT_EXPECT_FALSE_MSG(test, m.bad, "%s: step %u malformed",
				       what, i);
		if (mc.dma == -1) {
			/* From an invalid entry, V is set by the last store. */
			KUNIT_EXPECT_EQ_MSG(test, i, n - 1, "%s", what);
			continue;
		}
		KUNIT_EXPECT_TRUE_MSG(test,
				      t_same_ir(&m, &mc) || t_same_ir(&m, &mt),
				      "%s: step %u: interrupts mean neither entry",
				      what, i);
		if (t_same_dma(&m, &mc) || t_same_dma(&m, &mt))
			continue;
		KUNIT_EXPECT_TRUE_MSG(test, xlate_did && m.dma == 0,
				      "%s: step %u: DMA means neither entry",
				      what, i);
		res->dma_blocked++;
	}
	KUNIT_EXPECT_EQ_MSG(test, e.qw[0], tgt->qw[0], "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, e.qw[1], tgt->qw[1], "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, e.qw[2], tgt->qw[2], "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, e.qw[3], tgt->qw[3], "%s", what);
}

/* Every pair of entries the driver makes, and the empty entry before. */
static void xrmu_test_dte_matrix(struct kunit *test)
{
	unsigned int a, b, pairs = 0, max_invs = 0;
	const unsigned int nr = ARRAY_SIZE(t_dmas) * ARRAY_SIZE(t_irs);
	char what[96];

	for (a = 0; a <= nr; a++) {
		for (b = 0; b < nr; b++) {
			const struct t_dma *da = &t_dmas[a % ARRAY_SIZE(t_dmas)];
			const struct t_ir *ra = &t_irs[a / ARRAY_SIZE(t_dmas) %
						      ARRAY_SIZE(t_irs)];
			const struct t_dma *db = &t_dmas[b % ARRAY_SIZE(t_dmas)];
			const struct t_ir *rb = &t_irs[b / ARRAY_SIZE(t_dmas)];
			struct xrmu_dte cur = { }, tgt = t_entry(db, rb);
			struct t_result res;

			if (a < nr)
				cur = t_entry(da, ra);
			snprintf(what, sizeof(what), "%s/%s -> %s/%s",
				 a < nr ? da->name : "empty",
				 a < nr ? ra->name : "", db->name, rb->name);
			t_replay(test, &cur, &tgt, what, &res);
			KUNIT_EXPECT_FALSE_MSG(test, res.through_invalid,
					       "%s: V cleared", what);
			if (a == b)
				KUNIT_EXPECT_EQ_MSG(test, res.stores, 0, "%s",
						    what);
			max_invs = max(max_invs, res.invs);
			pairs++;
		}
	}
	KUNIT_EXPECT_EQ(test, pairs, (nr + 1) * nr);
	/* Two stores with their invalidation at most, three for A -> B. */
	KUNIT_EXPECT_LE(test, max_invs, 4);
}

/* Exact stores of the transitions the issue names. */
struct t_case {
	const char *name;
	struct xrmu_dte cur, tgt;
	unsigned int n;
	struct xrmu_dte_step steps[4];
};

static const struct t_case t_cases[] = {
	{ "empty -> paging A, IR table 1",
	  { }, { { 0x1234025ULL, 0x60001ULL, 0x55003ULL, 0 } }, 3,
	  { { 0x60001ULL, 1 }, { 0x55003ULL, 2 }, { 0x1234025ULL, 0 } } },
	{ "blocked -> paging A, IR table 1",
	  { { 0x1ULL, 0x60000ULL, 0x55003ULL, 0 } },
	  { { 0x1234025ULL, 0x60001ULL, 0x55003ULL, 0 } }, 2,
	  { { 0x60001ULL, 1 }, { 0x1234025ULL, 0 } } },
	{ "paging A -> paging B, IR table 1",
	  { { 0x1234025ULL, 0x60001ULL, 0x55003ULL, 0 } },
	  { { 0x234501dULL, 0x60002ULL, 0x55003ULL, 0 } }, 3,
	  { { 0x1ULL, 0 }, { 0x60002ULL, 1 }, { 0x234501dULL, 0 } } },
	{ "paging A -> paging A grown to 5 levels",
	  { { 0x1234025ULL, 0x10001ULL, 0, 0 } },
	  { { 0x777702dULL, 0x10001ULL, 0, 0 } }, 1,
	  { { 0x777702dULL, 0 } } },
	{ "paging A -> identity",
	  { { 0x1234025ULL, 0x60001ULL, 0x55003ULL, 0 } },
	  { { 0x3ULL, 0x60000ULL, 0x55003ULL, 0 } }, 2,
	  { { 0x3ULL, 0 }, { 0x60000ULL, 1 } } },
	{ "paging A -> storm blocked (FSD), IR table 1",
	  { { 0x1234025ULL, 0x60001ULL, 0x55003ULL, 0 } },
	  { { 0x41ULL, 0x60000ULL, 0x55003ULL, 0 } }, 2,
	  { { 0x41ULL, 0 }, { 0x60000ULL, 1 } } },
	{ "IR on: compatibility -> table 1, paging A",
	  { { 0x1234025ULL, 0x10001ULL, 0, 0 } },
	  { { 0x1234025ULL, 0x60001ULL, 0x55003ULL, 0 } }, 2,
	  { { 0x55003ULL, 2 }, { 0x60001ULL, 1 } } },
	{ "IR off at release: table 1 -> blocked, paging A",
	  { { 0x1234025ULL, 0x60001ULL, 0x55003ULL, 0 } },
	  { { 0x1234025ULL, 0x00001ULL, 0, 0 } }, 2,
	  { { 0x00001ULL, 1 }, { 0, 2 } } },
	{ "paging A, IR off -> paging B, IR table 2",
	  { { 0x1234025ULL, 0x10001ULL, 0, 0 } },
	  { { 0x234501dULL, 0x60002ULL, 0x6600bULL, 0 } }, 4,
	  { { 0x1ULL, 0 }, { 0x6600bULL, 2 }, { 0x60002ULL, 1 },
	    { 0x234501dULL, 0 } } },
};

static void xrmu_test_dte_sequences(struct kunit *test)
{
	struct xrmu_dte_step steps[XRMU_DTE_MAX_STEPS];
	unsigned int i, j, n;

	for (i = 0; i < ARRAY_SIZE(t_cases); i++) {
		const struct t_case *c = &t_cases[i];
		struct t_result res;

		n = xrmu_dte_plan(&c->cur, &c->tgt, steps);
		KUNIT_EXPECT_EQ_MSG(test, n, c->n, "%s", c->name);
		for (j = 0; j < min(n, c->n); j++) {
			KUNIT_EXPECT_EQ_MSG(test, steps[j].qw, c->steps[j].qw,
					    "%s: step %u", c->name, j);
			KUNIT_EXPECT_EQ_MSG(test, steps[j].val,
					    c->steps[j].val, "%s: step %u",
					    c->name, j);
		}
		t_replay(test, &c->cur, &c->tgt, c->name, &res);
		KUNIT_EXPECT_FALSE_MSG(test, res.through_invalid, "%s",
				       c->name);
	}
}

/*
 * Entries no order joins (IRSV and the table both change while remapping:
 * the driver never makes them) go through V = 0, with V last.
 */
static void xrmu_test_dte_break(struct kunit *test)
{
	struct xrmu_dte cur = { { 0x3ULL, 0x20000ULL, 0x55003ULL, 0 } };
	struct xrmu_dte tgt = { { 0x3ULL, 0x60000ULL, 0x66003ULL, 0 } };
	struct xrmu_dte_step steps[XRMU_DTE_MAX_STEPS];
	struct t_result res;
	unsigned int n;

	n = xrmu_dte_plan(&cur, &tgt, steps);
	KUNIT_ASSERT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ(test, steps[0].qw, 0);
	KUNIT_EXPECT_EQ(test, steps[0].val, 0ULL);
	KUNIT_EXPECT_EQ(test, steps[3].qw, 0);
	KUNIT_EXPECT_EQ(test, steps[3].val, 0x3ULL);
	t_replay(test, &cur, &tgt, "IRSV and table", &res);
	KUNIT_EXPECT_TRUE(test, res.through_invalid);
	KUNIT_EXPECT_EQ(test, res.invs, 1);
}

static struct kunit_case xrmu_dte_cases[] = {
	KUNIT_CASE(xrmu_test_dte_matrix),
	KUNIT_CASE(xrmu_test_dte_sequences),
	KUNIT_CASE(xrmu_test_dte_break),
	{}
};

static struct kunit_suite xrmu_dte_suite = {
	.name = "xrmu-dte",
	.test_cases = xrmu_dte_cases,
};

kunit_test_suite(xrmu_dte_suite);
