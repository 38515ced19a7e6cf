// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-table microbenchmark for make bench: xrmu's page-table library
 * (drivers/iommu/xrmu/pgtable.c, built into this module unchanged) against
 * io-pgtable-arm's ARM_64_LPAE_S1 format (same 4 KiB granule, 4 levels,
 * 48-bit input), in the same boot, with the same access patterns.
 *
 * Reading /sys/kernel/debug/xrmu_pgtable_bench/run runs everything and
 * returns one line per result:
 *
 *   pt fmt=F case=C op=O n=N rounds=R mean_ps=M sd_ps=S med_ps=D
 *	mean, standard deviation and median over R rounds of the time per
 *	operation (one map_pages/unmap_pages call of one page, or one
 *	iova_to_phys), in picoseconds; each round times N operations with
 *	one clock read before and one after, so the clock's resolution does
 *	not matter.  The median is what a host that deschedules the vCPU
 *	now and then does not move.
 *   mem fmt=F buf=B bytes_per_gib=X
 *	table memory owned after mapping 1 GiB with 4 KiB leaves (buf=4k)
 *	or with 2 MiB leaves (buf=2m), root included.
 *
 * Invalidation callbacks only record ranges (iommu_iotlb_gather_add_range)
 * for both formats: this measures the page-table code, not an IOTLB.
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "drivers/iommu/iommu-pages.h"
#include "drivers/iommu/xrmu/xrmu.h"

static unsigned int rounds = 100;
module_param(rounds, uint, 0644);
MODULE_PARM_DESC(rounds, "timed rounds per case (default 100)");

#define PROT	(IOMMU_READ | IOMMU_WRITE)
#define PADDR	0x40000000UL	/* never accessed: only an output address */

struct pt_case {
	const char *name;
	unsigned long base;	/* first IOVA */
	size_t pgsize;
	unsigned int n;		/* operations per round */
	unsigned long stride;	/* IOVA distance between slots */
	bool scatter;		/* visit the slots in a scrambled order */
	unsigned int batch;	/* pages per map/unmap call (1: one each) */
	unsigned int rounds_mul;
};

static const struct pt_case cases[] = {
	{ "4k-contig", 1UL << 32, SZ_4K, 4096, SZ_4K, false, 1, 1 },
	{ "4k-scatter", 1UL << 36, SZ_4K, 4096, SZ_2M + SZ_4K, true, 1, 1 },
	{ "4k-x512", 1UL << 35, SZ_4K, 16, SZ_2M, false, 512, 4 },
	{ "2m", 1UL << 37, SZ_2M, 512, SZ_2M, false, 1, 4 },
	{ "1g", 1UL << 38, SZ_1G, 16, SZ_1G, false, 1, 40 },
};

/* One page-table implementation behind a common interface. */
struct pt_impl {
	const char *name;
	void *priv;
	int (*map)(void *priv, unsigned long iova, phys_addr_t pa,
		   size_t pgsize, size_t pgcount, size_t *mapped);
	size_t (*unmap)(void *priv, unsigned long iova, size_t pgsize,
			size_t pgcount, struct iommu_iotlb_gather *gather);
	phys_addr_t (*iova_to_phys)(void *priv, unsigned long iova);
};

/* ---- xrmu ------------------------------------------------------------ */

static void bench_gather_add(struct xrmu_pgtable *pgt,
			     struct iommu_iotlb_gather *gather,
			     unsigned long iova, size_t size)
{
	iommu_iotlb_gather_add_range(gather, iova, size);
}

static void bench_flush_sync(struct xrmu_pgtable *pgt, unsigned long iova,
			     size_t size)
{
}

static const struct xrmu_pgtable_ops bench_xrmu_ops = {
	.gather_add = bench_gather_add,
	.flush_sync = bench_flush_sync,
};

static int xr_map(void *priv, unsigned long iova, phys_addr_t pa,
		  size_t pgsize, size_t pgcount, size_t *mapped)
{
	return xrmu_pgtable_map(priv, iova, pa, pgsize, pgcount, PROT,
				GFP_KERNEL, mapped);
}

static size_t xr_unmap(void *priv, unsigned long iova, size_t pgsize,
		       size_t pgcount, struct iommu_iotlb_gather *gather)
{
	return xrmu_pgtable_unmap(priv, iova, pgsize, pgcount, gather);
}

static phys_addr_t xr_iova_to_phys(void *priv, unsigned long iova)
{
	return xrmu_pgtable_iova_to_phys(priv, iova);
}

/* ---- io-pgtable-arm -------------------------------------------------- */

#if IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_LPAE)
static void arm_tlb_flush_all(void *cookie)
{
}

static void arm_tlb_flush_walk(unsigned long iova, size_t size,
			       size_t granule, void *cookie)
{
}

static void arm_tlb_add_page(struct iommu_iotlb_gather *gather,
			     unsigned long iova, size_t granule, void *cookie)
{
	iommu_iotlb_gather_add_range(gather, iova, granule);
}

static const struct iommu_flush_ops arm_flush_ops = {
	.tlb_flush_all = arm_tlb_flush_all,
	.tlb_flush_walk = arm_tlb_flush_walk,
	.tlb_add_page = arm_tlb_add_page,
};

/* Table bytes currently allocated through arm_alloc() (memory test). */
static atomic_long_t arm_table_bytes;

static void *arm_alloc(void *cookie, size_t size, gfp_t gfp)
{
	void *p = iommu_alloc_pages_node_sz(NUMA_NO_NODE, gfp, size);

	if (p)
		atomic_long_add(PAGE_SIZE << get_order(size), &arm_table_bytes);
	return p;
}

static void arm_free(void *cookie, void *pages, size_t size)
{
	atomic_long_sub(PAGE_SIZE << get_order(size), &arm_table_bytes);
	iommu_free_pages(pages);
}

static struct io_pgtable_ops *arm_new(struct device *dev, bool counted)
{
	struct io_pgtable_cfg cfg = {
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
		.ias = 48,
		.oas = 48,
		.coherent_walk = true,
		.tlb = &arm_flush_ops,
		.iommu_dev = dev,
	};

	if (counted) {
		cfg.alloc = arm_alloc;
		cfg.free = arm_free;
	}
	return alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg, NULL);
}

static int arm_map(void *priv, unsigned long iova, phys_addr_t pa,
		   size_t pgsize, size_t pgcount, size_t *mapped)
{
	struct io_pgtable_ops *ops = priv;

	return ops->map_pages(ops, iova, pa, pgsize, pgcount, PROT,
			      GFP_KERNEL, mapped);
}

static size_t arm_unmap(void *priv, unsigned long iova, size_t pgsize,
			size_t pgcount, struct iommu_iotlb_gather *gather)
{
	struct io_pgtable_ops *ops = priv;

	return ops->unmap_pages(ops, iova, pgsize, pgcount, gather);
}

static phys_addr_t arm_iova_to_phys(void *priv, unsigned long iova)
{
	struct io_pgtable_ops *ops = priv;

	return ops->iova_to_phys(ops, iova);
}
#endif

/* ---- measurement ------------------------------------------------------ */

static unsigned long slot_iova(const struct pt_case *c, unsigned int i)
{
	/* An odd multiplier permutes [0, n) when n is a power of two. */
	unsigned int s = c->scatter ? (i * 2654435761U) & (c->n - 1) : i;

	return c->base + (unsigned long)s * c->stride;
}

struct stat_acc {
	u64 sum;	/* ps per op, summed over rounds */
	u64 sumsq;	/* (ps per op / 16)^2, summed: keeps it in 64 bits */
	u64 *val;	/* ps per op of each round */
	unsigned int n;
};

static void stat_add(struct stat_acc *a, u64 ns, unsigned int ops)
{
	u64 ps = div_u64(ns * 1000, ops);

	a->sum += ps;
	a->sumsq += (ps >> 4) * (ps >> 4);
	a->val[a->n++] = ps;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void stat_print(struct seq_file *s, const char *fmt,
		       const struct pt_case *c, const char *op,
		       const struct stat_acc *a, unsigned int r)
{
	u64 mean = div_u64(a->sum, r);
	u64 m16 = mean >> 4;
	u64 var16 = div_u64(a->sumsq, r);

	var16 = var16 > m16 * m16 ? var16 - m16 * m16 : 0;
	sort(a->val, a->n, sizeof(u64), cmp_u64, NULL);
	seq_printf(s, "pt fmt=%s case=%s op=%s n=%u rounds=%u mean_ps=%llu sd_ps=%llu med_ps=%llu\n",
		   fmt, c->name, op, c->n * c->batch, r, mean,
		   (u64)int_sqrt64(var16) << 4, a->val[a->n / 2]);
}

static int run_case(struct seq_file *s, const struct pt_impl *im,
		    const struct pt_case *c)
{
	struct stat_acc am = {}, au = {}, al = {};
	struct iommu_iotlb_gather gather;
	size_t chunk = c->pgsize * c->batch;
	unsigned int r, i, nr = rounds * c->rounds_mul;
	u64 t0, *vals;
	int ret = 0;

	vals = kcalloc(3 * nr, sizeof(u64), GFP_KERNEL);
	if (!vals)
		return -ENOMEM;
	am.val = vals;
	au.val = vals + nr;
	al.val = vals + 2 * nr;
	for (r = 0; r <= nr; r++) {	/* round 0 warms up (allocates tables) */
		size_t mapped = 0, unmapped = 0;
		u64 tm, tl, tu;

		t0 = ktime_get_ns();
		for (i = 0; i < c->n; i++) {
			ret = im->map(im->priv, slot_iova(c, i),
				      PADDR + (phys_addr_t)i * chunk, c->pgsize,
				      c->batch, &mapped);
			if (ret)
				goto out;
		}
		tm = ktime_get_ns() - t0;

		t0 = ktime_get_ns();
		for (i = 0; i < c->n; i++) {
			unsigned long iova = slot_iova(c, i) + chunk - SZ_4K;

			if (im->iova_to_phys(im->priv, iova) !=
			    PADDR + (phys_addr_t)i * chunk + chunk - SZ_4K) {
				ret = -EIO;
				goto out;
			}
		}
		tl = ktime_get_ns() - t0;

		iommu_iotlb_gather_init(&gather);
		t0 = ktime_get_ns();
		for (i = 0; i < c->n; i++)
			unmapped += im->unmap(im->priv, slot_iova(c, i),
					      c->pgsize, c->batch, &gather);
		/* Tables unlinked by the unmap (xrmu, whole-table requests). */
		iommu_put_pages_list(&gather.freelist);
		tu = ktime_get_ns() - t0;
		if (mapped != chunk * c->n || unmapped != mapped) {
			ret = -EIO;
			goto out;
		}
		if (r) {
			stat_add(&am, tm, c->n * c->batch);
			stat_add(&al, tl, c->n);
			stat_add(&au, tu, c->n * c->batch);
		}
		cond_resched();
	}
	stat_print(s, im->name, c, "map", &am, nr);
	stat_print(s, im->name, c, "unmap", &au, nr);
	stat_print(s, im->name, c, "iova_to_phys", &al, nr);
out:
	kfree(vals);
	return ret;
}

/* Map 1 GiB at @pgsize granularity in calls of up to 512 pages. */
static int map_gib(const struct pt_impl *im, size_t pgsize)
{
	unsigned long iova = 1UL << 40;
	size_t done = 0, mapped = 0;

	while (done < SZ_1G) {
		size_t cnt = min_t(size_t, 512, (SZ_1G - done) / pgsize);
		int ret = im->map(im->priv, iova + done, PADDR + done, pgsize,
				  cnt, &mapped);

		if (ret)
			return ret;
		done += cnt * pgsize;
	}
	return mapped == SZ_1G ? 0 : -EIO;
}

static int run_xrmu(struct seq_file *s)
{
	static const size_t mem_sizes[] = { SZ_4K, SZ_2M };
	struct pt_impl im = {
		.name = "xrmu", .map = xr_map, .unmap = xr_unmap,
		.iova_to_phys = xr_iova_to_phys,
	};
	struct xrmu_pgtable *pgt;
	unsigned int i;
	int ret;

	pgt = kzalloc(sizeof(*pgt), GFP_KERNEL);
	if (!pgt)
		return -ENOMEM;
	im.priv = pgt;
	for (i = 0; i < ARRAY_SIZE(mem_sizes); i++) {
		ret = xrmu_pgtable_init(pgt, 4, SZ_4K | SZ_2M | SZ_1G, 48,
					NUMA_NO_NODE, &bench_xrmu_ops);
		if (ret)
			goto out;
		ret = map_gib(&im, mem_sizes[i]);
		if (!ret)
			seq_printf(s, "mem fmt=xrmu buf=%s bytes_per_gib=%lu\n",
				   i ? "2m" : "4k",
				   atomic_read(&pgt->nr_tables) * PAGE_SIZE);
		xrmu_pgtable_destroy(pgt);
		if (ret)
			goto out;
	}

	ret = xrmu_pgtable_init(pgt, 4, SZ_4K | SZ_2M | SZ_1G, 48,
				NUMA_NO_NODE, &bench_xrmu_ops);
	if (ret)
		goto out;
	for (i = 0; i < ARRAY_SIZE(cases) && !ret; i++)
		ret = run_case(s, &im, &cases[i]);
	xrmu_pgtable_destroy(pgt);
out:
	kfree(pgt);
	return ret;
}

static struct device *bench_dev;

#if IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_LPAE)
static int run_arm(struct seq_file *s)
{
	static const size_t mem_sizes[] = { SZ_4K, SZ_2M };
	struct pt_impl im = {
		.name = "arm-lpae", .map = arm_map, .unmap = arm_unmap,
		.iova_to_phys = arm_iova_to_phys,
	};
	struct io_pgtable_ops *ops;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(mem_sizes); i++) {
		atomic_long_set(&arm_table_bytes, 0);
		ops = arm_new(bench_dev, true);
		if (!ops)
			return -ENOMEM;
		im.priv = ops;
		ret = map_gib(&im, mem_sizes[i]);
		if (!ret)
			seq_printf(s, "mem fmt=arm-lpae buf=%s bytes_per_gib=%ld\n",
				   i ? "2m" : "4k",
				   atomic_long_read(&arm_table_bytes));
		free_io_pgtable_ops(ops);
		if (ret)
			return ret;
	}

	ops = arm_new(bench_dev, false);
	if (!ops)
		return -ENOMEM;
	im.priv = ops;
	for (i = 0; i < ARRAY_SIZE(cases) && !ret; i++)
		ret = run_case(s, &im, &cases[i]);
	free_io_pgtable_ops(ops);
	return ret;
}
#else
static int run_arm(struct seq_file *s)
{
	seq_puts(s, "# arm-lpae: CONFIG_IOMMU_IO_PGTABLE_LPAE is off\n");
	return 0;
}
#endif

static int bench_run_show(struct seq_file *s, void *unused)
{
	int ret;

	/*
	 * xrmu, arm, arm, xrmu: neither format always runs first or on a
	 * warmer machine; the caller averages the two passes of each.
	 */
	ret = run_xrmu(s);
	if (!ret)
		ret = run_arm(s);
	if (!ret)
		ret = run_arm(s);
	if (!ret)
		ret = run_xrmu(s);
	if (ret)
		seq_printf(s, "# error %d\n", ret);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bench_run);

static struct dentry *bench_dir;

static int __init bench_init(void)
{
	if (!rounds)
		return -EINVAL;
	bench_dev = root_device_register("xrmu_pgtable_bench");
	if (IS_ERR(bench_dev))
		return PTR_ERR(bench_dev);
	bench_dir = debugfs_create_dir("xrmu_pgtable_bench", NULL);
	debugfs_create_file("run", 0400, bench_dir, NULL, &bench_run_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	root_device_unregister(bench_dev);
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_DESCRIPTION("xrmu page-table microbenchmark (against io-pgtable-arm)");
MODULE_LICENSE("GPL");
