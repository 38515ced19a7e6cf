# SPDX-License-Identifier: GPL-2.0
# xrmu guest helpers for the edu test device and the xrmu_edu_test module.
# Needs /xrmu/lib/tap.sh and /xrmu/lib/pci.sh sourced first.

# edu_ok FILE [N]: the module's result file has at least N (default 8)
# "ok" lines and no "not ok" line.  debugfs files report size 0, so the
# lines are counted rather than compared with a size.
edu_ok() {
	[ "$(grep -c "^ok" "$1")" -ge "${2:-8}" ] && ! grep -q "^not ok" "$1"
}

# edu_default_domain_test TYPE LABEL: 4 TAP points.  Loads xrmu, checks
# that the first edu's group got default domain TYPE (DMA, DMA-FQ,
# identity) from the kernel command line, then runs the xrmu_edu_test
# round trips through that domain.
edu_default_domain_test() {
	local e type r

	tap_ok "modprobe xrmu" modprobe xrmu
	e=$(pci_find 0x1234 0x11e8 | head -n1)
	type=$(cat "$e/iommu_group/type" 2>/dev/null)
	tap_check $([ "$type" = "$1" ]; echo $?) "default domain is $1 ($type)"
	tap_ok "modprobe xrmu_edu_test" modprobe xrmu_edu_test
	r=/sys/kernel/debug/xrmu_edu_test/$(basename "$e")
	sed 's/^/# /' "$r"
	tap_check $(edu_ok "$r"; echo $?) "edu round trips ($2)"
}
