// SPDX-License-Identifier: GPL-2.0
/*
 * pcimem: read or write a PCI BAR register from the guest through the
 * device's sysfs resource file (mmap), for harness and model tests.
 *
 *   pcimem RESOURCE_FILE OFFSET r32|r64          prints 0x%08x / 0x%016llx
 *   pcimem RESOURCE_FILE OFFSET w32|w64 VALUE
 *
 * RESOURCE_FILE is e.g. /sys/bus/pci/devices/0000:00:03.0/resource0.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: pcimem RESOURCE OFFSET r32|r64|w32|w64 [VALUE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long off, val = 0;
	volatile uint8_t *bar;
	struct stat st;
	int fd, wr;
	char *end;

	if (argc < 4)
		usage();
	off = strtoull(argv[2], &end, 0);
	if (*end)
		usage();
	wr = argv[3][0] == 'w';
	if ((argv[3][0] != 'r' && !wr) ||
	    (strcmp(argv[3] + 1, "32") && strcmp(argv[3] + 1, "64")))
		usage();
	if (wr) {
		if (argc < 5)
			usage();
		val = strtoull(argv[4], &end, 0);
		if (*end)
			usage();
	}
	fd = open(argv[1], wr ? O_RDWR : O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "pcimem: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (off + (argv[3][1] == '6' ? 8 : 4) > (unsigned long long)st.st_size ||
	    (off & 3)) {
		fprintf(stderr, "pcimem: offset 0x%llx outside or misaligned (size 0x%llx)\n",
			off, (unsigned long long)st.st_size);
		return 1;
	}
	bar = mmap(NULL, st.st_size, wr ? PROT_READ | PROT_WRITE : PROT_READ,
		   MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		fprintf(stderr, "pcimem: mmap: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(argv[3], "r32"))
		printf("0x%08" PRIx32 "\n", *(volatile uint32_t *)(bar + off));
	else if (!strcmp(argv[3], "r64"))
		printf("0x%016" PRIx64 "\n", *(volatile uint64_t *)(bar + off));
	else if (!strcmp(argv[3], "w32"))
		*(volatile uint32_t *)(bar + off) = (uint32_t)val;
	else
		*(volatile uint64_t *)(bar + off) = val;
	munmap((void *)bar, st.st_size);
	close(fd);
	return 0;
}
