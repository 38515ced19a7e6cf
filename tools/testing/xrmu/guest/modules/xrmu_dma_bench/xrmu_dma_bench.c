// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fine-grained streaming-DMA map/unmap benchmark for make bench.
 *
 * The kernel's dma_map_benchmark truncates every sample to 100 ns before
 * summing it, which hides the cost of fast paths (no IOMMU, lazy unmap)
 * entirely.  This driver runs the same loop (kthreads that map and unmap
 * one buffer of @granule pages with dma_map_single(), DMA_BIDIRECTIONAL,
 * 32-bit DMA mask as the tool's default) but sums nanoseconds.
 *
 * Bind a PCI function with driver_override, set the parameters under
 * /sys/module/xrmu_dma_bench/parameters/, then read
 * /sys/kernel/debug/xrmu_dma_bench/run:
 *
 *   dma threads=T granule=G seconds=S loops=L map_ps=M map_sd_ps=D
 *       map_med_ps=A unmap_ps=U unmap_sd_ps=E unmap_med_ps=B clock_ps=C
 *
 * map_ps/unmap_ps are means over all samples in picoseconds (each sample
 * includes one clock read, whose mean cost is clock_ps); *_sd_ps are the
 * standard deviations of the samples; *_med_ps the medians (from a
 * histogram of 4 ns buckets up to 64 us), which a host that deschedules a
 * vCPU for milliseconds now and then does not move.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define HIST_SHIFT	2		/* 4 ns buckets */
#define HIST_N		16384		/* up to 64 us; the last one is open */

static unsigned int threads = 1;
module_param(threads, uint, 0644);
MODULE_PARM_DESC(threads, "benchmark threads (1-16)");
static unsigned int granule = 1;
module_param(granule, uint, 0644);
MODULE_PARM_DESC(granule, "pages per mapping (1-1024)");
static unsigned int seconds = 5;
module_param(seconds, uint, 0644);
MODULE_PARM_DESC(seconds, "duration (1-300)");

static struct pci_dev *bench_pdev;
static DEFINE_MUTEX(bench_lock);	/* bench_pdev, one run at a time */

struct bench_thread {
	struct task_struct *task;
	struct device *dev;
	unsigned int granule;
	int ret;
	u64 loops;
	u64 map_ns, map_sq, unmap_ns, unmap_sq;
	u32 *map_hist, *unmap_hist;
};

static void hist_add(u32 *hist, u64 ns)
{
	hist[min_t(u64, ns >> HIST_SHIFT, HIST_N - 1)]++;
}

/* Median in ps from a histogram of @loops samples (bucket centre). */
static u64 hist_median_ps(const u32 *hist, u64 loops)
{
	u64 acc = 0;
	unsigned int i;

	for (i = 0; i < HIST_N - 1; i++) {
		acc += hist[i];
		if (acc * 2 >= loops)
			break;
	}
	return ((u64)i << HIST_SHIFT) * 1000 + (1000 << HIST_SHIFT) / 2;
}

static int bench_thread_fn(void *data)
{
	struct bench_thread *bt = data;
	size_t size = (size_t)bt->granule * PAGE_SIZE;
	void *buf = alloc_pages_exact(size, GFP_KERNEL);

	if (!buf) {
		bt->ret = -ENOMEM;
		goto wait;
	}
	while (!kthread_should_stop()) {
		dma_addr_t addr;
		u64 t0, t1, t2;

		t0 = ktime_get_ns();
		addr = dma_map_single(bt->dev, buf, size, DMA_BIDIRECTIONAL);
		t1 = ktime_get_ns();
		if (dma_mapping_error(bt->dev, addr)) {
			bt->ret = -ENOMEM;
			break;
		}
		dma_unmap_single(bt->dev, addr, size, DMA_BIDIRECTIONAL);
		t2 = ktime_get_ns();
		bt->map_ns += t1 - t0;
		bt->map_sq += (t1 - t0) * (t1 - t0);
		bt->unmap_ns += t2 - t1;
		bt->unmap_sq += (t2 - t1) * (t2 - t1);
		hist_add(bt->map_hist, t1 - t0);
		hist_add(bt->unmap_hist, t2 - t1);
		bt->loops++;
		cond_resched();
	}
	free_pages_exact(buf, size);
wait:
	/* kthread_stop() must find the thread alive. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Mean cost of one ktime_get_ns() in picoseconds. */
static u64 clock_cost_ps(void)
{
	const unsigned int n = 100000;
	u64 t0 = ktime_get_ns(), t = t0;
	unsigned int i;

	for (i = 0; i < n; i++)
		t = ktime_get_ns();
	return div_u64((t - t0) * 1000, n);
}

static void print_stat(struct seq_file *s, const char *name, u64 sum,
		       u64 sq, u64 loops)
{
	u64 mean_ns = div64_u64(sum, loops);
	u64 var = div64_u64(sq, loops);

	var = var > mean_ns * mean_ns ? var - mean_ns * mean_ns : 0;
	seq_printf(s, " %s_ps=%llu %s_sd_ps=%llu", name,
		   div64_u64(sum * 1000, loops), name,
		   (u64)int_sqrt64(var) * 1000);
}

static int bench_run_show(struct seq_file *s, void *unused)
{
	unsigned int nthr = threads, gran = granule, secs = seconds;
	struct bench_thread *bt;
	u32 *mh = NULL, *uh = NULL;
	u64 loops = 0, mn = 0, msq = 0, un = 0, usq = 0;
	unsigned int i, j;
	int ret = 0;

	if (!nthr || nthr > 16 || !gran || gran > 1024 || !secs || secs > 300)
		return -EINVAL;
	mutex_lock(&bench_lock);
	if (!bench_pdev) {
		ret = -ENODEV;
		goto unlock;
	}
	bt = kcalloc(nthr, sizeof(*bt), GFP_KERNEL);
	if (!bt) {
		ret = -ENOMEM;
		goto unlock;
	}
	mh = vcalloc(HIST_N, sizeof(u32));
	uh = vcalloc(HIST_N, sizeof(u32));
	for (i = 0; i < nthr && mh && uh; i++) {
		bt[i].map_hist = vcalloc(HIST_N, sizeof(u32));
		bt[i].unmap_hist = vcalloc(HIST_N, sizeof(u32));
		if (!bt[i].map_hist || !bt[i].unmap_hist)
			break;
	}
	if (i < nthr) {
		ret = -ENOMEM;
		goto free;
	}
	for (i = 0; i < nthr; i++) {
		bt[i].dev = &bench_pdev->dev;
		bt[i].granule = gran;
		bt[i].task = kthread_create(bench_thread_fn, &bt[i],
					    "xrmu-dma-bench/%u", i);
		if (IS_ERR(bt[i].task)) {
			ret = PTR_ERR(bt[i].task);
			while (i--)
				kthread_stop(bt[i].task);
			goto free;
		}
	}
	for (i = 0; i < nthr; i++)
		wake_up_process(bt[i].task);
	msleep_interruptible(secs * 1000);
	for (i = 0; i < nthr; i++) {
		kthread_stop(bt[i].task);
		if (bt[i].ret)
			ret = bt[i].ret;
		loops += bt[i].loops;
		mn += bt[i].map_ns;
		msq += bt[i].map_sq;
		un += bt[i].unmap_ns;
		usq += bt[i].unmap_sq;
		for (j = 0; j < HIST_N; j++) {
			mh[j] += bt[i].map_hist[j];
			uh[j] += bt[i].unmap_hist[j];
		}
	}
	if (!ret && !loops)
		ret = -EIO;
	if (!ret) {
		seq_printf(s, "dma threads=%u granule=%u seconds=%u loops=%llu",
			   nthr, gran, secs, loops);
		print_stat(s, "map", mn, msq, loops);
		seq_printf(s, " map_med_ps=%llu", hist_median_ps(mh, loops));
		print_stat(s, "unmap", un, usq, loops);
		seq_printf(s, " unmap_med_ps=%llu", hist_median_ps(uh, loops));
		seq_printf(s, " clock_ps=%llu\n", clock_cost_ps());
	}
free:
	for (i = 0; i < nthr; i++) {
		vfree(bt[i].map_hist);
		vfree(bt[i].unmap_hist);
	}
	vfree(mh);
	vfree(uh);
	kfree(bt);
unlock:
	mutex_unlock(&bench_lock);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(bench_run);

static int bench_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret;

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	mutex_lock(&bench_lock);
	if (bench_pdev)
		ret = -EBUSY;
	else
		bench_pdev = pdev;
	mutex_unlock(&bench_lock);
	return ret;
}

static void bench_remove(struct pci_dev *pdev)
{
	mutex_lock(&bench_lock);
	if (bench_pdev == pdev)
		bench_pdev = NULL;
	mutex_unlock(&bench_lock);
}

/* No ID table: devices are bound explicitly through driver_override. */
static struct pci_driver bench_driver = {
	.name = "xrmu_dma_bench",
	.probe = bench_probe,
	.remove = bench_remove,
};

static struct dentry *bench_dir;

static int __init bench_init(void)
{
	int ret = pci_register_driver(&bench_driver);

	if (ret)
		return ret;
	bench_dir = debugfs_create_dir("xrmu_dma_bench", NULL);
	debugfs_create_file("run", 0400, bench_dir, NULL, &bench_run_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	pci_unregister_driver(&bench_driver);
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_DESCRIPTION("xrmu streaming-DMA map/unmap benchmark (ns resolution)");
MODULE_LICENSE("GPL");
