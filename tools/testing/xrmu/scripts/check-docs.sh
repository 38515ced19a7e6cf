#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-docs.sh - check Documentation/xrmu: static checks of the
# specification's bit-field tables and conformance citations, then a build
# with the kernel's Sphinx setup that fails on any warning or error that
# concerns the xrmu documents. Takes about 15 s.
#
# Usage: check-docs.sh <linux-source-tree> [output-dir]
#
# <linux-source-tree> must be a writable scratch copy: Documentation/xrmu
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

# Static checks of the specification text, independent of Sphinx:
#  - every list-table titled "... (N bits)" covers bits 0..N-1 exactly
#    once (rows start with "hi:lo", "n" or "qwK[hi:lo]");
#  - tables with the same title (chapter and quick reference) agree;
#  - every sentence containing "must" cites a conformance rule R<n>.
python3 - "$docsrc" <<'EOPY' || { echo "check-docs: FAIL: static checks" >&2; exit 1; }
import collections, glob, re, sys

def tables(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        m = re.match(r'\.\. list-table:: (.*\((\d+) bits\))\s*$', lines[i])
        i += 1
        if not m:
            continue
        rows, cur = [], None
        while i < len(lines) and (lines[i].startswith('   ') or not lines[i].strip()):
            l = lines[i]
            if l.startswith('   * - '):
                cur = [l[7:].strip()]
                rows.append(cur)
            elif l.startswith('     - ') and cur is not None:
                cur.append(l[7:].strip())
            i += 1
        yield m.group(1), int(m.group(2)), rows[1:]

# The specification proper is the ":numbered:" toctree of index.rst;
# other books in the directory (the user guide) are not checked here.
def spec_files(d):
    lines = open(d + '/index.rst', encoding='utf-8').read().split('\n')
    files, i = [], 0
    while i < len(lines):
        if lines[i].startswith('.. toctree::'):
            block = []
            i += 1
            while i < len(lines) and (lines[i].startswith('   ') or not lines[i].strip()):
                block.append(lines[i].strip())
                i += 1
            if ':numbered:' in block:
                files += [d + '/' + b + '.rst' for b in block if b and not b.startswith(':')]
        else:
            i += 1
    return files

errors = 0
def err(msg):
    global errors
    errors += 1
    print('check-docs: ' + msg)

files = spec_files(sys.argv[1])
if len(files) < 10:
    err('index.rst: numbered specification toctree not found')
seen = collections.defaultdict(list)
for f in files:
    name = f.rsplit('/', 1)[-1]
    for title, size, rows in tables(f):
        seen[title].append((name, [tuple(r[:2]) for r in rows]))
        owner = [None] * size
        for r in rows:
            m = re.match(r'^(?:qw(\d)\[)?(\d+)(?::(\d+))?\]?$', r[0])
            if not m:
                err('%s: %s: bad bit range %r' % (name, title, r[0]))
                continue
            base = 64 * int(m.group(1) or 0)
            hi = int(m.group(2))
            lo = int(m.group(3)) if m.group(3) else hi
            if lo > hi or (m.group(1) and hi > 63):
                err('%s: %s: bad bit range %r' % (name, title, r[0]))
                continue
            for b in range(base + lo, base + hi + 1):
                if b >= size:
                    err('%s: %s: %s beyond %d bits' % (name, title, r[0], size))
                    break
                if owner[b] is not None:
                    err('%s: %s: bit %d in %s and %s' % (name, title, b, owner[b], r[1]))
                owner[b] = r[1]
        gaps = [b for b in range(size) if owner[b] is None]
        if gaps:
            err('%s: %s: bits not covered: %s' % (name, title, gaps))
for title, uses in seen.items():
    for name, rows in uses[1:]:
        if rows != uses[0][1]:
            err('%s and %s disagree on %s' % (uses[0][0], name, title))

for f in files:
    flat = re.sub(r'\s+', ' ', open(f, encoding='utf-8').read())
    for m in re.finditer(r'\bmust\b', flat, re.I):
        s = flat.rfind('. ', 0, m.start())
        e = flat.find('. ', m.end())
        sent = flat[max(s, 0):(e if e >= 0 else len(flat))]
        if not re.search(r'\bR\d+\b', sent):
            err('%s: "must" without a rule: %s' % (f.rsplit('/', 1)[-1], sent.strip()[:160]))
for bad in ('TBD', 'TODO', 'FIXME', 'XXX'):
    for f in files:
        if re.search(r'\b%s\b' % bad, open(f, encoding='utf-8').read()):
            err('%s: contains %s' % (f.rsplit('/', 1)[-1], bad))
print('check-docs: static checks: %d files, %d bit-field tables, %d problem(s)' %
      (len(files), sum(len(u) for u in seen.values()), errors))
sys.exit(1 if errors else 0)
EOPY

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
