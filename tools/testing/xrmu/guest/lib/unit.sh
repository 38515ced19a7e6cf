# SPDX-License-Identifier: GPL-2.0
# xrmu harness: readers of a unit's debugfs files and other small helpers
# shared by the VM tests.  The unit is the debugfs directory in $x
# (/sys/kernel/debug/iommu/xrmu/<unit function>/), set by the test once
# the driver is loaded.

# cnt NAME: a driver counter of the unit (debugfs "counters")
cnt() { sed -n "s/^$1 //p" "$x/counters"; }
# reg NAME: a register of the unit (debugfs "regs"), in decimal
reg() { echo $(($(awk -v r="$1" '$1 == r { print $2 }' "$x/regs"))); }
# status: the unit's STATUS register, in decimal
status() { reg STATUS; }
# faults BDF: the fault records the driver logged for requester BDF
faults() { dmesg | grep -cE "xrmu(-sys)? [0-9A-Za-z:.]+: fault .* rid $1"; }
# now_cs: guest uptime in centiseconds
now_cs() {
	read -r _u _ </proc/uptime
	_u=${_u%.*}${_u#*.}
	echo $((_u))
}
# qmp JSON: one QMP command for the host to send (run-vm --qmp)
qmp() { echo "# XRMU-QMP $*"; }
# xrmu_load DESC DEV...: modprobe xrmu as the TAP point DESC with the
# drivers of the PCI functions DEV... (sysfs dirs) unbound meanwhile, then
# probe those again: a driver bound before its unit keeps a pass-through
# entry and no group ("driver bound before xrmu" in the log).
xrmu_load() {
	_xd=$1
	shift
	for _f in "$@"; do
		[ ! -e "$_f/driver" ] || basename "$_f" >"$_f/driver/unbind"
	done
	tap_ok "$_xd" modprobe xrmu
	for _f in "$@"; do
		[ -e "$_f/driver" ] || basename "$_f" >/sys/bus/pci/drivers_probe
	done
}
