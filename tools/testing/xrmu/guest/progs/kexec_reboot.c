// SPDX-License-Identifier: GPL-2.0
/*
 * kexec_reboot: load a kernel with kexec_file_load(2) and reboot into it,
 * or load it as the crash kernel.
 *
 *   kexec_reboot [-p] KERNEL INITRD CMDLINE
 *
 * reboot(LINUX_REBOOT_CMD_KEXEC) runs the kernel's shutdown of every
 * device (their .shutdown callbacks) before it jumps to the new kernel,
 * as "kexec -e" does.  With -p the kernel is only loaded into the
 * crashkernel= reservation (KEXEC_FILE_ON_CRASH, as "kexec -p"): the
 * next panic boots it with no device shut down.  A few lines of C
 * instead of kexec-tools: Debian's kexec-tools is not static and pulls in
 * libraries the guest lacks.  Prints nothing on success (after a reboot,
 * the new kernel's console follows).
 */
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long flags = 0;
	int kfd, ifd;

	if (argc == 5 && !strcmp(argv[1], "-p")) {
		flags = KEXEC_FILE_ON_CRASH;
		argc--;
		argv++;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: kexec_reboot [-p] KERNEL INITRD CMDLINE\n");
		return 2;
	}
	kfd = open(argv[1], O_RDONLY);
	ifd = open(argv[2], O_RDONLY);
	if (kfd < 0 || ifd < 0) {
		perror("kexec_reboot: open");
		return 1;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[3]) + 1,
		    argv[3], flags)) {
		perror("kexec_reboot: kexec_file_load");
		return 1;
	}
	if (flags)
		return 0;
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	perror("kexec_reboot: reboot");
	return 1;
}
