// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the xrmu page-table code, without hardware: the owner
 * callbacks record what would have been invalidated.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "../iommu-pages.h"
#include "xrmu.h"

#define ALL_SIZES	(SZ_4K | SZ_2M | SZ_1G)
#define RW		(IOMMU_READ | IOMMU_WRITE)

struct xrmu_pt_test {
	struct xrmu_pgtable pgt;
	unsigned int flushes;
	unsigned long flush_iova;
	size_t flush_size;
	unsigned int gathers;
};

static void test_gather_add(struct xrmu_pgtable *pgt,
			    struct iommu_iotlb_gather *gather,
			    unsigned long iova, size_t size)
{
	struct xrmu_pt_test *t = container_of(pgt, struct xrmu_pt_test, pgt);

	t->gathers++;
	iommu_iotlb_gather_add_range(gather, iova, size);
}

static void test_flush_sync(struct xrmu_pgtable *pgt, unsigned long iova,
			    size_t size)
{
	struct xrmu_pt_test *t = container_of(pgt, struct xrmu_pt_test, pgt);

	t->flushes++;
	t->flush_iova = iova;
	t->flush_size = size;
}

static const struct xrmu_pgtable_ops test_ops = {
	.gather_add = test_gather_add,
	.flush_sync = test_flush_sync,
};

static void xrmu_pt_test_exit(struct kunit *test)
{
	struct xrmu_pt_test *t = test->priv;

	xrmu_pgtable_destroy(&t->pgt);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 0);
}

static struct xrmu_pt_test *pt_new(struct kunit *test, unsigned int levels,
				   unsigned long sizes)
{
	struct xrmu_pt_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, xrmu_pgtable_init(&t->pgt, levels, sizes, 52,
						NUMA_NO_NODE, &test_ops), 0);
	test->priv = t;
	return t;
}

static int pt_map(struct xrmu_pt_test *t, unsigned long iova, phys_addr_t pa,
		  size_t pgsize, size_t count)
{
	size_t mapped = 0;
	int ret;

	ret = xrmu_pgtable_map(&t->pgt, iova, pa, pgsize, count, RW,
			       GFP_KERNEL, &mapped);
	if (!ret && mapped != pgsize * count)
		return -EIO;
	return ret;
}

static size_t pt_unmap(struct xrmu_pt_test *t, unsigned long iova,
		       size_t pgsize, size_t count,
		       struct iommu_iotlb_gather *gather)
{
	return xrmu_pgtable_unmap(&t->pgt, iova, pgsize, count, gather);
}

static unsigned int list_count(struct iommu_pages_list *list)
{
	struct list_head *p;
	unsigned int n = 0;

	list_for_each(p, &list->pages)
		n++;
	return n;
}

/* Map and look up every size at several alignments and levels. */
static void xrmu_pt_test_map_lookup(struct kunit *test)
{
	static const unsigned int levels[] = { 3, 4, 5 };
	static const size_t sizes[] = { SZ_4K, SZ_2M, SZ_1G };
	/* distance from the top of the space, per size: no overlaps */
	static const unsigned long from_top[] = {
		SZ_4K, SZ_1G + SZ_2M, 3UL * SZ_1G,
	};
	unsigned int l, s, k;

	for (l = 0; l < ARRAY_SIZE(levels); l++) {
		struct xrmu_pt_test *t = pt_new(test, levels[l], ALL_SIZES);
		unsigned long top = (1UL << (12 + 9 * levels[l])) - 1;

		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			size_t sz = sizes[s];
			/* low, middle and the last page of the space */
			unsigned long iovas[] = {
				sz * (s + 1),
				(top / 2 + 1) + sz * 7,
				(top + 1) - from_top[s],
			};

			for (k = 0; k < ARRAY_SIZE(iovas); k++) {
				unsigned long iova = iovas[k];
				phys_addr_t pa = 0x100000000ULL * (k + 1) +
						 sz * (s + 3);
				struct xrmu_pgtable *pgt = &t->pgt;

				KUNIT_ASSERT_EQ(test, pt_map(t, iova, pa, sz, 1),
						0);
				KUNIT_EXPECT_EQ(test,
						xrmu_pgtable_iova_to_phys(pgt, iova),
						pa);
				KUNIT_EXPECT_EQ(test,
						xrmu_pgtable_iova_to_phys(pgt,
									  iova + sz - 8),
						pa + sz - 8);
				KUNIT_EXPECT_EQ(test,
						xrmu_pgtable_iova_to_phys(pgt,
									  iova + sz / 2 + 0x123),
						pa + sz / 2 + 0x123);
				/* neighbours stay unmapped */
				KUNIT_EXPECT_EQ(test,
						xrmu_pgtable_iova_to_phys(pgt,
									  iova + sz),
						0);
			}
		}
		xrmu_pt_test_exit(test);
	}
	test->priv = NULL;
}

/* The PTE bits as the hardware walks them (literal values from the spec). */
static void xrmu_pt_test_layout(struct kunit *test)
{
	struct xrmu_pt_test *t = pt_new(test, 4, ALL_SIZES);
	size_t mapped = 0;
	u64 *l3, *l2, *l1;

	/* iova 0x8040201000: L4 idx 1, L3 idx 1, L2 idx 1, L1 idx 1 */
	KUNIT_ASSERT_EQ(test, xrmu_pgtable_map(&t->pgt, 0x8040201000UL,
					       0x40000000, SZ_4K, 1, IOMMU_READ,
					       GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_EQ(test, t->pgt.root[0], 0ULL);
	/* non-leaf: V=1, LEAF=0, R/W=0 */
	KUNIT_ASSERT_EQ(test, t->pgt.root[1] & 0xfffULL, 0x1ULL);
	l3 = phys_to_virt(t->pgt.root[1] & ~0xfffULL);
	KUNIT_ASSERT_EQ(test, l3[1] & 0xfffULL, 0x1ULL);
	l2 = phys_to_virt(l3[1] & ~0xfffULL);
	KUNIT_ASSERT_EQ(test, l2[1] & 0xfffULL, 0x1ULL);
	l1 = phys_to_virt(l2[1] & ~0xfffULL);
	/* leaf: V | R | LEAF */
	KUNIT_EXPECT_EQ(test, l1[1], 0x4000000bULL);
	KUNIT_EXPECT_EQ(test, l1[0], 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 4);

	/* 2 MiB leaf at L2 idx 2 of the same L2 table: V | W | LEAF */
	KUNIT_ASSERT_EQ(test, xrmu_pgtable_map(&t->pgt, 0x8040400000UL,
					       0x80200000, SZ_2M, 1, IOMMU_WRITE,
					       GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_EQ(test, l2[2], 0x8020000dULL);
	/* 1 GiB leaf at L3 idx 2: V | R | W | LEAF */
	KUNIT_ASSERT_EQ(test, xrmu_pgtable_map(&t->pgt, 0x8080000000UL,
					       0xc0000000, SZ_1G, 1, RW,
					       GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_EQ(test, l3[2], 0xc000000fULL);
	KUNIT_EXPECT_EQ(test, mapped, (size_t)(SZ_4K + SZ_2M + SZ_1G));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 4);
}

static void xrmu_pt_test_bad_requests(struct kunit *test)
{
	struct xrmu_pt_test *t = pt_new(test, 3, SZ_4K | SZ_2M);

	/* misaligned iova or paddr */
	KUNIT_EXPECT_EQ(test, pt_map(t, 0x1800, 0x2000, SZ_4K, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pt_map(t, 0x200000, 0x201000, SZ_2M, 1), -EINVAL);
	/* size not offered by the unit, or not a leaf size at all */
	KUNIT_EXPECT_EQ(test, pt_map(t, 0, 0, SZ_1G, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pt_map(t, 0, 0, SZ_64K, 1), -EINVAL);
	/* beyond the 39-bit space */
	KUNIT_EXPECT_EQ(test, pt_map(t, 1UL << 39, 0, SZ_4K, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pt_map(t, (1UL << 39) - SZ_4K, 0, SZ_4K, 2),
			-EINVAL);
	/* physical address beyond PAW */
	KUNIT_EXPECT_EQ(test, pt_map(t, 0, 1ULL << 52, SZ_4K, 1), -EINVAL);
	/* nothing was mapped by any of that */
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 1);

	/* mapping over a mapping */
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x200000, 0x400000, SZ_2M, 1), 0);
	KUNIT_EXPECT_EQ(test, pt_map(t, 0x200000, 0x600000, SZ_2M, 1), -EEXIST);
	KUNIT_EXPECT_EQ(test, pt_map(t, 0x201000, 0x1000, SZ_4K, 1), -EEXIST);
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x400000, 0x1000, SZ_4K, 1), 0);
	KUNIT_EXPECT_EQ(test, pt_map(t, 0x400000, 0x600000, SZ_2M, 1), -EEXIST);
	KUNIT_EXPECT_EQ(test, pt_map(t, 0x400000, 0x3000, SZ_4K, 1), -EEXIST);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0x200010),
			0x400010);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0x400010),
			0x1010);
}

static void xrmu_pt_test_unmap(struct kunit *test)
{
	struct xrmu_pt_test *t = pt_new(test, 4, ALL_SIZES);
	struct iommu_iotlb_gather g;

	/* exact 4 KiB unmaps, one page of a run */
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x10000, 0x80000, SZ_4K, 4), 0);
	iommu_iotlb_gather_init(&g);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x11000, SZ_4K, 1, &g), SZ_4K);
	KUNIT_EXPECT_EQ(test, g.start, 0x11000UL);
	KUNIT_EXPECT_EQ(test, g.end, 0x11fffUL);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0x11000), 0);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0x12000),
			0x82000);
	/* a hole stops the unmap: 0x10000 is mapped, 0x11000 is not */
	iommu_iotlb_gather_init(&g);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x10000, SZ_4K, 4, &g), SZ_4K);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x11000, SZ_4K, 1, &g), 0);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x12000, SZ_4K, 2, &g), 2 * SZ_4K);
	KUNIT_EXPECT_EQ(test, g.start, 0x10000UL);
	KUNIT_EXPECT_EQ(test, g.end, 0x13fffUL);
	/* table pages stay while not fully covered by a request */
	KUNIT_EXPECT_TRUE(test, iommu_pages_list_empty(&g.freelist));

	/* part of a 2 MiB leaf: the whole leaf goes, counted to its end */
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x40000000, 0x200000, SZ_2M, 2), 0);
	iommu_iotlb_gather_init(&g);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x40003000, SZ_4K, 1, &g),
			(size_t)SZ_2M - 0x3000);
	KUNIT_EXPECT_EQ(test, g.start, 0x40000000UL);
	KUNIT_EXPECT_EQ(test, g.end, 0x401fffffUL);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0x40000000), 0);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0x40200000),
			0x400000);
	/* a 4 KiB request at the start of a leaf reports the leaf size */
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x40200000, SZ_4K, 1, &g), SZ_2M);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0x40200000), 0);

	/* overlapping: one request over a 1 GiB leaf and 4 KiB pages */
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x80000000, 0x80000000, SZ_1G, 1), 0);
	KUNIT_ASSERT_EQ(test, pt_map(t, 0xc0000000, 0x1000, SZ_4K, 2), 0);
	iommu_iotlb_gather_init(&g);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x80000000, SZ_4K,
				       (SZ_1G + 2 * SZ_4K) / SZ_4K, &g),
			(size_t)SZ_1G + 2 * SZ_4K);
	KUNIT_EXPECT_EQ(test, g.start, 0x80000000UL);
	KUNIT_EXPECT_EQ(test, g.end, 0xc0001fffUL);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0xc0001000), 0);
	iommu_put_pages_list(&g.freelist);
}

/* Tables whose whole span is unmapped go to the freelist, not away. */
static void xrmu_pt_test_free_tables(struct kunit *test)
{
	struct xrmu_pt_test *t = pt_new(test, 4, ALL_SIZES);
	struct iommu_iotlb_gather g;
	unsigned int before;

	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 1);
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x200000, 0x0, SZ_4K, 512), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 4);

	/* the level-1 table covering [2M, 4M) */
	iommu_iotlb_gather_init(&g);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x200000, SZ_4K, 512, &g), SZ_2M);
	KUNIT_EXPECT_EQ(test, list_count(&g.freelist), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 3);
	KUNIT_EXPECT_EQ(test, g.start, 0x200000UL);
	KUNIT_EXPECT_EQ(test, g.end, 0x3fffffUL);
	iommu_put_pages_list(&g.freelist);

	/* a 4 KiB page deep in a fresh 1 GiB span: two tables below L3 */
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x40000000 + 0x123000, 0x5000, SZ_4K,
				     1), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 5);
	iommu_iotlb_gather_init(&g);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x40000000, SZ_2M, 512, &g), SZ_1G);
	KUNIT_EXPECT_EQ(test, list_count(&g.freelist), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 3);
	iommu_put_pages_list(&g.freelist);

	/*
	 * An empty table left by small unmaps is replaced by a large leaf;
	 * its span is invalidated synchronously before it is freed.
	 */
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x600000, 0x7000, SZ_4K, 1), 0);
	before = atomic_read(&t->pgt.nr_tables);
	iommu_iotlb_gather_init(&g);
	KUNIT_EXPECT_EQ(test, pt_unmap(t, 0x600000, SZ_4K, 1, &g), SZ_4K);
	KUNIT_EXPECT_TRUE(test, iommu_pages_list_empty(&g.freelist));
	KUNIT_EXPECT_EQ(test, t->flushes, 0);
	KUNIT_ASSERT_EQ(test, pt_map(t, 0x600000, 0x800000, SZ_2M, 1), 0);
	KUNIT_EXPECT_EQ(test, t->flushes, 1);
	KUNIT_EXPECT_EQ(test, t->flush_iova, 0x600000UL);
	KUNIT_EXPECT_EQ(test, t->flush_size, (size_t)SZ_2M);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), before - 1);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt, 0x600000),
			0x800000);
}

struct xrmu_pt_thread {
	struct xrmu_pt_test *t;
	unsigned long base;
	int errors;
	struct completion done;
};

static int xrmu_pt_thread_fn(void *data)
{
	struct xrmu_pt_thread *th = data;
	struct xrmu_pgtable *pgt = &th->t->pgt;
	struct iommu_iotlb_gather g;
	unsigned int i, j;

	for (i = 0; i < 200; i++) {
		for (j = 0; j < 8; j++) {
			unsigned long iova = th->base + j * 4 * SZ_4K;
			size_t mapped = 0;

			if (xrmu_pgtable_map(pgt, iova, iova + 0x1000000000ULL,
					     SZ_4K, 4, RW, GFP_KERNEL, &mapped))
				th->errors++;
		}
		for (j = 0; j < 8 * 4; j++) {
			unsigned long iova = th->base + j * SZ_4K;

			if (xrmu_pgtable_iova_to_phys(pgt, iova + 8) !=
			    iova + 0x1000000000ULL + 8)
				th->errors++;
		}
		iommu_iotlb_gather_init(&g);
		if (xrmu_pgtable_unmap(pgt, th->base, SZ_4K, 32, &g) !=
		    32 * SZ_4K)
			th->errors++;
		iommu_put_pages_list(&g.freelist);
		cond_resched();
	}
	complete(&th->done);
	return 0;
}

/* Concurrent map/unmap of disjoint ranges that share every table. */
static void xrmu_pt_test_concurrency(struct kunit *test)
{
	struct xrmu_pt_test *t = pt_new(test, 4, ALL_SIZES);
	struct xrmu_pt_thread th[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(th); i++) {
		struct task_struct *task;

		th[i].t = t;
		th[i].base = 0x7f0000000000UL + i * 32 * SZ_4K;
		th[i].errors = 0;
		init_completion(&th[i].done);
		task = kthread_run(xrmu_pt_thread_fn, &th[i], "xrmu-pt-%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < ARRAY_SIZE(th); i++) {
		wait_for_completion(&th[i].done);
		KUNIT_EXPECT_EQ(test, th[i].errors, 0);
	}
	/* shared tables survive (no request covered a whole table) */
	KUNIT_EXPECT_EQ(test, atomic_read(&t->pgt.nr_tables), 4);
	KUNIT_EXPECT_EQ(test, xrmu_pgtable_iova_to_phys(&t->pgt,
							0x7f0000000000UL), 0);
}

static struct kunit_case xrmu_pt_cases[] = {
	KUNIT_CASE(xrmu_pt_test_map_lookup),
	KUNIT_CASE(xrmu_pt_test_layout),
	KUNIT_CASE(xrmu_pt_test_bad_requests),
	KUNIT_CASE(xrmu_pt_test_unmap),
	KUNIT_CASE(xrmu_pt_test_free_tables),
	KUNIT_CASE(xrmu_pt_test_concurrency),
	{}
};

static void xrmu_pt_suite_exit(struct kunit *test)
{
	if (test->priv)
		xrmu_pt_test_exit(test);
}

static struct kunit_suite xrmu_pt_suite = {
	.name = "xrmu-pgtable",
	.exit = xrmu_pt_suite_exit,
	.test_cases = xrmu_pt_cases,
};

kunit_test_suite(xrmu_pt_suite);
