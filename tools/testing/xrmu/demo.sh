#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xrmu demo, run inside the guest by `make run` (run-vm --iommu xrmu
# --dev nvme --dev edu --script demo.sh).  Shows the unit, loads the driver
# when it is built, and shows it at work.  Driver engineer: extend the
# "driver at work" section.
. /xrmu/lib/pci.sh
hr() { echo; echo "=== $* ==="; }

hr "PCI functions (BDF vendor:device class driver iommu-group)"
pci_list

u=$(pci_find 0x1af4 0x10f0 | head -n1)
if [ -z "$u" ]; then
	echo "no xrmu unit (1af4:10f0) found"
	exit 1
fi
hr "xrmu unit at $(basename "$u")"
for r in "0x000 r32 VERSION" "0x008 r64 CAP" "0x010 r64 RIDRANGE" "0x020 r32 CTRL" "0x024 r32 STATUS"; do
	set -- $r
	printf '  %-9s (0x%03x) = %s\n' "$3" "$1" "$(pcimem "$u/resource0" "$1" "$2")"
done

ko=$(find /lib/modules -name xrmu.ko | head -n1)
if [ -z "$ko" ]; then
	hr "driver"
	echo "xrmu.ko not built yet (drivers/iommu/xrmu has no Kconfig): unit shown only"
	exit 0
fi

hr "loading the driver: modprobe xrmu"
modprobe xrmu || { echo "modprobe xrmu failed"; exit 1; }
dmesg | grep -i xrmu | tail -n 20

hr "IOMMU instances and groups"
ls /sys/class/iommu/ 2>/dev/null
for g in /sys/kernel/iommu_groups/*; do
	[ -d "$g" ] || continue
	echo "group $(basename "$g") type=$(cat "$g/type" 2>/dev/null): $(ls "$g/devices" | tr '\n' ' ')"
done

if [ -b /dev/nvme0n1 ]; then
	# nvme was bound before the driver loaded, so it got an identity
	# domain; move it to a translating (strict DMA) domain.
	nv=$(pci_of_block nvme0n1)
	bdf=$(basename "$nv")
	hr "nvme $bdf: unbind, group $(basename "$(readlink "$nv/iommu_group")") -> DMA domain, rebind"
	echo "$bdf" >/sys/bus/pci/drivers/nvme/unbind
	echo DMA >"$nv/iommu_group/type" || echo "  could not change the group type"
	echo "$bdf" >/sys/bus/pci/drivers/nvme/bind
	i=0
	while [ ! -b /dev/nvme0n1 ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
	echo "  group type now: $(cat "$nv/iommu_group/type")"
	hr "DMA round-trip through the unit: 16 MiB to nvme and back (O_DIRECT)"
	dd if=/dev/urandom of=/tmp/p bs=1M count=16 2>/dev/null
	a=$(sha256sum </tmp/p | cut -d' ' -f1)
	dd if=/tmp/p of=/dev/nvme0n1 bs=1M oflag=direct 2>/dev/null
	b=$(dd if=/dev/nvme0n1 bs=1M count=16 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
	echo "  written $a"
	echo "  read    $b"
	[ "$a" = "$b" ] && echo "  match" || { echo "  MISMATCH"; exit 1; }
fi

hr "unit counters"
for r in "0x110 CNT_XLATE" "0x118 CNT_FAULT" "0x130 CNT_IOTLB_HIT" "0x138 CNT_IOTLB_MISS" "0x140 CNT_CMD"; do
	set -- $r
	printf '  %-14s = %s\n' "$2" "$(pcimem "$u/resource0" "$1" r64)"
done
