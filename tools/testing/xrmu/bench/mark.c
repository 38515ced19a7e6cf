// SPDX-License-Identifier: GPL-2.0
/*
 * make bench, deterministic mode: a phase marker for the instruction
 * counter.  Executes one CPUID instruction.  The plugin bench/run starts
 * QEMU with (bench/insn-plugin.c) knows this instruction's address (read
 * from this static binary with objdump) and logs the guest's instruction
 * count each time it runs; bench/report.py pairs the k-th logged count
 * with the k-th "BENCH mark" line of the guest script.
 *
 *   mark          (no arguments, no output)
 *
 * Static build: gcc -static -O2 -o mark mark.c
 */
#include <cpuid.h>

int main(void)
{
	unsigned int a, b, c, d;

	/* Leaf 0: no side effects; the result is not used. */
	__cpuid(0, a, b, c, d);
	asm volatile("" : : "r"(a), "r"(b), "r"(c), "r"(d));
	return 0;
}
