# SPDX-License-Identifier: GPL-2.0
# xrmu: top-level targets.  Everything (dependencies via apt, sources, kernel,
# QEMU, initramfs) is fetched and built on demand into the cache
# ${XRMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xrmu}; see README.

XRMU_H := tools/testing/xrmu

.PHONY: all run check bench fuzz help

all: help

help:
	@echo "make run     boot a VM with the xrmu unit (and driver) and show it at work"
	@echo "make check   build, lint, KUnit, qtests, VM tests; last line: N passed, N failed"
	@echo "make bench   benchmarks (tools/testing/xrmu/bench/run)"
	@echo "make fuzz    the QEMU model under ASan/UBSan: qtests and a randomised run"

run:
	$(XRMU_H)/run-vm --iommu xrmu --dev nvme --dev edu --script $(XRMU_H)/demo.sh

check:
	$(XRMU_H)/check

bench:
	@if [ -x $(XRMU_H)/bench/run ]; then $(XRMU_H)/bench/run; \
	else echo "no benchmarks yet ($(XRMU_H)/bench/run absent)"; exit 1; fi

fuzz:
	$(XRMU_H)/scripts/fuzz.sh
