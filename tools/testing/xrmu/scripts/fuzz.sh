#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xrmu `make fuzz`: the model under AddressSanitizer and UBSan.
#
#  1. build-qemu.sh brings the QEMU working tree up to date (model files
#     and patches), then a second build directory, $XC/qemu/build-asan, is
#     configured with --enable-asan --enable-ubsan and builds
#     qemu-system-x86_64 and the model's qtest;
#  2. the whole qtest suite runs once against the sanitized binary;
#  3. the randomised qtest case /x86_64/xrmu/fuzz runs for
#     XRMU_FUZZ_SEEDS seeds (default 8, seeds 1..N) of XRMU_FUZZ_ITERS
#     operations each (default 50000): random register writes, random
#     table and queue contents, edu DMA and MSIs at random addresses;
#     each seed is one point, failing on an assertion or a sanitizer
#     report (halt_on_error), with its wall time and rate.
# Last line: "N passed, N failed".  Not part of `make check` (the
# sanitized build alone takes longer than the check's budget allows).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SEEDS=${XRMU_FUZZ_SEEDS:-8}
ITERS=${XRMU_FUZZ_ITERS:-50000}
B=$XC/qemu/build-asan
PASS=0
FAIL=0
L=$XLOG/fuzz-$(date +%Y%m%d-%H%M%S)
mkdir -p "$L"

point() { # point pass|fail NAME [LOG]
	if [ "$1" = pass ]; then
		PASS=$((PASS + 1))
		echo "ok $((PASS + FAIL)) - $2"
	else
		FAIL=$((FAIL + 1))
		echo "not ok $((PASS + FAIL)) - $2"
		[ -z "${3:-}" ] || tail -n 30 "$3" | sed 's/^/# /'
	fi
}

"$XRMU_H/scripts/build-qemu.sh" >"$L/build-qemu.log" 2>&1 ||
	{ tail -n 20 "$L/build-qemu.log"; xdie "QEMU build failed"; }

flags="--target-list=x86_64-softmmu --python=/usr/bin/python3
 --disable-download --disable-docs --disable-install-blobs
 --enable-asan --enable-ubsan"
cfgkey=$(hash_str "$(cat "$QEMU_TREE/VERSION")" $flags)
xlock "qemu"
if ! stamp_ok "$B/xrmu-configured" "$cfgkey" || [ ! -f "$B/build.ninja" ]; then
	xmsg "QEMU (ASan, UBSan): configure (log: $L/configure.log)"
	rm -rf "$B"
	mkdir -p "$B"
	# shellcheck disable=SC2086
	(cd "$B" && "$QEMU_TREE/configure" $flags) >"$L/configure.log" 2>&1 ||
		{ tail -n 20 "$L/configure.log"; xdie "configure failed"; }
	stamp_set "$B/xrmu-configured" "$cfgkey"
fi
t0=$(date +%s)
xmsg "QEMU (ASan, UBSan): ninja -j$JOBS (log: $L/build.log)"
(cd "$B" && ninja -j"$JOBS" qemu-system-x86_64 tests/qtest/xrmu-test) >"$L/build.log" 2>&1 ||
	{ tail -n 40 "$L/build.log"; xdie "sanitized build failed"; }
xmsg "sanitized build: $(($(date +%s) - t0)) s"
share=$B/qemu-bundle/usr/local/share/qemu
mkdir -p "$share"
for f in /usr/share/seabios/* /usr/share/qemu/*; do
	[ -f "$f" ] || continue
	[ -e "$share/$(basename "$f")" ] || ln -sf "$f" "$share/$(basename "$f")"
done
exec 9>&-

# Leak reports are off: QEMU frees little at exit by design, and the
# qtest kills the binary.  Every other report stops the process.
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export QTEST_QEMU_BINARY=./qemu-system-x86_64
qt=$B/tests/qtest/xrmu-test
san='ERROR: AddressSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer'

echo "TAP version 13"
echo "1..$((1 + SEEDS))"
t0=$(date +%s)
(cd "$B" && timeout 1800 "$qt" --tap -k) >"$L/suite.log" 2>&1
rc=$?
n=$(grep -c '^ok ' "$L/suite.log")
bad=$(grep -c '^not ok ' "$L/suite.log")
if [ "$rc" = 0 ] && [ "$bad" = 0 ] && [ "$n" -gt 0 ] && ! grep -qE "$san" "$L/suite.log"; then
	point pass "qtest suite under ASan/UBSan: $n cases ($(($(date +%s) - t0)) s)"
else
	point fail "qtest suite under ASan/UBSan: $n ok, $bad not ok, exit $rc" "$L/suite.log"
fi

total=0
secs=0
for s in $(seq 1 "$SEEDS"); do
	log=$L/fuzz-seed$s.log
	t1=$(date +%s%N)
	(cd "$B" && XRMU_FUZZ_SEED=$s XRMU_FUZZ_ITERS=$ITERS timeout 1800 \
		"$qt" --tap -p /x86_64/xrmu/fuzz) >"$log" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - t1) / 1000000))
	total=$((total + ITERS))
	secs=$((secs + ms))
	if [ "$rc" = 0 ] && grep -q '^ok ' "$log" && ! grep -qE "$san" "$log"; then
		point pass "seed $s: $ITERS operations in $ms ms ($((ITERS * 1000 / (ms + 1))) ops/s), no sanitizer report"
	else
		point fail "seed $s: exit $rc" "$log"
	fi
done
echo "# $total random operations over $SEEDS seeds in $((secs / 1000)) s (logs: $L)"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
