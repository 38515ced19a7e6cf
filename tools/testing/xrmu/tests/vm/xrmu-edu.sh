#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RUNVM: --iommu xrmu --dev nvme --dev edu --timeout 900
# BUNDLE: edu 40
#
# xrmu driver: DMA API through dma-iommu for a device that has no driver
# when xrmu.ko is loaded (edu): it must get a translating default domain;
# the xrmu_edu_test module then maps buffers with dma_map_single() and has
# edu copy them both ways, checking every byte, in the default domain,
# a strict DMA domain and pass-through.  Also checks the IOMMU
# groups against the topology: every covered function (all but the unit's
# own) has a group, each group's devices link to xrmu0, and the unit's
# sysfs attributes describe the unit.  Leaves edu unbound, in the group
# type it found.
. /xrmu/lib/tap.sh
. /xrmu/lib/pci.sh
. /xrmu/lib/edu.sh
. /xrmu/lib/unit.sh
tap_plan 12

# NVMe unbound while xrmu loads, so that the unit probes it.  If an
# earlier test of the bundle loaded xrmu with the disk bound, the driver's
# remedy: remove the function and rescan.
n=$(pci_find 0x1b36 0x0010 | head -n1)
xrmu_load "modprobe xrmu" $n
if [ -n "$n" ] && [ ! -e "$n/iommu_group" ]; then
	echo 1 >"$n/remove"
	echo 1 >/sys/bus/pci/rescan
fi
u=/sys/class/iommu/xrmu0
tap_ok "unit registered" test -d $u
tap_diag "version $(cat $u/xrmu/version) cap $(cat $u/xrmu/cap) ridrange $(cat $u/xrmu/ridrange) aw $(cat $u/xrmu/address_width) didw $(cat $u/xrmu/domain_id_bits) pgsizes $(cat $u/xrmu/page_sizes)"
tap_ok "sysfs version is 1.0" test "$(cat $u/xrmu/version)" = 1.0

x=$(pci_find 0x1af4 0x10f0 | head -n1)
tap_check $([ ! -e "$x/iommu_group" ]; echo $?) "the unit's own function is not covered"
bad=0
for d in /sys/bus/pci/devices/*; do
	[ "$d" = "$x" ] && continue
	if [ ! -e "$d/iommu_group" ]; then
		tap_diag "$(basename "$d") has no group"
		bad=1
	elif [ "$(basename "$(readlink "$d/iommu")")" != xrmu0 ]; then
		tap_diag "$(basename "$d") not linked to xrmu0"
		bad=1
	fi
done
tap_check $bad "every other function is in a group behind xrmu0"
ngroups=$(ls /sys/kernel/iommu_groups | wc -l)
ndev=$(ls $u/devices | wc -l)
tap_diag "$ngroups groups, $ndev devices behind xrmu0"
pci_list | sed 's/^/# /'
tap_check $([ "$ndev" -ge 3 ] && [ "$ngroups" -ge 3 ]; echo $?) "groups and devices listed"

e=$(pci_find 0x1234 0x11e8 | head -n1)
type=$(cat "$e/iommu_group/type" 2>/dev/null)
case $type in DMA|DMA-FQ) s=0 ;; *) s=1 ;; esac
tap_check $s "unbound edu got a translating default domain ($type)"
tap_ok "modprobe xrmu_edu_test" modprobe xrmu_edu_test
r=/sys/kernel/debug/xrmu_edu_test/$(basename "$e")
# debugfs files have size 0: count the results instead
sed 's/^/# /' "$r"
tap_check $(edu_ok "$r"; echo $?) "edu dma_map_single round trips (default domain, $type)"
echo "$(basename "$e")" >"$e/driver/unbind"
echo DMA >"$e/iommu_group/type"
echo "$(basename "$e")" >/sys/bus/pci/drivers/xrmu_edu_test/bind
sed 's/^/# /' "$r"
tap_check $(edu_ok "$r"; echo $?) "edu dma_map_single round trips (strict DMA domain)"
echo "$(basename "$e")" >"$e/driver/unbind"
echo identity >"$e/iommu_group/type"
echo "$(basename "$e")" >/sys/bus/pci/drivers/xrmu_edu_test/bind
sed 's/^/# /' "$r"
tap_check $(edu_ok "$r"; echo $?) "edu dma_map_single round trips (pass-through)"
dmesg | grep -E "xrmu(-sys)? [0-9A-Za-z:.]+: fault " | head -5 | sed 's/^/# /'
tap_check $(dmesg | grep -qE "xrmu(-sys)? [0-9A-Za-z:.]+: fault "; echo $((! $?))) "no xrmu fault reported"
echo "$(basename "$e")" >"$e/driver/unbind"
rmmod xrmu_edu_test
echo "$type" >"$e/iommu_group/type"
tap_done
