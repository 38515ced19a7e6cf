# SPDX-License-Identifier: GPL-2.0
# xrmu harness: shared shell helpers (sourced, not executed).
#
# Cache layout (never inside the git clone):
#   $XC/src/          downloaded sources (QEMU orig tarball)
#   $XC/linux/        pristine + working kernel tree, build-<config>/
#   $XC/qemu/         pristine + working QEMU tree, build/
#   $XC/initramfs/    base initramfs per config
#   $XC/logs/         full logs of the last run of every step
#   $XC/tmp/          scratch (temp dirs, run-vm scratch)
# Every cache entry carries a stamp file holding the key of its inputs; an
# entry whose stamp is missing or differs is rebuilt.  Unpacked trees are
# produced in a temp dir and renamed into place only when complete.

XRMU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
XRMU_H=$XRMU_TOP/tools/testing/xrmu
XC=${XRMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xrmu}
mkdir -p "$XC/logs" "$XC/tmp"
XC=$(cd "$XC" && pwd -P)
XLOG=$XC/logs
JOBS=${XRMU_JOBS:-2}

# Linux: Debian's linux-source-7.3 (trixie-backports), fetched by fetch.sh
# with `apt-get download` and unpacked with `dpkg-deb -x` (the package holds
# only a tarball); the cache is keyed by the package version fetch.sh records.
LINUX_SERIES=7.3
LINUX_PKG=linux-source-$LINUX_SERIES
LINUX_SUITE=trixie-backports
LINUX_TARBALL=$XC/src/linux/linux-source-$LINUX_SERIES.tar.xz
QEMU_VERSION=10.0.2
QEMU_TARBALL=$XC/src/qemu/qemu_${QEMU_VERSION}+ds.orig.tar.xz

LINUX_PRISTINE=$XC/linux/pristine
LINUX_TREE=$XC/linux/src
QEMU_PRISTINE=$XC/qemu/pristine
QEMU_TREE=$XC/qemu/src
# XRMU_QEMU_BUILD: developer override (a QEMU build dir made elsewhere).
QEMU_BUILD=${XRMU_QEMU_BUILD:-$XC/qemu/build}

xmsg() { echo "[xrmu] $*"; }
xdie() { echo "[xrmu] ERROR: $*" >&2; exit 1; }

# Print the last lines of a log after a failure.
xtail() {
	local log=$1 n=${2:-40}
	echo "---- last $n lines of $log ----" >&2
	tail -n "$n" "$log" >&2 || true
	echo "---- end of $log ----" >&2
}

# run_logged LOG CMD...: run CMD with all output to LOG; on failure print
# the tail of LOG and return the command's status.
run_logged() {
	local log=$1 rc=0
	shift
	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		echo "[xrmu] FAILED ($rc): $*" >&2
		xtail "$log"
	fi
	return "$rc"
}

# hash_paths PATH...: stable hash of the names and contents of all regular
# files under the given paths (missing paths hash as "absent").
hash_paths() {
	local p
	for p in "$@"; do
		if [ -d "$p" ]; then
			echo "dir $p"
			(cd "$p" && find . -type f ! -name '*.o' ! -name '*.ko' \
				! -name '.*.cmd' ! -name '*.mod*' ! -name 'Module.symvers' \
				! -name 'modules.order' -print0 | LC_ALL=C sort -z |
				xargs -0r sha256sum)
		elif [ -f "$p" ]; then
			echo "file $p $(sha256sum <"$p")"
		else
			echo "absent $p"
		fi
	done | sha256sum | cut -c1-16
}

hash_str() { echo "$*" | sha256sum | cut -c1-16; }

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
stamp_set() { echo "$2" >"$1.tmp" && mv -f "$1.tmp" "$1"; }

linux_src_version() {
	cat "$LINUX_TARBALL.version" 2>/dev/null || echo unknown
}


# unpack_once TARBALL DEST KEY: unpack a tarball (single top dir) into DEST
# atomically; skip when DEST's stamp matches KEY.
unpack_once() {
	local tarball=$1 dest=$2 key=$3 tmp top
	if stamp_ok "$dest.stamp" "$key" && [ -d "$dest" ]; then
		return 0
	fi
	rm -rf "$dest" "$dest.stamp"
	tmp=$(mktemp -d "$(dirname "$dest")/.unpack.XXXXXX")
	tar -xf "$tarball" -C "$tmp"
	top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
	[ -n "$top" ] || xdie "empty tarball $tarball"
	mv "$top" "$dest"
	rm -rf "$tmp"
	stamp_set "$dest.stamp" "$key"
}

# copy_once SRC DEST KEY: full copy of a pristine tree as working tree.
copy_once() {
	local src=$1 dest=$2 key=$3 tmp
	if stamp_ok "$dest.stamp" "$key" && [ -d "$dest" ]; then
		return 0
	fi
	rm -rf "$dest" "$dest.stamp"
	tmp=$(mktemp -d "$(dirname "$dest")/.copy.XXXXXX")
	cp -a "$src/." "$tmp/"
	rm -f "$tmp/.xrmu-touched"
	mv "$tmp" "$dest"
	stamp_set "$dest.stamp" "$key"
}

# overlay_tree PRISTINE TREE PATCHDIR FIXUP EXTRA_FILES OVERLAY...
#
# Make TREE equal to PRISTINE + PATCHDIR/*.patch (patch -p1, name order) +
# overlays (each "SRCDIR:RELDEST", copied over) + FIXUP (a shell function
# run on the staging dir, may edit EXTRA_FILES).  Only files touched now or
# on the previous call are considered, and a file is rewritten only when its
# content changes, so make/ninja rebuild exactly what changed.
overlay_tree() {
	local pristine=$1 tree=$2 patchdir=$3 fixup=$4 extra=$5
	shift 5
	local stage list cand f pair src dst p
	stage=$(mktemp -d "$XC/tmp/stage.XXXXXX")
	list=$stage.list
	cand=$stage.cand
	{
		for p in "$patchdir"/*.patch; do
			[ -f "$p" ] || continue
			grep -E '^(\+\+\+|---) ' "$p" | awk '{print $2}' |
				grep -v '^/dev/null$' | sed -E 's#^[^/]+/##'
		done
		for pair in "$@"; do
			src=${pair%%:*}
			dst=${pair#*:}
			[ -d "$src" ] || continue
			(cd "$src" && find . -type f) | sed "s#^\./#$dst/#; s#^/##"
		done
		for f in $extra; do echo "$f"; done
	} | LC_ALL=C sort -u >"$list"
	LC_ALL=C sort -u "$list" "$tree/.xrmu-touched" 2>/dev/null >"$cand" ||
		LC_ALL=C sort -u "$list" >"$cand"
	while IFS= read -r f; do
		if [ -f "$pristine/$f" ]; then
			mkdir -p "$stage/$(dirname "$f")"
			cp -p "$pristine/$f" "$stage/$f"
		fi
	done <"$cand"
	for p in "$patchdir"/*.patch; do
		[ -f "$p" ] || continue
		if ! patch -d "$stage" -p1 -s -f --no-backup-if-mismatch <"$p"; then
			rm -rf "$stage" "$list" "$cand"
			xdie "patch $p does not apply"
		fi
	done
	for pair in "$@"; do
		src=${pair%%:*}
		dst=${pair#*:}
		[ -d "$src" ] || continue
		mkdir -p "$stage/$dst"
		cp -R "$src/." "$stage/$dst/"
	done
	[ -z "$fixup" ] || "$fixup" "$stage"
	while IFS= read -r f; do
		if [ -f "$stage/$f" ]; then
			if ! cmp -s "$stage/$f" "$tree/$f"; then
				mkdir -p "$tree/$(dirname "$f")"
				cp "$stage/$f" "$tree/$f.xrmu-tmp"
				chmod --reference="$stage/$f" "$tree/$f.xrmu-tmp"
				mv -f "$tree/$f.xrmu-tmp" "$tree/$f"
			fi
		else
			rm -f "$tree/$f"
		fi
	done <"$cand"
	mv -f "$list" "$tree/.xrmu-touched"
	rm -rf "$stage" "$cand"
}

# xlock NAME: serialize concurrent harness runs on one cache entry (held
# until the calling script exits).
xlock() {
	exec 9>"$XC/.lock-$1"
	if ! flock -n 9; then
		xmsg "waiting for another harness run ($1 lock)"
		flock 9
	fi
}
