// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the xrmu interrupt-remapping encoders.
 *
 * Every expected value is a literal worked out by hand from the tables of
 * Documentation/xrmu/interrupt-remapping.rst (IRTE, remappable MSI
 * address and data), device-table.rst (DTE qw1 IM [17:16], IRSV [18]; qw2
 * IRTLOG2 [3:0], IRTPTR [63:12]) and command-queue.rst (INV_IRTE), never
 * from the driver's field macros.
 */

#include <kunit/test.h>

#include "irq_remap.h"
#include "xrmu.h"

static const struct xrmu_ir_sv sv_none = { .svt = 0 };

static void xrmu_test_irte(struct kunit *test)
{
	struct xrmu_ir_sv sv = { .svt = 1, .sq = 0, .sid = 0x0310 };
	struct xrmu_irte e;

	/*
	 * V [0] = 1, SVT [3:2] = 1, VECTOR [23:16] = 0x31, DEST [63:32] = 3,
	 * DM [6] = 0, DLM [10:8] = 0; qw1 SID [15:0] = 0x0310.
	 */
	e = xrmu_irte_encode(0x31, 3, false, XRMU_IRTE_DLM_FIXED, &sv);
	KUNIT_EXPECT_EQ(test, e.qw[0], 0x0000000300310005ULL);
	KUNIT_EXPECT_EQ(test, e.qw[1], 0x0000000000000310ULL);

	/*
	 * SVT = 2 (0x8), DM = 1 (0x40), DLM = 1 (0x100), VECTOR 0xef, a
	 * 32-bit x2APIC destination; qw1 SID = bus range 05..07.
	 */
	sv = (struct xrmu_ir_sv){ .svt = 2, .sid = 0x0507 };
	e = xrmu_irte_encode(0xef, 0x12345678, true, XRMU_IRTE_DLM_LOWPRI,
			     &sv);
	KUNIT_EXPECT_EQ(test, e.qw[0], 0x1234567800ef0149ULL);
	KUNIT_EXPECT_EQ(test, e.qw[1], 0x0000000000000507ULL);

	/* SVT = 1, SQ [5:4] = 3: 0x35; VECTOR 0x20; DEST 0 */
	sv = (struct xrmu_ir_sv){ .svt = 1, .sq = 3, .sid = 0xfff8 };
	e = xrmu_irte_encode(0x20, 0, false, XRMU_IRTE_DLM_FIXED, &sv);
	KUNIT_EXPECT_EQ(test, e.qw[0], 0x0000000000200035ULL);
	KUNIT_EXPECT_EQ(test, e.qw[1], 0x000000000000fff8ULL);

	/* NMI: DLM = 4 (0x400), no validation, highest DEST */
	e = xrmu_irte_encode(0x02, 0xffffffff, false, XRMU_IRTE_DLM_NMI,
			     &sv_none);
	KUNIT_EXPECT_EQ(test, e.qw[0], 0xffffffff00020401ULL);
	KUNIT_EXPECT_EQ(test, e.qw[1], 0ULL);

	/* Never a RsvdZ bit: qw0[15:12], qw0[31:24], qw1[63:16] */
	e = xrmu_irte_encode(0xff, 0xffffffff, true, XRMU_IRTE_DLM_NMI,
			     &(struct xrmu_ir_sv){ .svt = 2, .sq = 3,
						   .sid = 0xffff });
	KUNIT_EXPECT_EQ(test, e.qw[0] & 0x00000000ff00f000ULL, 0ULL);
	KUNIT_EXPECT_EQ(test, e.qw[1] & 0xffffffffffff0000ULL, 0ULL);

	/* The affinity path rewrites qw0 only: same word as the encoder. */
	sv = (struct xrmu_ir_sv){ .svt = 1, .sid = 0x0310 };
	KUNIT_EXPECT_EQ(test, xrmu_irte_qw0(0x41, 1, false,
					    XRMU_IRTE_DLM_FIXED, &sv),
			0x0000000100410005ULL);
}

static void xrmu_test_msi_addr(struct kunit *test)
{
	/* WINDOW [31:20] = 0xfee, IF [4] = 1, HANDLE [19:5], SHV [3] */
	KUNIT_EXPECT_EQ(test, xrmu_msi_remap_addr(0, false), 0xfee00010U);
	KUNIT_EXPECT_EQ(test, xrmu_msi_remap_addr(0, true), 0xfee00018U);
	KUNIT_EXPECT_EQ(test, xrmu_msi_remap_addr(0x12, true), 0xfee00258U);
	KUNIT_EXPECT_EQ(test, xrmu_msi_remap_addr(1, false), 0xfee00030U);
	KUNIT_EXPECT_EQ(test, xrmu_msi_remap_addr(0x7ff, false), 0xfee0fff0U);
	KUNIT_EXPECT_EQ(test, xrmu_msi_remap_addr(0x7fff, false),
			0xfeeffff0U);
	/* Bits [1:0] (ZERO) and [2] (IGN) are never set. */
	KUNIT_EXPECT_EQ(test, xrmu_msi_remap_addr(0x7fff, true) & 0x7U, 0U);
}

static void xrmu_test_inv_irte(struct kunit *test)
{
	struct xrmu_cmd c;

	/* opcode 4, RID [31:16], COUNT_M1 [63:32]; qw1 INDEX [15:0] */
	c = xrmu_cmd_inv_irte(0x0310, 5, 1);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x0000000003100004ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0x0000000000000005ULL);
	c = xrmu_cmd_inv_irte(0xffff, 0x7ff, 32);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x0000001fffff0004ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0x00000000000007ffULL);
	/* the whole table of a RID: INDEX 0, COUNT_M1 0x7ff for 2^11 */
	c = xrmu_cmd_inv_irte(0x0008, 0, 2048);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x000007ff00080004ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0ULL);
}

static void xrmu_test_dte_ir(struct kunit *test)
{
	struct xrmu_dte d;

	/* translate DTE, DID 0x2a: qw1 = 0x2a, no interrupt fields yet */
	d = xrmu_dte_encode(XRMU_DTE_MODE_XLATE, 4, 0x123456000ULL, 0x2a,
			    false);
	KUNIT_EXPECT_EQ(test, d.qw[1], 0x000000000000002aULL);

	/* remap: IM = 2 (0x20000) | IRSV (0x40000); IRTLOG2 11, IRTPTR */
	xrmu_dte_set_ir(&d, XRMU_DTE_IM_REMAP, 0x12345000ULL, 11);
	KUNIT_EXPECT_EQ(test, d.qw[0], 0x0000000123456025ULL);
	KUNIT_EXPECT_EQ(test, d.qw[1], 0x000000000006002aULL);
	KUNIT_EXPECT_EQ(test, d.qw[2], 0x000000001234500bULL);
	KUNIT_EXPECT_EQ(test, d.qw[3], 0ULL);

	/* block (device released): IM = 0, no IRSV, no table */
	xrmu_dte_set_ir(&d, XRMU_DTE_IM_BLOCK, 0x12345000ULL, 11);
	KUNIT_EXPECT_EQ(test, d.qw[1], 0x000000000000002aULL);
	KUNIT_EXPECT_EQ(test, d.qw[2], 0ULL);

	/* back to compatibility pass-through: IM = 1 */
	xrmu_dte_set_ir(&d, XRMU_DTE_IM_COMPAT, 0, 0);
	KUNIT_EXPECT_EQ(test, d.qw[1], 0x000000000001002aULL);

	/* a 1-entry IRT high in a 52-bit space */
	d = xrmu_dte_encode(XRMU_DTE_MODE_PASS, 0, 0, 0, false);
	xrmu_dte_set_ir(&d, XRMU_DTE_IM_REMAP, 0x000ffffffffff000ULL, 0);
	KUNIT_EXPECT_EQ(test, d.qw[0], 0x3ULL);
	KUNIT_EXPECT_EQ(test, d.qw[1], 0x0000000000060000ULL);
	KUNIT_EXPECT_EQ(test, d.qw[2], 0x000ffffffffff000ULL);
}

static void xrmu_test_sv(struct kunit *test)
{
	struct xrmu_ir_sv sv;

	/* a device alone: exact RID */
	xrmu_ir_sv_from_rids((const u16[]){ 0x0310 }, 1, &sv);
	KUNIT_EXPECT_EQ(test, sv.svt, 1);
	KUNIT_EXPECT_EQ(test, sv.sq, 0);
	KUNIT_EXPECT_EQ(test, sv.sid, 0x0310);

	/* a phantom-function alias on the same slot: ignore bit 0 */
	xrmu_ir_sv_from_rids((const u16[]){ 0x0311, 0x0310 }, 2, &sv);
	KUNIT_EXPECT_EQ(test, sv.svt, 1);
	KUNIT_EXPECT_EQ(test, sv.sq, 1);
	KUNIT_EXPECT_EQ(test, sv.sid, 0x0310);

	/* functions 0 and 7: bits 2:0 */
	xrmu_ir_sv_from_rids((const u16[]){ 0x0300, 0x0307 }, 2, &sv);
	KUNIT_EXPECT_EQ(test, sv.svt, 1);
	KUNIT_EXPECT_EQ(test, sv.sq, 3);
	KUNIT_EXPECT_EQ(test, sv.sid, 0x0300);

	/* different slots on one bus: bus range 03..03 */
	xrmu_ir_sv_from_rids((const u16[]){ 0x0300, 0x0308 }, 2, &sv);
	KUNIT_EXPECT_EQ(test, sv.svt, 2);
	KUNIT_EXPECT_EQ(test, sv.sid, 0x0303);

	/* behind a PCIe-to-PCI bridge: own RID on bus 7, alias 06:00.0 */
	xrmu_ir_sv_from_rids((const u16[]){ 0x0728, 0x0600 }, 2, &sv);
	KUNIT_EXPECT_EQ(test, sv.svt, 2);
	KUNIT_EXPECT_EQ(test, sv.sid, 0x0607);

	/* nothing to check against */
	xrmu_ir_sv_from_rids(NULL, 0, &sv);
	KUNIT_EXPECT_EQ(test, sv.svt, 0);
}

static struct kunit_case xrmu_ir_test_cases[] = {
	KUNIT_CASE(xrmu_test_irte),
	KUNIT_CASE(xrmu_test_msi_addr),
	KUNIT_CASE(xrmu_test_inv_irte),
	KUNIT_CASE(xrmu_test_dte_ir),
	KUNIT_CASE(xrmu_test_sv),
	{}
};

static struct kunit_suite xrmu_ir_test_suite = {
	.name = "xrmu-ir",
	.test_cases = xrmu_ir_test_cases,
};

kunit_test_suite(xrmu_ir_test_suite);
