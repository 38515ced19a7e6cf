// SPDX-License-Identifier: GPL-2.0
/*
 * mmio-probe: what one register read costs the guest.
 *
 *   mmio-probe PCI-SYSFS-DIR OFFSET COUNT
 *
 * Maps BAR 0 of the PCI function (sysfs resource0) and times COUNT 32-bit
 * reads of the register at OFFSET, then COUNT reads of a word of ordinary
 * memory, and prints both in ns per read.  Under TCG every MMIO access
 * leaves the generated code and goes through QEMU's memory dispatch; the
 * difference of the two is that cost.  Pick a register without read side
 * effects.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double time_reads(volatile uint32_t *p, unsigned long count,
			 uint32_t *sum)
{
	double t0 = now_ns();
	uint32_t s = 0;
	unsigned long i;

	for (i = 0; i < count; i++)
		s += *p;
	*sum += s;
	return (now_ns() - t0) / count;
}

int main(int argc, char **argv)
{
	static volatile uint32_t word = 1;
	unsigned long off, count;
	char path[512];
	uint32_t sum = 0;
	double mmio, mem;
	void *bar;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s PCI-SYSFS-DIR OFFSET COUNT\n", argv[0]);
		return 2;
	}
	off = strtoul(argv[2], NULL, 0);
	count = strtoul(argv[3], NULL, 0);
	if (off & 3 || off >= 4096 || !count) {
		fprintf(stderr, "bad offset or count\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/resource0", argv[1]);
	fd = open(path, O_RDONLY | O_SYNC);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	bar = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	mmio = time_reads((volatile uint32_t *)((char *)bar + off), count, &sum);
	mem = time_reads(&word, count, &sum);
	printf("mmio-probe reg=0x%lx reads=%lu mmio_ns=%.1f mem_ns=%.1f (sum %u)\n",
	       off, count, mmio, mem, sum);
	return 0;
}
