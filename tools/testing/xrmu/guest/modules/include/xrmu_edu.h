/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's edu test device (PCI 1234:11e8) for the xrmu guest test modules:
 * the registers they use and a polled DMA transfer.  Register layout as
 * in QEMU's docs/specs/edu.rst; edu's DMA engine copies between its 4 KiB
 * internal buffer (at EDU_BUF_ADDR in its DMA address space) and memory.
 */
#ifndef _XRMU_EDU_H
#define _XRMU_EDU_H

#include <linux/bits.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/time64.h>
#include <linux/types.h>

#define EDU_REG_ID		0x00
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_CMD_START		BIT(0)
#define EDU_CMD_TO_RAM		BIT(1)
#define EDU_CMD_IRQ		BIT(2)
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
#define EDU_TIMEOUT_US		(10 * USEC_PER_SEC)

/**
 * xrmu_edu_dma() - run one DMA transfer of edu and wait until it is done
 * @regs: edu's BAR0
 * @src: source: a DMA address, or EDU_BUF_ADDR when @to_ram
 * @dst: destination: EDU_BUF_ADDR, or a DMA address when @to_ram
 * @len: number of bytes, at most EDU_BUF_SIZE
 * @to_ram: copy from edu's buffer to memory (else from memory to it)
 *
 * The transfer is started without an interrupt; the command register is
 * polled every millisecond until edu clears its START bit.  A transfer
 * the IOMMU blocks still completes from edu's point of view.
 *
 * Return: 0, or -ETIMEDOUT if edu did not finish within EDU_TIMEOUT_US.
 */
static inline int xrmu_edu_dma(void __iomem *regs, u64 src, u64 dst, u32 len,
			       bool to_ram)
{
	u32 cmd;

	writeq(src, regs + EDU_REG_DMA_SRC);
	writeq(dst, regs + EDU_REG_DMA_DST);
	writeq(len, regs + EDU_REG_DMA_COUNT);
	writeq(EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0),
	       regs + EDU_REG_DMA_CMD);
	return readl_poll_timeout(regs + EDU_REG_DMA_CMD, cmd,
				  !(cmd & EDU_CMD_START), 1000, EDU_TIMEOUT_US);
}

#endif /* _XRMU_EDU_H */
