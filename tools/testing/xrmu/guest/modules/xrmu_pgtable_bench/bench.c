// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-table microbenchmark for make bench: the page-table formats of the
 * kernel's generic page-table library (drivers/iommu/generic_pt) built
 * into the kernel -- xrmu, the format the xrmu driver uses, and the
 * VT-d second-stage (vtdss), x86-64 first-stage (x86_64) and AMD v1
 * (amdv1) formats the intel and amd drivers use -- and io-pgtable-arm's
 * ARM_64_LPAE_S1 format, in the same boot, with the same access patterns.
 *
 * Every table has 4 levels, a 48-bit IOVA space, 48-bit output addresses
 * and 4 KiB, 2 MiB and 1 GiB leaves.  The generic_pt tables are driven
 * through their struct pt_iommu ops (map_range/unmap_range) and the
 * iova_to_phys of their iommu_domain_ops (IOMMU_PT_DOMAIN_OPS), as the
 * IOMMU core drives a driver's iommupt domain; their features are those
 * the drivers of 7.3 set on a cache-coherent unit:
 *
 *   xrmu     levels 4, FLUSH_RANGE | XRMU_PS2M | XRMU_PS1G (xrmu driver)
 *   vtdss    top_level 3, FLUSH_RANGE (intel, second stage)
 *   x86_64   top_level 3, SIGN_EXTEND | FLUSH_RANGE (intel, first stage;
 *            the IOVAs used here are all in the lower half)
 *   amdv1    starting_level 3, DYNAMIC_TOP | AMDV1_ENCRYPT_TABLES |
 *            AMDV1_FORCE_COHERENCE | FLUSH_RANGE (amd, not under a
 *            hypervisor; the format requires the first three).  The amd
 *            driver starts at 3 levels and grows the top at the first
 *            IOVA >= 2^39; here the table starts at 4 levels, like the
 *            others, and never grows.  Its page sizes are narrowed to
 *            4K | 2M | 1G.
 *
 * A format that is not built into the kernel prints "# <fmt>: CONFIG_...
 * is off" instead of results.
 *
 * Reading /sys/kernel/debug/xrmu_pgtable_bench/run runs everything and
 * returns one line per result:
 *
 *   pt fmt=F case=C op=O n=N rounds=R mean_ps=M sd_ps=S med_ps=D
 *	mean, standard deviation and median over R rounds of the time per
 *	operation (one map/unmap call of one page, or one iova_to_phys), in
 *	picoseconds; each round times N operations with one clock read
 *	before and one after, so the clock's resolution does not matter.
 *	The median is what a host that deschedules the vCPU now and then
 *	does not move.  For the 512-page calls of case 4k-x512 the time is
 *	per page.
 *   mem fmt=F buf=B bytes_per_gib=X
 *	table memory owned after mapping 1 GiB with 4 KiB leaves (buf=4k)
 *	or with 2 MiB leaves (buf=2m), root included.
 *
 * map_range chooses leaf sizes by alignment, io-pgtable's map_pages is
 * told the size: every output address used here is aligned to the case's
 * leaf size and not to the next larger one (see slot_pa()), so all
 * formats build the same leaves.
 *
 * Table memory is counted exactly, for all formats alike: every table
 * page of generic_pt and of io-pgtable-arm comes from
 * iommu_alloc_pages_node_sz(), which adds the folio's pages to the node
 * counters NR_IOMMU_PAGES and NR_SECONDARY_PAGETABLE (and
 * iommu_free_pages() subtracts them).  The benchmark reads
 * NR_IOMMU_PAGES, which unlike NR_SECONDARY_PAGETABLE counts no KVM
 * tables, with every CPU's pending per-CPU delta added (iommu_pages()),
 * before the table is created and after the GiB is mapped.  Nothing else
 * may allocate IOMMU memory meanwhile: make bench runs this in the VM
 * without an IOMMU.
 *
 * Invalidation only records ranges (the gather, io-pgtable's tlb_add_page)
 * for all formats, and the iotlb_sync of the generic_pt domains only frees
 * the gather's table pages: this measures the page-table code, not an
 * IOTLB.
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/generic_pt/iommu.h>
#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/vmstat.h>

#include "drivers/iommu/iommu-pages.h"

static unsigned int rounds = 100;
module_param(rounds, uint, 0644);
MODULE_PARM_DESC(rounds, "timed rounds per case (default 100)");

#define PROT		(IOMMU_READ | IOMMU_WRITE)
#define PADDR		0x40000000UL	/* never accessed: only an output address */
#define PGSIZES		(SZ_4K | SZ_2M | SZ_1G)
#define VA_LG2		48
#define OA_LG2		48

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

/* ---- table memory ------------------------------------------------------ */

/* Pages counted in NR_IOMMU_PAGES, per-CPU deltas included. */
static long iommu_pages_once(void)
{
	long x = atomic_long_read(&vm_node_stat[NR_IOMMU_PAGES]);
	int nid, cpu;

	for_each_online_node(nid) {
		struct per_cpu_nodestat __percpu *p =
			NODE_DATA(nid)->per_cpu_nodestats;

		for_each_online_cpu(cpu)
			x += READ_ONCE(per_cpu_ptr(p, cpu)->vm_node_stat_diff[NR_IOMMU_PAGES]);
	}
	return x;
}

/*
 * vmstat folds a CPU's delta into the global counter now and then, and a
 * read can fall between the two steps: read until two reads agree.
 */
static long iommu_pages(void)
{
	long x = iommu_pages_once(), y;
	unsigned int i;

	for (i = 0; i < 100; i++) {
		y = iommu_pages_once();
		if (y == x)
			break;
		x = y;
	}
	return x;
}

/* ---- generic_pt formats ------------------------------------------------ */

/* The gather's range needs no invalidation here; its tables are freed. */
static void __maybe_unused bench_iotlb_sync(struct iommu_domain *domain,
					    struct iommu_iotlb_gather *gather)
{
	iommu_put_pages_list(&gather->freelist);
}

static void __maybe_unused bench_flush_iotlb_all(struct iommu_domain *domain)
{
}

#if IS_ENABLED(CONFIG_IOMMU_PT_XRMU)
static const struct iommu_domain_ops xrmu_bench_ops = {
	IOMMU_PT_DOMAIN_OPS(xrmu),
	.iotlb_sync = bench_iotlb_sync,
	.flush_iotlb_all = bench_flush_iotlb_all,
};

static int xrmu_bench_init(struct pt_iommu *pt)
{
	struct pt_iommu_xrmu_cfg cfg = {
		.common.features = BIT(PT_FEAT_FLUSH_RANGE) |
				   BIT(PT_FEAT_XRMU_PS2M) |
				   BIT(PT_FEAT_XRMU_PS1G),
		.common.hw_max_vasz_lg2 = VA_LG2,
		.common.hw_max_oasz_lg2 = OA_LG2,
		.levels = 4,
	};

	return pt_iommu_xrmu_init(container_of(pt, struct pt_iommu_xrmu, iommu),
				  &cfg, GFP_KERNEL);
}
#endif

#if IS_ENABLED(CONFIG_IOMMU_PT_VTDSS)
static const struct iommu_domain_ops vtdss_bench_ops = {
	IOMMU_PT_DOMAIN_OPS(vtdss),
	.iotlb_sync = bench_iotlb_sync,
	.flush_iotlb_all = bench_flush_iotlb_all,
};

static int vtdss_bench_init(struct pt_iommu *pt)
{
	struct pt_iommu_vtdss_cfg cfg = {
		.common.features = BIT(PT_FEAT_FLUSH_RANGE),
		.common.hw_max_vasz_lg2 = VA_LG2,
		.common.hw_max_oasz_lg2 = OA_LG2,
		.top_level = 3,
	};

	return pt_iommu_vtdss_init(container_of(pt, struct pt_iommu_vtdss,
						iommu), &cfg, GFP_KERNEL);
}
#endif

#if IS_ENABLED(CONFIG_IOMMU_PT_X86_64)
static const struct iommu_domain_ops x86_64_bench_ops = {
	IOMMU_PT_DOMAIN_OPS(x86_64),
	.iotlb_sync = bench_iotlb_sync,
	.flush_iotlb_all = bench_flush_iotlb_all,
};

static int x86_64_bench_init(struct pt_iommu *pt)
{
	struct pt_iommu_x86_64_cfg cfg = {
		.common.features = BIT(PT_FEAT_SIGN_EXTEND) |
				   BIT(PT_FEAT_FLUSH_RANGE),
		.common.hw_max_vasz_lg2 = VA_LG2,
		.common.hw_max_oasz_lg2 = OA_LG2,
		.top_level = 3,
	};

	return pt_iommu_x86_64_init(container_of(pt, struct pt_iommu_x86_64,
						 iommu), &cfg, GFP_KERNEL);
}
#endif

#if IS_ENABLED(CONFIG_IOMMU_PT_AMDV1)
static const struct iommu_domain_ops amdv1_bench_ops = {
	IOMMU_PT_DOMAIN_OPS(amdv1),
	.iotlb_sync = bench_iotlb_sync,
	.flush_iotlb_all = bench_flush_iotlb_all,
};

/*
 * DYNAMIC_TOP needs both driver ops; the top never changes here (the
 * table starts with the level that covers VA_LG2).
 */
static DEFINE_SPINLOCK(amdv1_top_lock);

static void amdv1_change_top(struct pt_iommu *pt, phys_addr_t top_paddr,
			     unsigned int top_level)
{
}

static spinlock_t *amdv1_get_top_lock(struct pt_iommu *pt)
{
	return &amdv1_top_lock;
}

static const struct pt_iommu_driver_ops amdv1_driver_ops = {
	.change_top = amdv1_change_top,
	.get_top_lock = amdv1_get_top_lock,
};

static int amdv1_bench_init(struct pt_iommu *pt)
{
	struct pt_iommu_amdv1_cfg cfg = {
		.common.features = BIT(PT_FEAT_DYNAMIC_TOP) |
				   BIT(PT_FEAT_AMDV1_ENCRYPT_TABLES) |
				   BIT(PT_FEAT_AMDV1_FORCE_COHERENCE) |
				   BIT(PT_FEAT_FLUSH_RANGE),
		.common.hw_max_vasz_lg2 = VA_LG2,
		.common.hw_max_oasz_lg2 = OA_LG2,
		.starting_level = 3,
	};

	pt->driver_ops = &amdv1_driver_ops;	/* kept by init */
	return pt_iommu_amdv1_init(container_of(pt, struct pt_iommu_amdv1,
						iommu), &cfg, GFP_KERNEL);
}
#endif

struct gpt_fmt {
	const char *name;
	const char *config;
	size_t size;		/* of struct pt_iommu_<fmt> */
	/* NULL: the format is not built into the kernel */
	int (*init)(struct pt_iommu *pt);
	const struct iommu_domain_ops *ops;
};

static const struct gpt_fmt gpt_xrmu = {
	.name = "xrmu", .config = "CONFIG_IOMMU_PT_XRMU",
	.size = sizeof(struct pt_iommu_xrmu),
#if IS_ENABLED(CONFIG_IOMMU_PT_XRMU)
	.init = xrmu_bench_init, .ops = &xrmu_bench_ops,
#endif
};

static const struct gpt_fmt gpt_vtdss = {
	.name = "vtdss", .config = "CONFIG_IOMMU_PT_VTDSS",
	.size = sizeof(struct pt_iommu_vtdss),
#if IS_ENABLED(CONFIG_IOMMU_PT_VTDSS)
	.init = vtdss_bench_init, .ops = &vtdss_bench_ops,
#endif
};

static const struct gpt_fmt gpt_x86_64 = {
	.name = "x86_64", .config = "CONFIG_IOMMU_PT_X86_64",
	.size = sizeof(struct pt_iommu_x86_64),
#if IS_ENABLED(CONFIG_IOMMU_PT_X86_64)
	.init = x86_64_bench_init, .ops = &x86_64_bench_ops,
#endif
};

static const struct gpt_fmt gpt_amdv1 = {
	.name = "amdv1", .config = "CONFIG_IOMMU_PT_AMDV1",
	.size = sizeof(struct pt_iommu_amdv1),
#if IS_ENABLED(CONFIG_IOMMU_PT_AMDV1)
	.init = amdv1_bench_init, .ops = &amdv1_bench_ops,
#endif
};

/* struct pt_iommu is the first member of every struct pt_iommu_<fmt>. */
static struct pt_iommu *gpt_new(const struct gpt_fmt *f)
{
	struct pt_iommu *pt = kzalloc(f->size, GFP_KERNEL);
	int ret;

	if (!pt)
		return ERR_PTR(-ENOMEM);
	pt->nid = NUMA_NO_NODE;		/* kept by init */
	pt->domain.ops = f->ops;
	ret = f->init(pt);
	if (ret) {
		kfree(pt);
		return ERR_PTR(ret);
	}
	/* Only amdv1 has more (every power of two). */
	pt->domain.pgsize_bitmap &= PGSIZES;
	if (pt->domain.pgsize_bitmap != PGSIZES) {
		pt_iommu_deinit(pt);
		kfree(pt);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return pt;
}

static void gpt_free(struct pt_iommu *pt)
{
	pt_iommu_deinit(pt);
	kfree(pt);
}

static int gpt_map(void *priv, unsigned long iova, phys_addr_t pa,
		   size_t pgsize, size_t pgcount, size_t *mapped)
{
	struct pt_iommu *pt = priv;

	return pt->ops->map_range(pt, iova, pa, pgsize * pgcount, PROT,
				  GFP_KERNEL, mapped);
}

static size_t gpt_unmap(void *priv, unsigned long iova, size_t pgsize,
			size_t pgcount, struct iommu_iotlb_gather *gather)
{
	struct pt_iommu *pt = priv;

	return pt->ops->unmap_range(pt, iova, pgsize * pgcount, gather);
}

/* What iommu_iova_to_phys() calls for a paging domain. */
static phys_addr_t gpt_iova_to_phys(void *priv, unsigned long iova)
{
	struct pt_iommu *pt = priv;

	return pt->domain.ops->iova_to_phys(&pt->domain, iova);
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

static struct io_pgtable_ops *arm_new(struct device *dev)
{
	struct io_pgtable_cfg cfg = {
		.pgsize_bitmap = PGSIZES,
		.ias = VA_LG2,
		.oas = OA_LG2,
		.coherent_walk = true,
		.tlb = &arm_flush_ops,
		.iommu_dev = dev,
	};

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

/*
 * Output address of slot @i: PADDR is 1 GiB aligned, so this is aligned to
 * the case's leaf size and (for calls of more than one page) not to the
 * next larger one.
 */
static phys_addr_t slot_pa(const struct pt_case *c, unsigned int i)
{
	return PADDR + c->pgsize + (phys_addr_t)i * c->pgsize * c->batch;
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
			ret = im->map(im->priv, slot_iova(c, i), slot_pa(c, i),
				      c->pgsize, c->batch, &mapped);
			if (ret)
				goto out;
		}
		tm = ktime_get_ns() - t0;

		t0 = ktime_get_ns();
		for (i = 0; i < c->n; i++) {
			unsigned long iova = slot_iova(c, i) + chunk - SZ_4K;

			if (im->iova_to_phys(im->priv, iova) !=
			    slot_pa(c, i) + chunk - SZ_4K) {
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
		/* Tables unlinked by unmaps that cover them (generic_pt). */
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

/*
 * Map 1 GiB with @pgsize leaves in calls of up to 512 pages; the output
 * addresses are aligned to @pgsize, not to the next larger size.
 */
static int map_gib(const struct pt_impl *im, size_t pgsize)
{
	unsigned long iova = 1UL << 40;
	size_t done = 0, mapped = 0;

	while (done < SZ_1G) {
		size_t cnt = min_t(size_t, 512, (SZ_1G - done) / pgsize);
		int ret = im->map(im->priv, iova + done, PADDR + pgsize + done,
				  pgsize, cnt, &mapped);

		if (ret)
			return ret;
		done += cnt * pgsize;
	}
	return mapped == SZ_1G ? 0 : -EIO;
}

static const size_t mem_sizes[] = { SZ_4K, SZ_2M };

static void mem_print(struct seq_file *s, const char *fmt, unsigned int i,
		      long pages)
{
	seq_printf(s, "mem fmt=%s buf=%s bytes_per_gib=%ld\n", fmt,
		   i ? "2m" : "4k", pages * (long)PAGE_SIZE);
}

static int run_gpt(struct seq_file *s, const struct gpt_fmt *f)
{
	struct pt_impl im = {
		.name = f->name, .map = gpt_map, .unmap = gpt_unmap,
		.iova_to_phys = gpt_iova_to_phys,
	};
	struct pt_iommu *pt;
	unsigned int i;
	int ret = 0;

	if (!f->init) {
		seq_printf(s, "# %s: %s is off\n", f->name, f->config);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(mem_sizes); i++) {
		long before = iommu_pages();

		pt = gpt_new(f);
		if (IS_ERR(pt))
			return PTR_ERR(pt);
		im.priv = pt;
		ret = map_gib(&im, mem_sizes[i]);
		if (!ret)
			mem_print(s, f->name, i, iommu_pages() - before);
		gpt_free(pt);
		if (ret)
			return ret;
	}

	pt = gpt_new(f);
	if (IS_ERR(pt))
		return PTR_ERR(pt);
	im.priv = pt;
	for (i = 0; i < ARRAY_SIZE(cases) && !ret; i++)
		ret = run_case(s, &im, &cases[i]);
	gpt_free(pt);
	return ret;
}

static struct device *bench_dev;

#if IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_LPAE)
static int run_arm(struct seq_file *s)
{
	struct pt_impl im = {
		.name = "arm-lpae", .map = arm_map, .unmap = arm_unmap,
		.iova_to_phys = arm_iova_to_phys,
	};
	struct io_pgtable_ops *ops;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(mem_sizes); i++) {
		long before = iommu_pages();

		ops = arm_new(bench_dev);
		if (!ops)
			return -ENOMEM;
		im.priv = ops;
		ret = map_gib(&im, mem_sizes[i]);
		if (!ret)
			mem_print(s, "arm-lpae", i, iommu_pages() - before);
		free_io_pgtable_ops(ops);
		if (ret)
			return ret;
	}

	ops = arm_new(bench_dev);
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

/* NULL: io-pgtable-arm */
static const struct gpt_fmt *const order[] = {
	&gpt_xrmu, &gpt_vtdss, &gpt_x86_64, &gpt_amdv1, NULL,
};

static int bench_run_show(struct seq_file *s, void *unused)
{
	unsigned int i, n = ARRAY_SIZE(order);
	int ret = 0;

	/*
	 * xrmu, vtdss, x86_64, amdv1, arm, arm, amdv1, ..., xrmu: no format
	 * always runs first or on a warmer machine; the caller averages the
	 * two passes of each.
	 */
	for (i = 0; i < 2 * n && !ret; i++) {
		const struct gpt_fmt *f = order[i < n ? i : 2 * n - 1 - i];

		ret = f ? run_gpt(s, f) : run_arm(s);
	}
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
MODULE_DESCRIPTION("IOMMU page-table microbenchmark: generic_pt formats and io-pgtable-arm");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("GENERIC_PT_IOMMU");
