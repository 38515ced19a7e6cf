# SPDX-License-Identifier: GPL-2.0
# xrmu harness: block-device round trips for guest scripts (needs tap.sh).
# disk_pattern [MIB]: a random pattern of MIB MiB (default 16) in
# /tmp/pattern, its SHA-256 in $want.
disk_pattern() {
	PAT_MIB=${1:-16}
	dd if=/dev/urandom of=/tmp/pattern bs=1M count="$PAT_MIB" 2>/dev/null
	want=$(sha256sum </tmp/pattern | cut -d' ' -f1)
}
# disk_wait DISK [TRIES]: wait up to TRIES (default 100) times 0.2 s for
# /dev/DISK to appear; 0 if it is there
disk_wait() {
	_dw=0
	while [ ! -b "/dev/$1" ] && [ $_dw -lt "${2:-100}" ]; do
		sleep 0.2
		_dw=$((_dw + 1))
	done
	test -b "/dev/$1"
}
# disk_roundtrip DISK OFFSET: write the pattern to /dev/DISK at OFFSET MiB
# with O_DIRECT, drop the page cache, read it back with O_DIRECT; 0 if it
# is bit-exact (both hashes as a TAP diagnostic).
disk_roundtrip() {
	dd if=/tmp/pattern of="/dev/$1" bs=1M seek="$2" oflag=direct 2>/dev/null || return 1
	sync
	echo 3 >/proc/sys/vm/drop_caches
	got=$(dd if="/dev/$1" bs=1M skip="$2" count="$PAT_MIB" iflag=direct 2>/dev/null |
		sha256sum | cut -d' ' -f1)
	tap_diag "written $want read $got (at $2 MiB)"
	[ -n "$want" ] && [ "$want" = "$got" ]
}
# nvme_disks_by_bus BUS: the NVMe disks below bus BUS (d0, its function p0)
# and at or above it (d1, p1); each empty if there is none.  Needs pci.sh.
nvme_disks_by_bus() {
	d0= p0= d1= p1=
	for _b in /sys/block/nvme*n1; do
		[ -e "$_b" ] || continue
		_p=$(pci_of_block "${_b##*/}")
		if [ "$(pci_bus "$_p")" -ge "$1" ]; then
			d1=${_b##*/} p1=$_p
		else
			d0=${_b##*/} p0=$_p
		fi
	done
}
