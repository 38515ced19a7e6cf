# SPDX-License-Identifier: GPL-2.0
# xrmu harness: /proc/interrupts helpers for guest scripts.
# ncpu: number of CPU columns in /proc/interrupts.
ncpu=$(head -n1 /proc/interrupts | wc -w)
# irq_count IRQ [CPU]: the interrupt's count on one CPU, or summed over all
irq_count() {
	awk -v n="$1:" -v c="${2:--1}" -v m="$ncpu" '$1 == n {
		s = 0
		for (i = 0; i < m; i++)
			if (c < 0 || c == i)
				s += $(i + 2)
		print s
	}' /proc/interrupts
}
# irq_chip IRQ: the name of the interrupt's chip (e.g. IR-PCI-MSIX-0000:00:03.0)
irq_chip() { awk -v n="$1:" -v m="$ncpu" '$1 == n { print $(m + 2) }' /proc/interrupts; }
# nvme_irqs [CTRL]: the interrupts of an NVMe controller's queues (nvme0)
nvme_irqs() {
	awk -F: -v q="${1:-nvme0}q" '$0 ~ q { gsub(/ /, "", $1); print $1 }' /proc/interrupts
}
# nvme_count [CTRL]: their counts summed over queues and CPUs
nvme_count() {
	_s=0
	for _i in $(nvme_irqs "$@"); do _s=$((_s + $(irq_count "$_i"))); done
	echo $_s
}
# nvme_ir_chips: 0 if nvme0 has queue interrupts and all are on IR- chips
nvme_ir_chips() {
	_n=0
	for _q in $(nvme_irqs); do
		case $(irq_chip "$_q") in IR-*) ;; *) return 1 ;; esac
		_n=$((_n + 1))
	done
	[ $_n -gt 0 ]
}
# nvme_irq_domain CTRL NAME: 0 if the NVMe controller has queue interrupts
# and each has a domain whose name starts with NAME in its hierarchy
# (debugfs irq: e.g. XRMU-IR, or XRMU-IR-<unit> for one unit's)
nvme_irq_domain() {
	_n=0
	for _i in $(nvme_irqs "$1"); do
		grep -q "domain: *$2" "/sys/kernel/debug/irq/irqs/$_i" || return 1
		_n=$((_n + 1))
	done
	[ $_n -gt 0 ]
}
