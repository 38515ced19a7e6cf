// SPDX-License-Identifier: GPL-2.0
/*
 * ir_vfio_type1: put a VFIO group into a type1 container.
 *
 * VFIO's type1 backend refuses VFIO_SET_IOMMU with EPERM when a device of
 * the group cannot have its MSIs isolated (no interrupt remapping) unless
 * vfio_iommu_type1.allow_unsafe_interrupts=1.  The xrmu interrupt
 * remapping tests use this to check IRQ_DOMAIN_FLAG_ISOLATED_MSI.
 *
 * Usage: ir_vfio_type1 GROUP
 * Exit: 0 VFIO_SET_IOMMU succeeded, 1 it failed (errno printed),
 *       2 setup error before it (no container, group not viable, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

int main(int argc, char **argv)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int c, g;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GROUP\n", argv[0]);
		return 2;
	}
	c = open("/dev/vfio/vfio", O_RDWR);
	if (c < 0) {
		perror("/dev/vfio/vfio");
		return 2;
	}
	if (ioctl(c, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		fprintf(stderr, "no VFIO type1v2 support\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	g = open(path, O_RDWR);
	if (g < 0) {
		perror(path);
		return 2;
	}
	if (ioctl(g, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		fprintf(stderr, "group %s not viable\n", argv[1]);
		return 2;
	}
	if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &c)) {
		perror("VFIO_GROUP_SET_CONTAINER");
		return 2;
	}
	if (ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		printf("VFIO_SET_IOMMU: %s\n", strerror(errno));
		return 1;
	}
	printf("VFIO_SET_IOMMU: ok\n");
	close(g);
	close(c);
	return 0;
}
