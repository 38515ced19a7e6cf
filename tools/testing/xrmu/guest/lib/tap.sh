# SPDX-License-Identifier: GPL-2.0
# xrmu harness: TAP helpers for guest test scripts (busybox sh).
# Usage:  . /xrmu/lib/tap.sh ; tap_plan 3 ; tap_ok "desc" cmd args... ;
#         tap_check COND_STATUS "desc" ; tap_skip "desc" "reason" ; tap_done
# tap_done exits 0 only if every planned test ran and none failed.
TAP_N=0
TAP_FAIL=0
TAP_PLAN=
tap_plan() { TAP_PLAN=$1; echo "TAP version 13"; echo "1..$1"; }
tap_diag() { echo "# $*"; }
# tap_check STATUS DESC: record a result from an exit status.
tap_check() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAIL=$((TAP_FAIL + 1))
	fi
}
# tap_ok DESC CMD...: run CMD (output shown as diagnostics), record status.
tap_ok() {
	_d=$1
	shift
	_o=$("$@" 2>&1)
	_s=$?
	[ -z "$_o" ] || echo "$_o" | sed 's/^/# /'
	tap_check "$_s" "$_d"
}
# tap_import FILE N PREFIX STATUS: one point per "ok - " / "not ok - " line
# of a program's output in FILE (other lines shown), PREFIX before each
# description; points short of N fail ("not reached", STATUS its exit).
tap_import() {
	_n=0
	while IFS= read -r _l; do
		case $_l in
		"ok - "*) _n=$((_n + 1)); tap_check 0 "$3${_l#ok - }" ;;
		"not ok - "*) _n=$((_n + 1)); tap_check 1 "$3${_l#not ok - }" ;;
		*) echo "$_l" ;;
		esac
	done <"$1"
	while [ "$_n" -lt "$2" ]; do
		_n=$((_n + 1))
		tap_check 1 "${3}check $_n not reached (exit $4)"
	done
}
tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP ${2:-}"
}
tap_done() {
	if [ -n "$TAP_PLAN" ] && [ "$TAP_N" != "$TAP_PLAN" ]; then
		echo "# planned $TAP_PLAN tests, ran $TAP_N"
		exit 1
	fi
	[ "$TAP_FAIL" = 0 ]
	exit $?
}
