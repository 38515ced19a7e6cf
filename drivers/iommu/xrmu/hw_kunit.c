// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the xrmu hardware encoders.
 *
 * Every expected value is a literal worked out by hand from the bit layouts
 * in Documentation/xrmu/ (registers, device table, commands, page tables,
 * fault records), never from the driver's own field macros.
 */

#include <kunit/test.h>

#include "xrmu.h"

static void xrmu_test_dte(struct kunit *test)
{
	struct xrmu_dte d;

	/* translate: V=1, MODE=2 [2:1], LEVELS=4 [5:3], PTROOT [63:12] */
	d = xrmu_dte_encode(XRMU_DTE_MODE_XLATE, 4, 0x123456000ULL, 0x2a,
			    false);
	KUNIT_EXPECT_EQ(test, d.qw[0], 0x0000000123456025ULL);
	/* DID [15:0]; the interrupt fields are xrmu_dte_set_ir()'s */
	KUNIT_EXPECT_EQ(test, d.qw[1], 0x000000000000002aULL);
	KUNIT_EXPECT_EQ(test, d.qw[2], 0ULL);
	KUNIT_EXPECT_EQ(test, d.qw[3], 0ULL);

	d = xrmu_dte_encode(XRMU_DTE_MODE_XLATE, 3, 0xfffff000ULL, 0xffff,
			    false);
	KUNIT_EXPECT_EQ(test, d.qw[0], 0x00000000fffff01dULL);
	KUNIT_EXPECT_EQ(test, d.qw[1], 0x000000000000ffffULL);

	d = xrmu_dte_encode(XRMU_DTE_MODE_XLATE, 5, 0x000ffffffffff000ULL, 0,
			    false);
	KUNIT_EXPECT_EQ(test, d.qw[0], 0x000ffffffffff02dULL);

	/* pass-through: V=1 MODE=1; translate-only fields stay 0 */
	d = xrmu_dte_encode(XRMU_DTE_MODE_PASS, 4, 0x5000, 7, false);
	KUNIT_EXPECT_EQ(test, d.qw[0], 0x3ULL);
	KUNIT_EXPECT_EQ(test, d.qw[1], 0ULL);

	/* blocked, with FSD [6] */
	d = xrmu_dte_encode(XRMU_DTE_MODE_BLOCKED, 0, 0, 0, false);
	KUNIT_EXPECT_EQ(test, d.qw[0], 0x1ULL);
	d = xrmu_dte_encode(XRMU_DTE_MODE_BLOCKED, 0, 0, 0, true);
	KUNIT_EXPECT_EQ(test, d.qw[0], 0x41ULL);
}

static void xrmu_test_cmds(struct kunit *test)
{
	struct xrmu_cmd c;

	c = xrmu_cmd_nop();
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x1ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0ULL);

	/* INV_DTE: opcode 2, RID [31:16] */
	c = xrmu_cmd_inv_dte(0x0310);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x03100002ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0ULL);
	c = xrmu_cmd_inv_dte(0xffff);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0xffff0002ULL);
	/* ALL [8] */
	c = xrmu_cmd_inv_dte_all();
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x102ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0ULL);

	/* INV_IOTLB range: SCOPE 0 [9:8], DID [31:16], NPAGES_M1 [63:32] */
	c = xrmu_cmd_inv_iotlb_range(5, 0x7ffffffff000ULL, 512);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x000001ff00050003ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0x00007ffffffff000ULL);
	c = xrmu_cmd_inv_iotlb_range(0xabcd, 0x1000, 1ULL << 32);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0xffffffffabcd0003ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0x1000ULL);
	c = xrmu_cmd_inv_iotlb_range(1, 0x200000, 1);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x0000000000010003ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0x200000ULL);
	/* domain: SCOPE 1 */
	c = xrmu_cmd_inv_iotlb_domain(0xffff);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0xffff0103ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0ULL);
	/* global: SCOPE 2, no DID */
	c = xrmu_cmd_inv_iotlb_global();
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x203ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0ULL);

	/* INV_IRTE ALL [8] */
	c = xrmu_cmd_inv_irte_all();
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x104ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0ULL);

	/* SYNC: WR [8], IRQ [9], DATA [63:32]; qw1 ADDR [63:2] */
	c = xrmu_cmd_sync(0x12345678ULL, 0xdeadbeef, false);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0xdeadbeef00000105ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0x12345678ULL);
	c = xrmu_cmd_sync(0xfffffffffcULL, 1, true);
	KUNIT_EXPECT_EQ(test, c.qw[0], 0x0000000100000305ULL);
	KUNIT_EXPECT_EQ(test, c.qw[1], 0xfffffffffcULL);
}

static void xrmu_test_tables(struct kunit *test)
{
	/* L1E: V [0], L2 address [63:12] */
	KUNIT_EXPECT_EQ(test, xrmu_l1e_encode(0xabc000), 0xabc001ULL);
	KUNIT_EXPECT_EQ(test, xrmu_l1e_encode(0x000fffffffff000ULL),
			0x000fffffffff001ULL);

	/* DTBASE: FMT [0] (1 = two-level), LOG2SZ [8:4], base [63:12] */
	KUNIT_EXPECT_EQ(test, xrmu_dtbase_encode(0x10000000, 16), 0x10000101ULL);
	KUNIT_EXPECT_EQ(test, xrmu_dtbase_encode(0xfff000, 7), 0xfff071ULL);
	/* CMDQ_BASE / FLTQ_BASE: LOG2SZ [4:0], base [63:12] */
	KUNIT_EXPECT_EQ(test, xrmu_qbase_encode(0x20000000, 8), 0x20000008ULL);
	KUNIT_EXPECT_EQ(test, xrmu_qbase_encode(0x3000, 15), 0x300fULL);

	/* page-tables.rst: 3, 4, 5 levels translate 39, 48, 57 IOVA bits */
	KUNIT_EXPECT_EQ(test, xrmu_pt_va_bits(3), 39);
	KUNIT_EXPECT_EQ(test, xrmu_pt_va_bits(4), 48);
	KUNIT_EXPECT_EQ(test, xrmu_pt_va_bits(5), 57);
}

static void xrmu_test_registers(struct kunit *test)
{
	/* Register map */
	KUNIT_EXPECT_EQ(test, XRMU_REG_VERSION, 0x000);
	KUNIT_EXPECT_EQ(test, XRMU_REG_CAP, 0x008);
	KUNIT_EXPECT_EQ(test, XRMU_REG_RIDRANGE, 0x010);
	KUNIT_EXPECT_EQ(test, XRMU_REG_ECAP, 0x018);
	KUNIT_EXPECT_EQ(test, XRMU_REG_CTRL, 0x020);
	KUNIT_EXPECT_EQ(test, XRMU_REG_STATUS, 0x024);
	KUNIT_EXPECT_EQ(test, XRMU_REG_RESET, 0x028);
	KUNIT_EXPECT_EQ(test, XRMU_REG_DTBASE, 0x030);
	KUNIT_EXPECT_EQ(test, XRMU_REG_CMDQ_BASE, 0x040);
	KUNIT_EXPECT_EQ(test, XRMU_REG_CMDQ_HEAD, 0x048);
	KUNIT_EXPECT_EQ(test, XRMU_REG_CMDQ_TAIL, 0x04c);
	KUNIT_EXPECT_EQ(test, XRMU_REG_CMDQ_STS, 0x050);
	KUNIT_EXPECT_EQ(test, XRMU_REG_FLTQ_BASE, 0x058);
	KUNIT_EXPECT_EQ(test, XRMU_REG_FLTQ_HEAD, 0x060);
	KUNIT_EXPECT_EQ(test, XRMU_REG_FLTQ_TAIL, 0x064);
	KUNIT_EXPECT_EQ(test, XRMU_REG_FLTQ_STS, 0x068);
	KUNIT_EXPECT_EQ(test, XRMU_REG_FLTQ_LOST, 0x06c);
	KUNIT_EXPECT_EQ(test, XRMU_REG_DBG_VIOL_COUNT, 0x100);
	KUNIT_EXPECT_EQ(test, XRMU_REG_DBG_INJECT, 0x108);
	KUNIT_EXPECT_EQ(test, XRMU_REG_CNT_CMD, 0x140);
	KUNIT_EXPECT_EQ(test, XRMU_RESET_MAGIC, 0x52534554);

	/* CTRL / STATUS bits */
	KUNIT_EXPECT_EQ(test, XRMU_CTRL_EN | XRMU_CTRL_CMDQ_EN |
			XRMU_CTRL_FLTQ_EN | XRMU_CTRL_FLT_IE, 0x1dUL);
	KUNIT_EXPECT_EQ(test, XRMU_CTRL_IRE | XRMU_CTRL_CMD_IE | XRMU_CTRL_BLK,
			0x122UL);
	KUNIT_EXPECT_EQ(test, XRMU_STATUS_EN_ACK | XRMU_STATUS_IRE_ACK |
			XRMU_STATUS_CMDQ_ON | XRMU_STATUS_FLTQ_ON |
			XRMU_STATUS_BLK_ACK, 0x10fUL);

	/* CAP: an example unit, decoded field by field */
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_CAP_DIDW, 0x0000003400ff3b33ULL),
			11ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_CAP_CMDQ_MAXLOG2,
					0x0000003400ff3b33ULL), 15ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_CAP_FLTQ_MAXLOG2,
					0x0000003400ff3b33ULL), 15ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_CAP_PAW, 0x0000003400ff3b33ULL),
			52ULL);
	KUNIT_EXPECT_EQ(test, 0x0000003400ff3b33ULL &
			(XRMU_CAP_AW39 | XRMU_CAP_AW48 | XRMU_CAP_PS2M |
			 XRMU_CAP_PS1G | XRMU_CAP_IR | XRMU_CAP_COH),
			0x3033ULL);
	/* every bit outside the defined fields is reserved */
	KUNIT_EXPECT_EQ(test, ~XRMU_CAP_DEFINED, 0xffffffc0f00080c8ULL);

	/* RIDRANGE: segment [15:0], bus_first [23:16], bus_last [31:24] */
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_RIDRANGE_SEG, 0x7f100001ULL), 1ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_RIDRANGE_BUS_FIRST, 0x7f100001ULL),
			0x10ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_RIDRANGE_BUS_LAST, 0x7f100001ULL),
			0x7fULL);
}

static void xrmu_test_fault_record(struct kunit *test)
{
	/*
	 * qw0: REASON [7:0] = 0x12 (PT_WRITE), ACC [9:8] = 1 (write),
	 * DIDV [10], RID [31:16] = 0x0310, DID [47:32] = 0x2a
	 */
	u64 qw0 = 0x0000002a03100512ULL;

	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_FLT_REASON, qw0), 0x12ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_FLT_ACC, qw0), 1ULL);
	KUNIT_EXPECT_TRUE(test, qw0 & XRMU_FLT_DIDV);
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_FLT_RID, qw0), 0x310ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(XRMU_FLT_DID, qw0), 0x2aULL);
	KUNIT_EXPECT_FALSE(test, 0x0000000000000210ULL & XRMU_FLT_DIDV);
}

static struct kunit_case xrmu_hw_cases[] = {
	KUNIT_CASE(xrmu_test_dte),
	KUNIT_CASE(xrmu_test_cmds),
	KUNIT_CASE(xrmu_test_tables),
	KUNIT_CASE(xrmu_test_registers),
	KUNIT_CASE(xrmu_test_fault_record),
	{}
};

static struct kunit_suite xrmu_hw_suite = {
	.name = "xrmu-hw",
	.test_cases = xrmu_hw_cases,
};

kunit_test_suite(xrmu_hw_suite);
