// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_edu: drive QEMU's edu device from user space through VFIO, with
 * either the type1 container/group API or iommufd and the VFIO device
 * cdev, the way a user-space driver or a VMM does it.
 *
 *   vfio_edu test type1|iommufd BDF
 *	Maps buffers at chosen IOVAs (2 MiB-aligned ones included), has
 *	edu's DMA engine copy through them in both directions (checking
 *	every byte), counts edu's MSIs through an eventfd, and DMAs to an
 *	IOVA that was never mapped and to one that was unmapped: both must
 *	leave memory unchanged (the unit blocks and records them; the
 *	caller checks the kernel log for the fault records, whose IOVAs are
 *	printed as "# fault-iova write 0x...").  Prints one "ok - ..." or
 *	"not ok - ..." line per check (VFIO_EDU_CHECKS of them) and exits
 *	non-zero if any failed.
 *
 *   vfio_edu claim type1|iommufd BDF
 *	Only tries to take the device for user space: exits 0 if it could,
 *	2 if the kernel refused because the group is not viable (EPERM or
 *	EBUSY, e.g. another device of the group has a host driver), 1 on
 *	any other error.
 *
 *   vfio_edu replace iommufd BDF
 *	MSIs while the device's domain is replaced: a second thread raises
 *	edu interrupts one at a time (each waited for, up to a second, on
 *	the eventfd) while the main thread moves the device between two
 *	IOASes (two paging domains) NR_REPLACES (20) times with
 *	VFIO_DEVICE_ATTACH_IOMMUFD_PT, and edu DMAs through each after the
 *	switches.  Every raised MSI must be delivered: a switch may block
 *	DMA for a moment, never the device's interrupts.
 *
 *   vfio_edu shared iommufd BDF1 BDF2
 *	Two devices (behind two units) in one IOAS: both must be attached
 *	to one domain (one hwpt), DMA through it, and neither may reach the
 *	buffer after its unmap (the invalidation reached both units).
 *
 *   vfio_edu hwinfo iommufd BDF
 *	Binds the device to iommufd and prints what IOMMU_GET_HW_INFO
 *	returns for it, as one line "hwinfo type=T flags=0x... version=0x...
 *	cap=0x... ecap=0x..." (the xrmu fields, IOMMU_HW_INFO_TYPE_XRMU);
 *	exits 0 if the ioctl succeeded.
 *
 * Needs the device bound to vfio-pci and edu's dma_mask covering the
 * IOVAs used (the harness sets it to all ones).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

/* edu registers (BAR0). */
#define EDU_ID		0x00
#define EDU_LIVE	0x04
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_CMD_IRQ	0x4
#define EDU_DMA_IRQ	0x100
#define EDU_BUF		0x40000
#define EDU_BUF_SIZE	4096

#define SZ_4K		0x1000UL
#define SZ_64K		0x10000UL
#define SZ_2M		0x200000UL

/* The IOVAs used: 2 MiB-aligned low and above 4 GiB, one unaligned. */
#define IOVA_A		0x40000000UL	/* 2 MiB buffer A */
#define IOVA_B		0x12345000UL	/* 64 KiB buffer B */
#define IOVA_C		0x100600000UL	/* 2 MiB buffer C, above 4 GiB */
#define IOVA_NEVER	0x20000000UL	/* never mapped */

#define NR_IRQ_DMAS	4
#define NR_REPLACES	20
#define EDU_IRQ_MANUAL	0x1

enum { MODE_TYPE1, MODE_IOMMUFD };

static int mode;
static int nfail, nchecks;

/* VFIO state */
static int container = -1, group = -1, iommufd = -1, device = -1;
static __u32 ioas_id, dev_id;
static volatile uint8_t *bar;

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int check(int cond, const char *fmt, ...)
{
	va_list ap;

	nchecks++;
	if (!cond)
		nfail++;
	fputs(cond ? "ok - " : "not ok - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static void die(const char *what)
{
	printf("not ok - %s: %s\n", what, strerror(errno));
	printf("# giving up after %d checks\n", nchecks);
	exit(1);
}

/* The number of the device's IOMMU group, or -1. */
static int iommu_group_nr(const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = 0;
	base = strrchr(target, '/');
	return atoi(base ? base + 1 : target);
}

/* The first vfioN entry of /sys/bus/pci/devices/BDF/vfio-dev/. */
static int find_cdev(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int n;

	for (n = 0; n < 64; n++) {
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/vfio-dev/vfio%d/dev", bdf, n);
		f = fopen(path, "r");
		if (!f)
			continue;
		fclose(f);
		snprintf(out, len, "/dev/vfio/devices/vfio%d", n);
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* ---- type1 container/group ---- */

static void type1_print_info(void)
{
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *hdr;
	size_t sz = sizeof(*info);
	__u32 off;

	info = calloc(1, sz);
	if (!info)
		die("calloc");
	info->argsz = sz;
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
		die("VFIO_IOMMU_GET_INFO");
	if (info->argsz > sz) {
		sz = info->argsz;
		info = realloc(info, sz);
		if (!info)
			die("realloc");
		memset(info, 0, sz);
		info->argsz = sz;
		if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
			die("VFIO_IOMMU_GET_INFO");
	}
	diag("type1: iova_pgsizes 0x%llx", (unsigned long long)info->iova_pgsizes);
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS))
		goto out;
	for (off = info->cap_offset; off; off = hdr->next) {
		hdr = (void *)((char *)info + off);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r =
				(void *)hdr;
			__u32 i;

			for (i = 0; i < r->nr_iovas; i++)
				diag("type1: usable iova 0x%llx-0x%llx",
				     (unsigned long long)r->iova_ranges[i].start,
				     (unsigned long long)r->iova_ranges[i].end);
		}
	}
out:
	free(info);
}

/* Returns 0, or the errno of the step that refused the group. */
static int type1_open(const char *bdf, int verbose)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int grp;

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("open /dev/vfio/vfio");
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("VFIO API version");
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		errno = ENOTSUP;
		die("VFIO_TYPE1v2_IOMMU extension");
	}
	grp = iommu_group_nr(bdf);
	if (grp < 0)
		die("iommu_group link");
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	group = open(path, O_RDWR);
	if (group < 0)
		die("open the VFIO group");
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status))
		die("VFIO_GROUP_GET_STATUS");
	diag("type1: group %d flags 0x%x (%s)", grp, status.flags,
	     status.flags & VFIO_GROUP_FLAGS_VIABLE ? "viable" : "not viable");
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		/* The kernel must refuse it as well, not just flag it. */
		if (!ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) {
			diag("type1: SET_CONTAINER accepted a non-viable group");
			return 0;
		}
		diag("type1: VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
		return errno;
	}
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return errno;
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		diag("type1: VFIO_SET_IOMMU: %s", strerror(errno));
		return errno;
	}
	if (verbose) {
		type1_print_info();
		diag("type1: VFIO_DMA_CC_IOMMU (coherency enforced) = %d",
		     ioctl(container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	}
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (device < 0)
		return errno;
	return 0;
}

static int type1_map(void *va, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &m);
}

static int type1_unmap(__u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = iova,
		.size = size,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u))
		return -1;
	if (u.size != size) {
		diag("type1: unmapped 0x%llx bytes, wanted 0x%llx",
		     (unsigned long long)u.size, (unsigned long long)size);
		errno = EIO;
		return -1;
	}
	return 0;
}

/* ---- iommufd + VFIO device cdev ---- */

static void iommufd_print_info(void)
{
	struct iommu_iova_range ranges[16];
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = ioas_id,
		.num_iovas = 16,
		.allowed_iovas = (uintptr_t)ranges,
	};
	struct iommu_hw_info hw = {
		.size = sizeof(hw),
		.dev_id = dev_id,
	};
	__u32 i;

	if (!ioctl(iommufd, IOMMU_GET_HW_INFO, &hw))
		diag("iommufd: hw_info type %u (0 = none) capabilities 0x%llx",
		     hw.out_data_type,
		     (unsigned long long)hw.out_capabilities);
	else
		diag("iommufd: IOMMU_GET_HW_INFO: %s", strerror(errno));
	if (ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &r)) {
		diag("iommufd: IOMMU_IOAS_IOVA_RANGES: %s", strerror(errno));
		return;
	}
	for (i = 0; i < r.num_iovas && i < 16; i++)
		diag("iommufd: usable iova 0x%llx-0x%llx",
		     (unsigned long long)ranges[i].start,
		     (unsigned long long)ranges[i].last);
	diag("iommufd: iova alignment 0x%llx",
	     (unsigned long long)r.out_iova_alignment);
}

static int iommufd_open(const char *bdf, int verbose)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	char cdev[PATH_MAX];

	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("open /dev/iommu");
	if (find_cdev(bdf, cdev, sizeof(cdev)))
		die("no vfio-dev cdev for the device (bound to vfio-pci?)");
	device = open(cdev, O_RDWR);
	if (device < 0)
		die("open the VFIO device cdev");
	bind.iommufd = iommufd;
	if (ioctl(device, VFIO_DEVICE_BIND_IOMMUFD, &bind)) {
		diag("iommufd: VFIO_DEVICE_BIND_IOMMUFD %s: %s", cdev,
		     strerror(errno));
		return errno;
	}
	dev_id = bind.out_devid;
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return errno;
	ioas_id = alloc.out_ioas_id;
	at.pt_id = ioas_id;
	if (ioctl(device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)) {
		diag("iommufd: VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s",
		     strerror(errno));
		return errno;
	}
	diag("iommufd: %s bound, dev_id %u, ioas %u, hwpt %u", cdev, dev_id,
	     ioas_id, at.pt_id);
	if (verbose)
		iommufd_print_info();
	return 0;
}

static int iommufd_map(void *va, __u64 iova, __u64 size)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = size,
		.iova = iova,
	};

	return ioctl(iommufd, IOMMU_IOAS_MAP, &m);
}

static int iommufd_unmap(__u64 iova, __u64 size)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = size,
	};

	if (ioctl(iommufd, IOMMU_IOAS_UNMAP, &u))
		return -1;
	if (u.length != size) {
		diag("iommufd: unmapped 0x%llx bytes, wanted 0x%llx",
		     (unsigned long long)u.length, (unsigned long long)size);
		errno = EIO;
		return -1;
	}
	return 0;
}

static int dma_map(void *va, __u64 iova, __u64 size)
{
	int ret = mode == MODE_TYPE1 ? type1_map(va, iova, size) :
				       iommufd_map(va, iova, size);

	if (ret)
		diag("map 0x%llx+0x%llx: %s", (unsigned long long)iova,
		     (unsigned long long)size, strerror(errno));
	return ret;
}

static int dma_unmap(__u64 iova, __u64 size)
{
	int ret = mode == MODE_TYPE1 ? type1_unmap(iova, size) :
				       iommufd_unmap(iova, size);

	if (ret)
		diag("unmap 0x%llx+0x%llx: %s", (unsigned long long)iova,
		     (unsigned long long)size, strerror(errno));
	return ret;
}

/* ---- the device ---- */

static __u32 rd32(unsigned int off)
{
	return *(volatile __u32 *)(bar + off);
}

static void wr32(unsigned int off, __u32 val)
{
	*(volatile __u32 *)(bar + off) = val;
}

static __u64 rd64(unsigned int off)
{
	return *(volatile __u64 *)(bar + off);
}

static void wr64(unsigned int off, __u64 val)
{
	*(volatile __u64 *)(bar + off) = val;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One edu DMA of @len bytes between @iova and edu's buffer at @boff.
 * Returns 0 once the engine reports completion, -1 on a timeout.
 */
static int edu_dma(__u64 iova, unsigned int boff, unsigned int len,
		   int to_ram, int irq)
{
	double t0 = now();

	if (to_ram) {
		wr64(EDU_DMA_SRC, EDU_BUF + boff);
		wr64(EDU_DMA_DST, iova);
	} else {
		wr64(EDU_DMA_SRC, iova);
		wr64(EDU_DMA_DST, EDU_BUF + boff);
	}
	wr64(EDU_DMA_CNT, len);
	wr64(EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0) |
			  (irq ? EDU_CMD_IRQ : 0));
	while (rd64(EDU_DMA_CMD) & EDU_CMD_RUN) {
		if (now() - t0 > 20) {
			diag("edu DMA 0x%llx %s timed out",
			     (unsigned long long)iova, to_ram ? "<-" : "->");
			return -1;
		}
		usleep(2000);
	}
	return 0;
}

static int setup_bar(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info reg = {
		.argsz = sizeof(reg),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	struct vfio_region_info cfg = {
		.argsz = sizeof(cfg),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	__u16 cmd;
	void *p;

	if (ioctl(device, VFIO_DEVICE_GET_INFO, &info))
		die("VFIO_DEVICE_GET_INFO");
	diag("device: flags 0x%x (pci %d) regions %u irqs %u", info.flags,
	     !!(info.flags & VFIO_DEVICE_FLAGS_PCI), info.num_regions,
	     info.num_irqs);
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		die("VFIO_DEVICE_GET_REGION_INFO BAR0");
	if (!(reg.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		errno = ENOTSUP;
		die("BAR0 not mmappable");
	}
	p = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED, device,
		 reg.offset);
	if (p == MAP_FAILED)
		die("mmap BAR0");
	bar = p;
	/* Memory space and bus mastering on, through the config region. */
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		die("VFIO_DEVICE_GET_REGION_INFO config");
	if (pread(device, &cmd, 2, cfg.offset + 4) != 2)
		die("read PCI_COMMAND");
	cmd |= 0x6;
	if (pwrite(device, &cmd, 2, cfg.offset + 4) != 2)
		die("write PCI_COMMAND");
	return 0;
}

static int setup_msi(void)
{
	struct vfio_irq_info ii = {
		.argsz = sizeof(ii),
		.index = VFIO_PCI_MSI_IRQ_INDEX,
	};
	char buf[sizeof(struct vfio_irq_set) + sizeof(__s32)];
	struct vfio_irq_set *set = (void *)buf;
	__s32 efd;

	if (ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &ii))
		die("VFIO_DEVICE_GET_IRQ_INFO MSI");
	diag("MSI index: count %u flags 0x%x", ii.count, ii.flags);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0)
		die("eventfd");
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &efd, sizeof(efd));
	if (ioctl(device, VFIO_DEVICE_SET_IRQS, set)) {
		diag("VFIO_DEVICE_SET_IRQS MSI: %s", strerror(errno));
		close(efd);
		return -1;
	}
	return efd;
}

/* Wait up to @ms for the eventfd; returns the count read (0 if none). */
static __u64 wait_irq(int efd, int ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	__u64 v = 0;

	if (poll(&pfd, 1, ms) == 1 && read(efd, &v, sizeof(v)) != sizeof(v))
		v = 0;
	return v;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

static __u64 csum(const uint8_t *p, size_t len)
{
	__u64 h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* A 2 MiB-aligned anonymous buffer of @size bytes. */
static uint8_t *alloc_aligned(size_t size)
{
	uint8_t *p = mmap(NULL, size + SZ_2M, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap buffer");
	a = ((uintptr_t)p + SZ_2M - 1) & ~(SZ_2M - 1);
	memset((void *)a, 0, size);
	return (uint8_t *)a;
}

static int open_mode(const char *bdf, int verbose)
{
	return mode == MODE_TYPE1 ? type1_open(bdf, verbose) :
				    iommufd_open(bdf, verbose);
}

static int do_claim(const char *bdf)
{
	int err = open_mode(bdf, 0);

	if (!err) {
		printf("# %s: device %s claimed\n",
		       mode == MODE_TYPE1 ? "type1" : "iommufd", bdf);
		return 0;
	}
	printf("# %s: device %s refused: %s\n",
	       mode == MODE_TYPE1 ? "type1" : "iommufd", bdf, strerror(err));
	return err == EPERM || err == EBUSY ? 2 : 1;
}

static int do_test(const char *bdf)
{
	uint8_t *a, *b, *c, *pat;
	__u64 ca, cb, cc, v;
	int efd, err, ok, i, irqs;

	err = open_mode(bdf, 1);
	if (!check(!err, "device %s assigned to user space (%s)", bdf,
		   err ? strerror(err) : "no unsafe options"))
		return 1;
	setup_bar();
	check(rd32(EDU_ID) == 0x010000ed, "edu ID 0x%08x through the mmapped BAR",
	      rd32(EDU_ID));
	wr32(EDU_LIVE, 0x5a5aa5a5);
	check(rd32(EDU_LIVE) == ~0x5a5aa5a5U, "edu liveness register inverts");

	a = alloc_aligned(SZ_2M);
	b = alloc_aligned(SZ_64K);
	c = alloc_aligned(SZ_2M);
	pat = malloc(EDU_BUF_SIZE);
	if (!pat)
		die("malloc");
	ok = !dma_map(a, IOVA_A, SZ_2M) && !dma_map(b, IOVA_B, SZ_64K) &&
	     !dma_map(c, IOVA_C, SZ_2M);
	check(ok, "map 2 MiB at 0x%lx, 64 KiB at 0x%lx, 2 MiB at 0x%lx",
	      IOVA_A, IOVA_B, IOVA_C);
	if (!ok)
		return 1;
	/* The MSI window is the unit's: mapping over it must fail. */
	check(dma_map(b, 0xfee00000UL, SZ_4K) != 0,
	      "mapping the MSI window 0xfee00000 is refused");

	/* RAM -> edu -> RAM through every mapping, both directions. */
	ok = 1;
	fill(a, SZ_4K, 1);
	ok &= !edu_dma(IOVA_A, 0, EDU_BUF_SIZE, 0, 0);
	ok &= !edu_dma(IOVA_B + 0x3000, 0, EDU_BUF_SIZE, 1, 0);
	ok &= !memcmp(a, b + 0x3000, EDU_BUF_SIZE);
	check(ok, "edu DMA 0x%lx -> edu -> 0x%lx: 4096 bytes match",
	      IOVA_A, IOVA_B + 0x3000);

	ok = 1;
	fill(b + 0x8000, SZ_4K, 2);
	ok &= !edu_dma(IOVA_B + 0x8000, 0, EDU_BUF_SIZE, 0, 0);
	ok &= !edu_dma(IOVA_A + SZ_2M - SZ_4K, 0, EDU_BUF_SIZE, 1, 0);
	ok &= !edu_dma(IOVA_C + SZ_2M - SZ_4K, 0, EDU_BUF_SIZE, 1, 0);
	ok &= !memcmp(b + 0x8000, a + SZ_2M - SZ_4K, EDU_BUF_SIZE);
	ok &= !memcmp(b + 0x8000, c + SZ_2M - SZ_4K, EDU_BUF_SIZE);
	check(ok, "edu DMA 0x%lx -> edu -> 0x%lx and 0x%lx (ends of the 2 MiB buffers): bytes match",
	      IOVA_B + 0x8000, IOVA_A + SZ_2M - SZ_4K,
	      IOVA_C + SZ_2M - SZ_4K);

	/* Sub-page offsets and an odd length, inside edu's buffer too. */
	ok = 1;
	fill(c + 0x1234, 1000, 3);
	memset(a + 0x5000, 0xee, SZ_4K);
	ok &= !edu_dma(IOVA_C + 0x1234, 0x100, 1000, 0, 0);
	ok &= !edu_dma(IOVA_A + 0x5010, 0x100, 1000, 1, 0);
	ok &= !memcmp(c + 0x1234, a + 0x5010, 1000);
	for (i = 0; i < 0x10; i++)
		ok &= a[0x5000 + i] == 0xee;
	for (i = 0x10 + 1000; i < (int)SZ_4K; i++)
		ok &= a[0x5000 + i] == 0xee;
	check(ok, "unaligned 1000-byte DMA 0x%lx -> 0x%lx: bytes match, neighbours untouched",
	      IOVA_C + 0x1234, IOVA_A + 0x5010);

	/* MSI through VFIO_DEVICE_SET_IRQS and an eventfd. */
	efd = setup_msi();
	check(efd >= 0, "edu MSI routed to an eventfd (VFIO_DEVICE_SET_IRQS)");
	irqs = 0;
	ok = 1;
	for (i = 0; efd >= 0 && i < NR_IRQ_DMAS; i++) {
		fill(pat, EDU_BUF_SIZE, 10 + i);
		memcpy(a + 0x10000, pat, EDU_BUF_SIZE);
		if (i & 1)
			ok &= !edu_dma(IOVA_A + 0x10000, 0, EDU_BUF_SIZE, 0, 1);
		else
			ok &= !edu_dma(IOVA_B, 0, EDU_BUF_SIZE, 1, 1);
		v = wait_irq(efd, 5000);
		irqs += (int)v;
		if (rd32(EDU_IRQ_STATUS) & EDU_DMA_IRQ)
			wr32(EDU_IRQ_ACK, EDU_DMA_IRQ);
	}
	/* Two DMAs without the IRQ bit: no interrupt may follow. */
	ok &= !edu_dma(IOVA_A, 0, 64, 0, 0);
	ok &= !edu_dma(IOVA_B, 0, 64, 1, 0);
	if (efd >= 0)
		irqs += (int)wait_irq(efd, 500);
	check(ok && irqs == NR_IRQ_DMAS,
	      "eventfd counted %d MSIs for %d DMAs with the IRQ bit (and 2 without)",
	      irqs, NR_IRQ_DMAS);

	/* A write to an IOVA that was never mapped. */
	fill(pat, EDU_BUF_SIZE, 42);
	memcpy(a, pat, EDU_BUF_SIZE);
	ok = !edu_dma(IOVA_A, 0, EDU_BUF_SIZE, 0, 0);
	ca = csum(a, SZ_2M);
	cb = csum(b, SZ_64K);
	cc = csum(c, SZ_2M);
	printf("# fault-iova write 0x%lx\n", IOVA_NEVER);
	ok &= !edu_dma(IOVA_NEVER, 0, EDU_BUF_SIZE, 1, 0);
	check(ok && ca == csum(a, SZ_2M) && cb == csum(b, SZ_64K) &&
	      cc == csum(c, SZ_2M),
	      "DMA to never-mapped 0x%lx: all buffers unchanged", IOVA_NEVER);

	/* A write to B after B was unmapped. */
	ok = !dma_unmap(IOVA_B, SZ_64K);
	check(ok, "unmap 64 KiB at 0x%lx", IOVA_B);
	memset(b, 0x5c, SZ_64K);
	cb = csum(b, SZ_64K);
	ca = csum(a, SZ_2M);
	printf("# fault-iova write 0x%lx\n", IOVA_B + 0x2000);
	ok = !edu_dma(IOVA_B + 0x2000, 0, EDU_BUF_SIZE, 1, 0);
	check(ok && cb == csum(b, SZ_64K) && ca == csum(a, SZ_2M),
	      "DMA to 0x%lx after its unmap: memory unchanged",
	      IOVA_B + 0x2000);

	/* The device still works through the remaining mappings. */
	memset(c, 0, SZ_4K);
	ok = !edu_dma(IOVA_C, 0, EDU_BUF_SIZE, 1, 0);
	ok &= !memcmp(c, pat, EDU_BUF_SIZE);
	check(ok, "after the faults: edu -> 0x%lx still matches", IOVA_C);

	ok = !dma_unmap(IOVA_A, SZ_2M) && !dma_unmap(IOVA_C, SZ_2M);
	check(ok, "unmap the 2 MiB buffers");
	if (efd >= 0)
		close(efd);
	munmap((void *)bar, 0x100000);
	close(device);
	if (group >= 0)
		close(group);
	if (container >= 0)
		close(container);
	if (iommufd >= 0)
		close(iommufd);
	printf("# %d checks, %d failed\n", nchecks, nfail);
	return nfail ? 1 : 0;
}

/* Raises edu interrupts one by one until told to stop ("replace"). */
struct raiser {
	int efd;
	volatile int stop;
	unsigned int raised, delivered;
};

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *raise_loop(void *arg)
{
	struct raiser *r = arg;

	pin_cpu(1);
	while (!r->stop) {
		wr32(EDU_IRQ_RAISE, EDU_IRQ_MANUAL);
		r->raised++;
		r->delivered += (unsigned int)wait_irq(r->efd, 1000);
		wr32(EDU_IRQ_ACK, EDU_IRQ_MANUAL);
	}
	return NULL;
}

static int attach_pt(__u32 *pt)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at),
		.pt_id = *pt,
	};

	if (ioctl(device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		return -1;
	*pt = at.pt_id;
	return 0;
}

/* edu copies 4 KiB from IOVA_B + @from to IOVA_B + @to; 1 if bytes match. */
static int edu_copy(uint8_t *b, unsigned int from, unsigned int to,
		    unsigned int seed)
{
	fill(b + from, EDU_BUF_SIZE, seed);
	memset(b + to, 0, EDU_BUF_SIZE);
	return !edu_dma(IOVA_B + from, 0, EDU_BUF_SIZE, 0, 0) &&
	       !edu_dma(IOVA_B + to, 0, EDU_BUF_SIZE, 1, 0) &&
	       !memcmp(b + from, b + to, EDU_BUF_SIZE);
}

static int do_replace(const char *bdf)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct raiser r = { 0 };
	__u32 ioas[2], hwpt[2] = { 0, 0 }, pt;
	int i, ok, dma_ok = 1, att_ok = 1;
	pthread_t thr;
	double t0;
	uint8_t *b;

	if (!check(!iommufd_open(bdf, 0), "device %s bound to iommufd", bdf))
		return 1;
	ioas[0] = ioas_id;
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		die("IOMMU_IOAS_ALLOC");
	ioas[1] = alloc.out_ioas_id;
	setup_bar();
	b = alloc_aligned(SZ_64K);
	ok = 1;
	for (i = 0; i < 2; i++) {
		ioas_id = ioas[i];
		ok &= !iommufd_map(b, IOVA_B, SZ_64K);
	}
	check(ok, "64 KiB mapped at 0x%lx in IOAS %u and IOAS %u", IOVA_B,
	      ioas[0], ioas[1]);
	r.efd = setup_msi();
	if (!check(r.efd >= 0, "edu MSI routed to an eventfd"))
		return 1;

	pin_cpu(0);
	if (pthread_create(&thr, NULL, raise_loop, &r))
		die("pthread_create");
	t0 = now();
	for (i = 0; i < NR_REPLACES; i++) {
		pt = ioas[(i + 1) & 1];
		if (attach_pt(&pt)) {
			diag("replace %d to IOAS %u: %s", i, ioas[(i + 1) & 1],
			     strerror(errno));
			att_ok = 0;
			continue;
		}
		hwpt[(i + 1) & 1] = pt;
		usleep(5000);
		if (i % 5 == 4)
			dma_ok &= edu_copy(b, 0x1000 * (i % 8),
					   0x8000 + 0x1000 * (i % 4), i);
	}
	r.stop = 1;
	pthread_join(thr, NULL);
	diag("%d replaces in %.2f s, %u MSIs raised meanwhile", NR_REPLACES,
	     now() - t0, r.raised);
	check(att_ok && hwpt[0] && hwpt[1] && hwpt[0] != hwpt[1],
	      "%d replaces between IOAS %u and %u (domains %u and %u)",
	      NR_REPLACES, ioas[0], ioas[1], hwpt[0], hwpt[1]);
	check(dma_ok, "edu DMA through the domain in place after every 5th replace: bytes match");
	check(r.raised >= NR_REPLACES && r.delivered == r.raised,
	      "every MSI raised during the replaces was delivered (%u of %u)",
	      r.delivered, r.raised);
	printf("# %d checks, %d failed\n", nchecks, nfail);
	return nfail ? 1 : 0;
}

static int do_shared(const char *bdf1, const char *bdf2)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	const char *bdfs[2] = { bdf1, bdf2 };
	volatile uint8_t *bars[2];
	char cdev[PATH_MAX];
	int devs[2], i, ok;
	__u32 hwpt[2];
	uint8_t *b;
	__u64 cb;

	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("open /dev/iommu");
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		die("IOMMU_IOAS_ALLOC");
	ioas_id = alloc.out_ioas_id;
	for (i = 0; i < 2; i++) {
		struct vfio_device_bind_iommufd bind = {
			.argsz = sizeof(bind),
			.iommufd = iommufd,
		};

		hwpt[i] = ioas_id;
		if (find_cdev(bdfs[i], cdev, sizeof(cdev)))
			die("no vfio-dev cdev for a device (bound to vfio-pci?)");
		device = open(cdev, O_RDWR);
		if (device < 0)
			die("open the VFIO device cdev");
		ok = !ioctl(device, VFIO_DEVICE_BIND_IOMMUFD, &bind) &&
		     !attach_pt(&hwpt[i]);
		check(ok, "%s bound to iommufd and attached to IOAS %u (hwpt %u)",
		      bdfs[i], ioas_id, hwpt[i]);
		if (!ok)
			return 1;
		setup_bar();
		devs[i] = device;
		bars[i] = bar;
	}
	check(hwpt[0] == hwpt[1], "both devices share one domain (hwpt %u and %u)",
	      hwpt[0], hwpt[1]);
	b = alloc_aligned(SZ_64K);
	check(!iommufd_map(b, IOVA_B, SZ_64K), "64 KiB mapped at 0x%lx", IOVA_B);
	for (i = 0; i < 2; i++) {
		device = devs[i];
		bar = bars[i];
		check(edu_copy(b, 0x1000 * i, 0x8000 + 0x1000 * i, 50 + i),
		      "%s: edu DMA through the shared domain: bytes match",
		      bdfs[i]);
	}
	check(!iommufd_unmap(IOVA_B, SZ_64K), "64 KiB unmapped");
	for (i = 0; i < 2; i++) {
		device = devs[i];
		bar = bars[i];
		memset(b, 0x5c, SZ_64K);
		cb = csum(b, SZ_64K);
		printf("# fault-iova write 0x%lx\n", IOVA_B + 0x2000);
		ok = !edu_dma(IOVA_B + 0x2000, 0, EDU_BUF_SIZE, 1, 0);
		check(ok && cb == csum(b, SZ_64K),
		      "%s: DMA to 0x%lx after the unmap: memory unchanged",
		      bdfs[i], IOVA_B + 0x2000);
	}
	printf("# %d checks, %d failed\n", nchecks, nfail);
	return nfail ? 1 : 0;
}

static int do_hwinfo(const char *bdf)
{
	struct iommu_hw_info_xrmu x;
	struct iommu_hw_info hw = {
		.size = sizeof(hw),
		.data_len = sizeof(x),
		.data_uptr = (uintptr_t)&x,
	};
	int ret;

	memset(&x, 0xa5, sizeof(x));	/* the kernel must fill all of it */
	ret = iommufd_open(bdf, 0);
	if (ret)
		return 1;
	hw.dev_id = dev_id;
	if (ioctl(iommufd, IOMMU_GET_HW_INFO, &hw)) {
		diag("IOMMU_GET_HW_INFO: %s", strerror(errno));
		return 1;
	}
	printf("hwinfo type=%u len=%u flags=0x%x version=0x%08x cap=0x%016llx ecap=0x%016llx\n",
	       hw.out_data_type, hw.data_len, x.flags, x.version,
	       (unsigned long long)x.cap, (unsigned long long)x.ecap);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "shared") &&
	    !strcmp(argv[2], "iommufd")) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		mode = MODE_IOMMUFD;
		return do_shared(argv[3], argv[4]);
	}
	if (argc != 4)
		goto usage;
	if (!strcmp(argv[2], "type1"))
		mode = MODE_TYPE1;
	else if (!strcmp(argv[2], "iommufd"))
		mode = MODE_IOMMUFD;
	else
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "test"))
		return do_test(argv[3]);
	if (!strcmp(argv[1], "claim"))
		return do_claim(argv[3]);
	if (!strcmp(argv[1], "hwinfo") && mode == MODE_IOMMUFD)
		return do_hwinfo(argv[3]);
	if (!strcmp(argv[1], "replace") && mode == MODE_IOMMUFD)
		return do_replace(argv[3]);
usage:
	fprintf(stderr,
		"usage: vfio_edu test|claim type1|iommufd BDF\n"
		"       vfio_edu hwinfo|replace iommufd BDF\n"
		"       vfio_edu shared iommufd BDF1 BDF2\n");
	return 1;
}
