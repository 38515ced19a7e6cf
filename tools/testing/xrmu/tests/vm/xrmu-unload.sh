#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu none --qemu -device --qemu xrmu-pci,did-bits=15,bus-first=200,bus-last=255 --timeout 900
# REQUIRES: model driver
#
# xrmu driver load/unload: the only unit covers buses 200-255, where there
# is no device, so the module may be removed.  50
# modprobe/rmmod cycles must each register and unregister the unit and
# leave no leak (kmemleak) and no splat (run-vm scans the log).
. /xrmu/lib/tap.sh
tap_plan 4

ok=0
i=0
while [ $i -lt 50 ]; do
	modprobe xrmu || { ok=1; break; }
	[ -e /sys/class/iommu/xrmu0 ] || { tap_diag "cycle $i: no xrmu0"; ok=1; }
	rmmod xrmu || { ok=1; break; }
	[ ! -e /sys/class/iommu/xrmu0 ] || { tap_diag "cycle $i: xrmu0 left"; ok=1; }
	i=$((i + 1))
done
tap_diag "$i cycles"
tap_check $ok "50 modprobe/rmmod cycles"
tap_check $([ "$i" = 50 ]; echo $?) "all cycles completed"
modprobe xrmu
tap_ok "unit registered again" test -e /sys/class/iommu/xrmu0
if [ -w /sys/kernel/debug/kmemleak ]; then
	rmmod xrmu
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(grep -c "unreferenced object" /sys/kernel/debug/kmemleak)
	head -40 /sys/kernel/debug/kmemleak | sed 's/^/# /'
	tap_check $([ "$leaks" = 0 ]; echo $?) "no kmemleak report ($leaks)"
else
	tap_skip "no kmemleak report" "kernel without kmemleak"
fi
tap_done
