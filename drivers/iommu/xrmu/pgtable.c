// SPDX-License-Identifier: GPL-2.0-only
/*
 * xrmu I/O page tables: a radix tree of 4 KiB tables of 512 entries; level 1
 * maps 4 KiB pages, level 2 may hold 2 MiB leaves and level 3 1 GiB leaves.
 *
 * Concurrency: map, unmap and iova_to_phys run without a lock.  The IOMMU
 * API forbids concurrent calls on overlapping IOVA ranges, so the only state
 * shared by legal concurrent callers is the set of intermediate tables on
 * the path to their (disjoint) ranges.  Such tables are only ever installed
 * with cmpxchg64() on an empty entry (the loser frees its unpublished page),
 * and a table is only ever removed by an operation whose range covers the
 * table's whole span, which no legal concurrent caller can touch.  Leaf
 * entries belong to exactly one caller and are written with WRITE_ONCE().
 * A lock would serialise all DMA mappings of a domain for no benefit.
 *
 * Table pages removed from a live table are not freed here: they go on the
 * gather's freelist and are released by the owner only after the IOTLB
 * invalidation covering them has completed.
 */

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/mm.h>

#include "../iommu-pages.h"
#include "xrmu.h"

static inline unsigned int xrmu_lvl_shift(unsigned int lvl)
{
	return PAGE_SHIFT + 9 * (lvl - 1);
}

static inline unsigned long xrmu_lvl_size(unsigned int lvl)
{
	return 1UL << xrmu_lvl_shift(lvl);
}

static inline unsigned int xrmu_lvl_idx(unsigned long iova, unsigned int lvl)
{
	return (iova >> xrmu_lvl_shift(lvl)) & (XRMU_PT_ENTRIES - 1);
}

static inline u64 *xrmu_pte_to_table(u64 pte)
{
	return phys_to_virt(pte & XRMU_PTE_ADDR);
}

static inline bool xrmu_pte_is_table(u64 pte)
{
	return (pte & XRMU_PTE_V) && !(pte & XRMU_PTE_LEAF);
}

static int xrmu_pgsize_to_level(unsigned long pgsize)
{
	switch (pgsize) {
	case SZ_4K:
		return 1;
	case SZ_2M:
		return 2;
	case SZ_1G:
		return 3;
	default:
		return -EINVAL;
	}
}

static u64 *xrmu_pt_alloc_table(struct xrmu_pgtable *pgt, gfp_t gfp)
{
	u64 *table = iommu_alloc_pages_node_sz(pgt->nid, gfp, SZ_4K);

	if (!table)
		return NULL;
	if (pgt->paw < 64 && (virt_to_phys(table) >> pgt->paw)) {
		/* The unit cannot reach this page. */
		iommu_free_pages(table);
		return NULL;
	}
	atomic_inc(&pgt->nr_tables);
	return table;
}

/* Free a table that was never visible to the hardware. */
static void xrmu_pt_free_table_now(struct xrmu_pgtable *pgt, u64 *table)
{
	atomic_dec(&pgt->nr_tables);
	iommu_free_pages(table);
}

/* Move @table and all tables below it (it is at level @lvl) to @list. */
static void xrmu_pt_collect(struct xrmu_pgtable *pgt, u64 *table,
			    unsigned int lvl,
			    struct iommu_pages_list *list)
{
	unsigned int i;

	if (lvl > 1) {
		for (i = 0; i < XRMU_PT_ENTRIES; i++) {
			u64 pte = READ_ONCE(table[i]);

			if (xrmu_pte_is_table(pte))
				xrmu_pt_collect(pgt, xrmu_pte_to_table(pte),
						lvl - 1, list);
		}
	}
	atomic_dec(&pgt->nr_tables);
	iommu_pages_list_add(list, table);
}

/* True if no leaf is reachable from @table (at level @lvl). */
static bool xrmu_pt_subtree_empty(u64 *table, unsigned int lvl)
{
	unsigned int i;

	for (i = 0; i < XRMU_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (!(pte & XRMU_PTE_V))
			continue;
		if (lvl == 1 || (pte & XRMU_PTE_LEAF))
			return false;
		if (!xrmu_pt_subtree_empty(xrmu_pte_to_table(pte), lvl - 1))
			return false;
	}
	return true;
}

/**
 * xrmu_pgtable_init() - set up an empty page table
 * @pgt: the page table
 * @levels: 3, 4 or 5
 * @pgsize_bitmap: allowed leaf sizes; SZ_4K is mandatory
 * @paw: physical address width of the unit
 * @nid: NUMA node for table pages
 * @ops: owner callbacks
 *
 * Return: 0 or -errno.
 */
int xrmu_pgtable_init(struct xrmu_pgtable *pgt, unsigned int levels,
		      unsigned long pgsize_bitmap, unsigned int paw, int nid,
		      const struct xrmu_pgtable_ops *ops)
{
	if (levels < 3 || levels > XRMU_PT_MAX_LEVELS ||
	    !(pgsize_bitmap & SZ_4K) ||
	    (pgsize_bitmap & ~(unsigned long)(SZ_4K | SZ_2M | SZ_1G)))
		return -EINVAL;

	pgt->levels = levels;
	pgt->pgsize_bitmap = pgsize_bitmap;
	pgt->paw = paw;
	pgt->nid = nid;
	pgt->ops = ops;
	atomic_set(&pgt->nr_tables, 0);
	pgt->root = xrmu_pt_alloc_table(pgt, GFP_KERNEL);
	return pgt->root ? 0 : -ENOMEM;
}

/**
 * xrmu_pgtable_destroy() - free every table page
 * @pgt: the page table, no longer reachable by the hardware and with its
 *	translations invalidated
 */
void xrmu_pgtable_destroy(struct xrmu_pgtable *pgt)
{
	struct iommu_pages_list list = IOMMU_PAGES_LIST_INIT(list);

	if (!pgt->root)
		return;
	xrmu_pt_collect(pgt, pgt->root, pgt->levels, &list);
	iommu_put_pages_list(&list);
	pgt->root = NULL;
}

/*
 * Return the entry at level @lvl for @iova, installing missing tables on
 * the way, or an ERR_PTR.
 */
static u64 *xrmu_pt_walk_alloc(struct xrmu_pgtable *pgt, unsigned long iova,
			       unsigned int target, gfp_t gfp)
{
	u64 *table = pgt->root;
	unsigned int lvl;

	for (lvl = pgt->levels; lvl > target; lvl--) {
		u64 *ptep = &table[xrmu_lvl_idx(iova, lvl)];
		u64 pte = READ_ONCE(*ptep);

		if (!pte) {
			u64 *new = xrmu_pt_alloc_table(pgt, gfp);
			u64 newpte, old;

			if (!new)
				return ERR_PTR(-ENOMEM);
			/* Full barrier: the zeroed page is visible first. */
			newpte = xrmu_pte_table(virt_to_phys(new));
			old = cmpxchg64(ptep, 0ULL, newpte);
			if (old) {
				xrmu_pt_free_table_now(pgt, new);
				pte = old;
			} else {
				pte = newpte;
			}
		}
		if (!xrmu_pte_is_table(pte))
			return ERR_PTR(-EEXIST);	/* inside a large leaf */
		table = xrmu_pte_to_table(pte);
	}
	return &table[xrmu_lvl_idx(iova, target)];
}

/*
 * A map of a large leaf found a table where the leaf goes.  If nothing is
 * mapped below it (its pages were unmapped at a smaller granularity),
 * replace it by the leaf, invalidate its span and free it.
 */
static int xrmu_pt_replace_empty(struct xrmu_pgtable *pgt, u64 *ptep, u64 old,
				 u64 leaf, unsigned long iova,
				 unsigned int lvl)
{
	struct iommu_pages_list list = IOMMU_PAGES_LIST_INIT(list);

	if (!xrmu_pte_is_table(old) ||
	    !xrmu_pt_subtree_empty(xrmu_pte_to_table(old), lvl - 1))
		return -EEXIST;
	if (cmpxchg64(ptep, old, leaf) != old)
		return -EEXIST;
	pgt->ops->flush_sync(pgt, iova, xrmu_lvl_size(lvl));
	xrmu_pt_collect(pgt, xrmu_pte_to_table(old), lvl - 1, &list);
	iommu_put_pages_list(&list);
	return 0;
}

/**
 * xrmu_pgtable_map() - map @pgcount pages of @pgsize
 * @pgt: the page table
 * @iova: first IOVA, aligned to @pgsize
 * @paddr: first physical address, aligned to @pgsize
 * @pgsize: one of the sizes of @pgt->pgsize_bitmap
 * @pgcount: number of pages
 * @prot: IOMMU_READ / IOMMU_WRITE
 * @gfp: allocation flags for table pages
 * @mapped: incremented by the number of bytes mapped
 *
 * Return: 0, -EINVAL for a bad request, -EEXIST if something is mapped
 * there already, -ENOMEM.
 */
int xrmu_pgtable_map(struct xrmu_pgtable *pgt, unsigned long iova,
		     phys_addr_t paddr, size_t pgsize, size_t pgcount,
		     int prot, gfp_t gfp, size_t *mapped)
{
	unsigned int width = xrmu_lvl_shift(pgt->levels) + 9;
	int lvl = xrmu_pgsize_to_level(pgsize);
	size_t done = 0;
	u64 size, attr;
	int ret = 0;

	if (lvl < 0 || !(pgt->pgsize_bitmap & pgsize) || !pgcount ||
	    !IS_ALIGNED(iova | paddr, pgsize))
		return -EINVAL;
	size = (u64)pgsize * pgcount;
	if (width < BITS_PER_LONG &&
	    (iova >> width || (iova + size - 1) >> width))
		return -EINVAL;
	if (iova + size - 1 < iova)
		return -EINVAL;
	if (pgt->paw < 64 && ((paddr + size - 1) >> pgt->paw))
		return -EINVAL;

	/* The leaf attributes are the same for every page of the request. */
	attr = xrmu_pte_leaf(0, prot);
	while (pgcount) {
		u64 *ptep = xrmu_pt_walk_alloc(pgt, iova, lvl, gfp);
		unsigned int n, i;

		if (IS_ERR(ptep)) {
			ret = PTR_ERR(ptep);
			break;
		}
		n = min_t(size_t, pgcount,
			  XRMU_PT_ENTRIES - xrmu_lvl_idx(iova, lvl));
		for (i = 0; i < n; i++) {
			u64 leaf = attr | (paddr & XRMU_PTE_ADDR);
			u64 old = READ_ONCE(ptep[i]);

			if (unlikely(old)) {
				ret = xrmu_pt_replace_empty(pgt, &ptep[i], old,
							    leaf, iova, lvl);
				if (ret)
					goto out;
			} else {
				WRITE_ONCE(ptep[i], leaf);
			}
			iova += pgsize;
			paddr += pgsize;
			done += pgsize;
		}
		pgcount -= n;
	}
out:
	/* Counted once: @mapped is not in a register across the stores. */
	*mapped += done;
	return ret;
}

/**
 * xrmu_pgtable_unmap() - unmap @pgcount pages of @pgsize
 * @pgt: the page table
 * @iova: first IOVA
 * @pgsize: page size of the request
 * @pgcount: number of pages
 * @gather: collects the ranges to invalidate and the freed table pages
 *
 * Semantics (same as the AMD and Intel drivers): a leaf is always removed
 * whole, so a request that starts inside or ends inside a large leaf
 * unmaps all of that leaf, counted from @iova (or from the leaf's start)
 * to the leaf's end, so that @iova plus the result is where the next
 * mapping may start, as the core's __iommu_unmap() assumes.  A table
 * whose whole span lies inside the request is unlinked in one step and
 * its pages (with every table below it) are queued on @gather->freelist;
 * its full span is counted.  Unmapping stops at the first hole.
 *
 * Return: the number of bytes unmapped from @iova on (0 if nothing is
 * mapped at @iova).
 */
size_t xrmu_pgtable_unmap(struct xrmu_pgtable *pgt, unsigned long iova,
			  size_t pgsize, size_t pgcount,
			  struct iommu_iotlb_gather *gather)
{
	size_t size = pgsize * pgcount, unmapped = 0;
	unsigned long cur = iova;

	while (unmapped < size) {
		u64 *table = pgt->root;
		unsigned long lsize = 0;
		unsigned int lvl;

		for (lvl = pgt->levels; lvl >= 1; lvl--) {
			u64 *ptep = &table[xrmu_lvl_idx(cur, lvl)];
			u64 pte = READ_ONCE(*ptep);
			unsigned long base;

			lsize = xrmu_lvl_size(lvl);
			base = cur & ~(lsize - 1);
			if (!(pte & XRMU_PTE_V))
				return unmapped;
			if (pte & XRMU_PTE_LEAF) {
				unsigned int i = xrmu_lvl_idx(cur, lvl);
				unsigned long start = base;

				/*
				 * Clear the following leaves of this table
				 * too (a multi-page unmap walks once per
				 * table, not once per page) and record them
				 * as one range.
				 */
				do {
					WRITE_ONCE(table[i], 0);
					unmapped += base + lsize - cur;
					cur = base + lsize;
					base = cur;
					if (++i == XRMU_PT_ENTRIES ||
					    unmapped >= size)
						break;
					pte = READ_ONCE(table[i]);
				} while ((pte & XRMU_PTE_V) &&
					 (pte & XRMU_PTE_LEAF));
				pgt->ops->gather_add(pgt, gather, start,
						     cur - start);
				break;
			}
			if (base == cur && size - unmapped >= lsize) {
				WRITE_ONCE(*ptep, 0);
				pgt->ops->gather_add(pgt, gather, base, lsize);
				xrmu_pt_collect(pgt, xrmu_pte_to_table(pte),
						lvl - 1, &gather->freelist);
				unmapped += lsize;
				cur += lsize;
				break;
			}
			table = xrmu_pte_to_table(pte);
		}
		if (!cur)	/* wrapped at the top of the address space */
			break;
	}
	return unmapped;
}

/**
 * xrmu_pgtable_iova_to_phys() - look up a translation
 * @pgt: the page table
 * @iova: the address
 *
 * Return: the physical address, or 0 if @iova is not mapped.
 */
phys_addr_t xrmu_pgtable_iova_to_phys(struct xrmu_pgtable *pgt,
				      unsigned long iova)
{
	u64 *table = pgt->root;
	unsigned int lvl;

	if (xrmu_lvl_shift(pgt->levels) + 9 < BITS_PER_LONG &&
	    iova >> (xrmu_lvl_shift(pgt->levels) + 9))
		return 0;

	for (lvl = pgt->levels; lvl >= 1; lvl--) {
		u64 pte = READ_ONCE(table[xrmu_lvl_idx(iova, lvl)]);

		if (!(pte & XRMU_PTE_V))
			return 0;
		if (pte & XRMU_PTE_LEAF)
			return (pte & XRMU_PTE_ADDR) |
			       (iova & (xrmu_lvl_size(lvl) - 1));
		table = xrmu_pte_to_table(pte);
	}
	return 0;
}
