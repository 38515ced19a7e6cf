// SPDX-License-Identifier: GPL-2.0
/*
 * make bench, deterministic mode: a QEMU TCG plugin that counts guest
 * instructions and logs the count each time the guest runs the phase
 * marker (bench/mark.c).
 *
 *   -plugin libxrmu-insn.so,mark=0xADDR -d plugin -D LOG
 *
 * It is QEMU's tests/tcg/plugins/insn.c reduced to what make bench needs:
 * that plugin cannot be used here as it is, because its inline
 * (per-vCPU scoreboard) counting makes QEMU 10.0.2 crash in generated code
 * under -icount with two vCPUs, and its "match" option compares the
 * disassembly, which this QEMU build (no capstone) does not provide for
 * x86.  This plugin counts with one callback per translation block
 * (udata: the block's number of instructions; a block left early by an
 * exception still counts whole) and recognises the marker by its address:
 * a CPUID (0f a2) at guest address mark= (bench/run reads it from the
 * static mark binary).  Each marker execution logs
 *
 *   xrmu-insn mark cpu=C insns=N
 *
 * N being the count of all vCPUs so far; at exit "xrmu-insn total insns=N".
 * Phases are told apart by order (bench/report.py).
 *
 * Only the sum over vCPUs is meaningful under -icount: with round-robin
 * TCG (one thread for all vCPUs, no CF_PARALLEL) QEMU 10.0.2 bakes the
 * index of the vCPU that translated a block into the block's plugin
 * calls, so the cpu argument of a callback is not the vCPU that runs it.
 * The vCPUs run one at a time, so the sum is a global instruction count.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS 64

static uint64_t counts[MAX_VCPUS];
static uint64_t mark_addr;

static uint64_t total(void)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < MAX_VCPUS; i++)
		t += counts[i];
	return t;
}

static void tb_exec(unsigned int cpu, void *udata)
{
	counts[cpu % MAX_VCPUS] += (uintptr_t)udata;
}

static void mark_exec(unsigned int cpu, void *udata)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "xrmu-insn mark cpu=%u insns=%" PRIu64 "\n",
		 cpu, total());
	qemu_plugin_outs(buf);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec,
					     QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)n);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		unsigned char b[2];

		if (qemu_plugin_insn_vaddr(insn) != mark_addr ||
		    qemu_plugin_insn_data(insn, b, sizeof(b)) != sizeof(b) ||
		    b[0] != 0x0f || b[1] != 0xa2)
			continue;
		qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
						       QEMU_PLUGIN_CB_NO_REGS,
						       NULL);
	}
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "xrmu-insn total insns=%" PRIu64 "\n",
		 total());
	qemu_plugin_outs(buf);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "mark=", 5)) {
			mark_addr = strtoull(argv[i] + 5, NULL, 0);
		} else {
			fprintf(stderr, "xrmu-insn: unknown option %s\n", argv[i]);
			return -1;
		}
	}
	if (!mark_addr) {
		fprintf(stderr, "xrmu-insn: mark=ADDR is required\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
