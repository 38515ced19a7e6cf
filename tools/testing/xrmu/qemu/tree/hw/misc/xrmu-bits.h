/*
 * xrmu: register and table fields of the xrmu v1.0 architecture
 * (Documentation/xrmu/ of the xrmu project), in the style of
 * hw/registerfields.h.  Shared by the model's parts; the qtest keeps its
 * own reading of the spec.
 *
 * Copyright (c) 2026 The xrmu authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_XRMU_BITS_H
#define HW_MISC_XRMU_BITS_H

#include "hw/registerfields.h"

/* PCI identity */
#define XRMU_VENDOR_ID          0x1af4
#define XRMU_DEVICE_ID          0x10f0
#define XRMU_REVISION           0x01
#define XRMU_SUBSYS_ID          0x1100
#define XRMU_CLASS              0x0806

/* BAR0 layout */
#define XRMU_BAR_SIZE           0x4000
#define XRMU_REG_SIZE           0x2000
#define XRMU_REG_BLOCK          0x1000
#define XRMU_MSIX_TABLE         0x2000
#define XRMU_MSIX_PBA           0x3000
#define XRMU_NUM_VECTORS        2
#define XRMU_VEC_FLT            0
#define XRMU_VEC_CMD            1

/* Registers (Documentation/xrmu/registers.rst); A_<reg> is the offset */
REG32(VERSION, 0x000)
REG64(CAP, 0x008)
REG64(RIDRANGE, 0x010)
REG64(ECAP, 0x018)
REG32(CTRL, 0x020)
REG32(STATUS, 0x024)
REG32(RESET, 0x028)
REG64(DTBASE, 0x030)
REG64(CMDQ_BASE, 0x040)
REG32(CMDQ_HEAD, 0x048)
REG32(CMDQ_TAIL, 0x04c)
REG32(CMDQ_STS, 0x050)
REG64(FLTQ_BASE, 0x058)
REG32(FLTQ_HEAD, 0x060)
REG32(FLTQ_TAIL, 0x064)
REG32(FLTQ_STS, 0x068)
REG32(FLTQ_LOST, 0x06c)
REG64(RSVD38, 0x038)
REG32(DBG_VIOL_COUNT, 0x100)
REG32(DBG_VIOL_LAST, 0x104)
REG32(DBG_INJECT, 0x108)
/* debug block (CAP.DBG = 1) and its 64-bit counters */
#define XRMU_DBG_BASE           0x100
#define XRMU_DBG_END            0x150
#define XRMU_CNT_BASE           0x110
#define XRMU_CNT_END            0x148

enum {
    CNT_XLATE,
    CNT_FAULT,
    CNT_IR_REMAP,
    CNT_IR_BLOCK,
    CNT_IOTLB_HIT,
    CNT_IOTLB_MISS,
    CNT_CMD,
    CNT_NUM
};

#define XRMU_VERSION_VAL        0x00010000u
#define XRMU_RESET_MAGIC        0x52534554u

FIELD(CAP, AW39, 0, 1)
FIELD(CAP, AW48, 1, 1)
FIELD(CAP, AW57, 2, 1)
FIELD(CAP, PS2M, 4, 1)
FIELD(CAP, PS1G, 5, 1)
FIELD(CAP, DIDW, 8, 4)
FIELD(CAP, IR, 12, 1)
FIELD(CAP, COH, 13, 1)
FIELD(CAP, DBG, 14, 1)
FIELD(CAP, CMDQ_MAXLOG2, 16, 4)
FIELD(CAP, FLTQ_MAXLOG2, 20, 4)
FIELD(CAP, IRT_MAXLOG2, 24, 4)
FIELD(CAP, PAW, 32, 6)

FIELD(RIDRANGE, SEG, 0, 16)
FIELD(RIDRANGE, BUS_FIRST, 16, 8)
FIELD(RIDRANGE, BUS_LAST, 24, 8)

FIELD(CTRL, EN, 0, 1)
FIELD(CTRL, IRE, 1, 1)
FIELD(CTRL, CMDQ_EN, 2, 1)
FIELD(CTRL, FLTQ_EN, 3, 1)
FIELD(CTRL, FLT_IE, 4, 1)
FIELD(CTRL, CMD_IE, 5, 1)
FIELD(CTRL, BLK, 8, 1)
#define XRMU_CTRL_DEFINED       0x13fu

FIELD(STATUS, EN_ACK, 0, 1)
FIELD(STATUS, IRE_ACK, 1, 1)
FIELD(STATUS, CMDQ_ON, 2, 1)
FIELD(STATUS, FLTQ_ON, 3, 1)
FIELD(STATUS, BLK_ACK, 8, 1)

/* DTBASE (registers.rst) */
FIELD(DTBASE, FMT, 0, 1)
FIELD(DTBASE, LOG2SZ, 4, 5)
#define DTB_RSVD                (0xffeULL & ~R_DTBASE_LOG2SZ_MASK)
#define PAGE_ADDR(v)            ((v) & ~0xfffULL)

/* CMDQ_BASE and FLTQ_BASE (registers.rst) */
FIELD(QBASE, LOG2SZ, 0, 5)
#define QB_RSVD                 0xfe0ULL

FIELD(CMDQ_STS, ERR, 0, 1)
FIELD(CMDQ_STS, ERRCODE, 8, 4)
#define CMDQ_ERR_ILLEGAL        1
#define CMDQ_ERR_READ           2
#define CMDQ_ERR_SYNC_WRITE     3
#define CMDQ_STS_RSVD           0xfffff0feu

FIELD(FLTQ_STS, OVF, 0, 1)
FIELD(FLTQ_STS, WERR, 1, 1)

#define QIDX_MASK               0x7fffu

FIELD(DBG_INJECT, CMDQ_STALL, 0, 1)
FIELD(DBG_INJECT, CMD_ILLEGAL, 1, 1)
FIELD(DBG_INJECT, TABLE_READ_ERR, 2, 1)
FIELD(DBG_INJECT, CMDQ_READ_ERR, 3, 1)
FIELD(DBG_INJECT, FLTQ_WRITE_ERR, 4, 1)
FIELD(DBG_INJECT, UNIT_GONE, 5, 1)
FIELD(DBG_INJECT, CTRL_DELAY, 6, 1)
#define XRMU_INJ_DEFINED        0x7fu
/* DBG_INJECT.CTRL_DELAY: how long the next CTRL write takes (virtual) */
#define XRMU_CTRL_DELAY_NS      (50 * 1000 * 1000)

/* Device-table entry, words 0..2 (device-table.rst) */
FIELD(DTE0, V, 0, 1)
FIELD(DTE0, MODE, 1, 2)
FIELD(DTE0, LEVELS, 3, 3)
FIELD(DTE0, FSD, 6, 1)
#define DTE0_RSVD               (0xf80ULL)
FIELD(DTE1, DID, 0, 16)
FIELD(DTE1, IM, 16, 2)
FIELD(DTE1, IRSV, 18, 1)
#define DTE1_RSVD               (~0ULL << 19)
FIELD(DTE2, IRTLOG2, 0, 4)
#define DTE2_RSVD               (0xff0ULL)
#define MODE_BLOCKED            0
#define MODE_PASSTHROUGH        1
#define MODE_TRANSLATE          2
#define IM_BLOCK                0
#define IM_PASS                 1
#define IM_REMAP                2

#define L1E_V                   BIT_ULL(0)
#define L1E_RSVD                0xffeULL

/* PTE */
#define PTE_V                   BIT_ULL(0)
#define PTE_R                   BIT_ULL(1)
#define PTE_W                   BIT_ULL(2)
#define PTE_LEAF                BIT_ULL(3)
#define PTE_RSVD                (0xf0ULL | BIT_ULL(63))
#define PTE_ADDR(p)             ((p) & 0x000ffffffffff000ULL)

/* Interrupt remapping table entry, words 0..1 (interrupt-remapping.rst) */
FIELD(IRTE0, V, 0, 1)
FIELD(IRTE0, FPD, 1, 1)
FIELD(IRTE0, SVT, 2, 2)
FIELD(IRTE0, SQ, 4, 2)
FIELD(IRTE0, DM, 6, 1)
FIELD(IRTE0, TM, 7, 1)
FIELD(IRTE0, DLM, 8, 3)
FIELD(IRTE0, RH, 11, 1)
FIELD(IRTE0, VECTOR, 16, 8)
FIELD(IRTE0, DEST, 32, 32)
#define IRTE0_RSVD              (0xf000ULL | 0xff000000ULL)
FIELD(IRTE1, SID, 0, 16)
#define IRTE1_RSVD              (~0xffffULL)

/* Remappable MSI address, low 32 bits, and data (interrupt-remapping.rst) */
FIELD(MSI_ADDR, SHV, 3, 1)
FIELD(MSI_ADDR, IF, 4, 1)
FIELD(MSI_ADDR, HANDLE, 5, 15)
FIELD(MSI_DATA, SUBHANDLE, 0, 16)

/* Interrupt window */
#define XRMU_IRWIN_BASE         0xfee00000ULL
#define XRMU_IRWIN_SIZE         0x100000ULL

/* Fault reasons */
#define F_DT_RANGE              0x01
#define F_DT_L1_INVALID         0x02
#define F_DTE_INVALID           0x03
#define F_DTE_RSVD              0x04
#define F_DT_READ_ERR           0x05
#define F_BLOCKED               0x06
#define F_PT_NOT_PRESENT        0x10
#define F_PT_READ               0x11
#define F_PT_WRITE              0x12
#define F_PT_RSVD               0x13
#define F_PT_READ_ERR           0x14
#define F_ADDR_RANGE            0x15
#define F_IR_COMPAT             0x20
#define F_IR_INDEX              0x21
#define F_IR_IRTE_INVALID       0x22
#define F_IR_IRTE_RSVD          0x23
#define F_IR_SID                0x24
#define F_IR_READ_ERR           0x25
#define F_IR_BLOCKED            0x26
#define F_IR_MALFORMED          0x27

#define ACC_READ                0
#define ACC_WRITE               1
#define ACC_INTR                2

/* Fault record, word 0 (fault-queue.rst); words 1, 2: ADDR, INFO */
FIELD(FLT0, REASON, 0, 8)
FIELD(FLT0, ACC, 8, 2)
FIELD(FLT0, DIDV, 10, 1)
FIELD(FLT0, RID, 16, 16)
FIELD(FLT0, DID, 32, 16)

#define FLT_REC_SIZE            32
#define CMD_SIZE                16

/* Commands, words 0..1 (command-queue.rst) */
FIELD(CMD0, OPCODE, 0, 8)
FIELD(CMD0, ALL, 8, 1)          /* INV_DTE, INV_IRTE */
FIELD(CMD0, SCOPE, 8, 2)        /* INV_IOTLB */
FIELD(CMD0, WR, 8, 1)           /* SYNC */
FIELD(CMD0, IRQ, 9, 1)          /* SYNC */
FIELD(CMD0, RID, 16, 16)        /* INV_DTE, INV_IRTE */
FIELD(CMD0, DID, 16, 16)        /* INV_IOTLB */
FIELD(CMD0, NPAGES_M1, 32, 32)  /* INV_IOTLB */
FIELD(CMD0, COUNT_M1, 32, 32)   /* INV_IRTE */
FIELD(CMD0, DATA, 32, 32)       /* SYNC */
FIELD(CMD1, INDEX, 0, 16)       /* INV_IRTE */
#define OP_NOP                  0x01
#define OP_INV_DTE              0x02
#define OP_INV_IOTLB            0x03
#define OP_INV_IRTE             0x04
#define OP_SYNC                 0x05
#define SCOPE_RANGE             0
#define SCOPE_DOMAIN            1
#define SCOPE_GLOBAL            2

#endif /* HW_MISC_XRMU_BITS_H */
