#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-docs.sh - build Documentation/xrmu with the kernel's Sphinx setup and
# fail on any warning or error that concerns the xrmu documents.
#
# Usage: check-docs.sh <linux-6.12-source-tree> [output-dir]
#
# <linux-6.12-source-tree> must be a writable scratch copy: Documentation/xrmu
# is replaced in it and "xrmu/index" is added to Documentation/index.rst.
# The HTML output and the build log go to [output-dir] (default: a new
# temporary directory). Exit status: 0 clean, 1 warnings/errors, 2 usage.

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 <kernel-source-tree> [output-dir]" >&2
	exit 2
fi

ksrc=$(cd "$1" 2>/dev/null && pwd) || { echo "check-docs: no such directory: $1" >&2; exit 2; }
if [ ! -f "$ksrc/Documentation/conf.py" ] || [ ! -f "$ksrc/Documentation/index.rst" ]; then
	echo "check-docs: $ksrc does not look like a kernel source tree" >&2
	exit 2
fi

repo=$(cd "$(dirname "$0")/../../../.." && pwd)
docsrc=$repo/Documentation/xrmu
if [ ! -f "$docsrc/index.rst" ]; then
	echo "check-docs: $docsrc/index.rst not found" >&2
	exit 2
fi

if [ $# -ge 2 ]; then
	out=$2
	mkdir -p "$out" || exit 2
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/xrmu-docs.XXXXXX") || exit 2
fi
out=$(cd "$out" && pwd)
log=$out/check-docs.log

# Install the documents into the scratch tree.
rm -rf "$ksrc/Documentation/xrmu"
cp -a "$docsrc" "$ksrc/Documentation/xrmu" || exit 2

# Reference the book from the top-level index (needed for a full
# "make htmldocs"; harmless for the SPHINXDIRS build below).
if ! grep -q '^ *xrmu/index *$' "$ksrc/Documentation/index.rst"; then
	cat >> "$ksrc/Documentation/index.rst" <<'EOT'

xrmu I/O remapping unit
=======================

.. toctree::
   :maxdepth: 1

   xrmu/index
EOT
fi

echo "check-docs: building $ksrc/Documentation/xrmu -> $out/html"
make -C "$ksrc" BUILDDIR="$out/html" SPHINXDIRS=xrmu htmldocs >"$log" 2>&1
rc=$?

# Messages printed by the kernel's conf.py or Sphinx about the build
# environment rather than about a document.
env_noise='dot\(1\) not found|sphinx_rtd_theme|Using alabaster theme'

# Warnings/errors naming an xrmu file, plus any message that names no
# document at all (those can only come from this subtree build).
bad=$(grep -E '(WARNING|ERROR|SEVERE|CRITICAL)' "$log" |
	grep -Ev "$env_noise" |
	grep -E 'Documentation/xrmu/|^[^/]*(WARNING|ERROR|SEVERE|CRITICAL)' || true)

if [ $rc -ne 0 ]; then
	echo "check-docs: FAIL: make htmldocs exited with status $rc" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
if [ -n "$bad" ]; then
	echo "check-docs: FAIL: warnings/errors in Documentation/xrmu:" >&2
	echo "$bad" >&2
	exit 1
fi
if [ ! -f "$out/html/xrmu/index.html" ]; then
	echo "check-docs: FAIL: $out/html/xrmu/index.html was not produced" >&2
	exit 1
fi
echo "check-docs: OK (log: $log)"
exit 0
