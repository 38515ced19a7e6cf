# SPDX-License-Identifier: GPL-2.0
# xrmu harness: PCI helpers for guest scripts (busybox has no lspci).
# pci_find VENDOR DEVICE: print the sysfs dirs of matching functions
# (IDs as in sysfs, e.g. 0x1af4 0x10f0).
pci_find() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor")" = "$1" ] && [ "$(cat "$_d/device")" = "$2" ] &&
			echo "$_d"
	done
	return 0
}
# pci_list: one line per function: BDF vendor device class driver group
pci_list() {
	for _d in /sys/bus/pci/devices/*; do
		_drv=-
		[ -e "$_d/driver" ] && _drv=$(basename "$(readlink "$_d/driver")")
		_grp=-
		[ -e "$_d/iommu_group" ] && _grp=$(basename "$(readlink "$_d/iommu_group")")
		echo "$(basename "$_d") $(cat "$_d/vendor"):$(cat "$_d/device") class=$(cat "$_d/class") driver=$_drv group=$_grp"
	done
}
# pci_of_block DISK: sysfs dir of the PCI function behind a block disk.
pci_of_block() {
	_p=$(readlink -f "/sys/block/$1/device")
	while [ -n "$_p" ] && [ "$_p" != / ]; do
		[ -f "$_p/vendor" ] && [ -f "$_p/config" ] && { echo "$_p"; return 0; }
		_p=$(dirname "$_p")
	done
	return 1
}
# vfio_bind DEV: hand the function at sysfs dir DEV to vfio-pci
vfio_bind() {
	echo vfio-pci >"$1/driver_override"
	[ ! -e "$1/driver" ] || echo "$(basename "$1")" >"$1/driver/unbind"
	echo "$(basename "$1")" >/sys/bus/pci/drivers/vfio-pci/bind
	[ "$(basename "$(readlink "$1/driver")")" = vfio-pci ]
}
# pci_bus DEV: the bus number of a function (sysfs dir or BDF), decimal
pci_bus() { echo $((0x$(basename "$1" | cut -d: -f2))); }
# pci_iommu DEV: the IOMMU the function is linked to, or nothing
pci_iommu() { basename "$(readlink "$1/iommu" 2>/dev/null)" 2>/dev/null; }
# pci_translated DEV: 0 if the function's group has a DMA (or DMA-FQ) domain
pci_translated() {
	case $(cat "$1/iommu_group/type" 2>/dev/null) in
	DMA | DMA-FQ) true ;;
	*) false ;;
	esac
}
