# SPDX-License-Identifier: GPL-2.0
# xrmu harness: TAP for guest test scripts (busybox sh), on the kernel's
# own KTAP helpers (tools/testing/selftests/kselftest/ktap_helpers.sh of
# the fetched tree, copied to /xrmu/lib by build-initramfs.sh).  They
# print the lines; this file adds what the VM tests need on top: a
# result from an exit status, a command's output as diagnostics, and
# points imported from a program's "ok - " / "not ok - " lines.
# Usage:  . /xrmu/lib/tap.sh ; tap_plan 3 ; tap_ok "desc" cmd args... ;
#         tap_check COND_STATUS "desc" ; tap_skip "desc" "reason" ; tap_done
# tap_done exits 0 only if every planned test ran and none failed.
. /xrmu/lib/ktap_helpers.sh

# ktap_helpers.sh echoes descriptions unquoted: no globbing meanwhile.
_tap_noglob() {
	set -f
	"$@"
	set +f
}
tap_plan() { ktap_print_header; ktap_set_plan "$1"; }
tap_diag() { _tap_noglob ktap_print_msg "$*"; }
# tap_check STATUS DESC: record a result from an exit status.
tap_check() {
	if [ "$1" = 0 ]; then
		_tap_noglob ktap_test_pass "$2"
	else
		_tap_noglob ktap_test_fail "$2"
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
# tap_skip DESC [REASON]: a skipped point (the reason in the description).
tap_skip() { _tap_noglob ktap_test_skip "$1${2:+ ($2)}"; }
# tap_ran: how many points were printed so far
tap_ran() { echo $((KTAP_TESTNO - 1)); }
# tap_plan_late: a plan printed after the points (a count only known at the
# end): as many as ran
tap_plan_late() { ktap_set_plan "$(tap_ran)"; }
# tap_resume N PLAN: go on with a plan of PLAN points of which an earlier
# kernel printed N (kexec); those are judged from their own lines
tap_resume() {
	KTAP_TESTNO=$(($1 + 1))
	KTAP_CNT_PASS=$1
	KSFT_NUM_TESTS=$2
}
# tap_done: the totals, and exit 0 only if every planned point passed or
# was skipped.
tap_done() {
	[ "$((KTAP_TESTNO - 1))" = "$KSFT_NUM_TESTS" ] ||
		echo "# planned $KSFT_NUM_TESTS tests, ran $((KTAP_TESTNO - 1))"
	ktap_finished
}
