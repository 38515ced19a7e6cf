#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kunit-cases.py RESULT.json: one line per KUnit test case of a
kunit.py --json result, "STATUS suite[.subsuite].case", STATUS being
kunit_json's PASS, FAIL, SKIP or ERROR (crashed).  check counts each
line as one point; exit status 1 if the file has no test case."""

import json
import sys


def cases(group, prefix):
    """Yield (status, name) for every case below a kunit_json group."""
    for sub in group.get('sub_groups', []):
        yield from cases(sub, prefix + [sub['name']])
    for case in group.get('test_cases', []):
        yield case['status'], '.'.join(prefix + [case['name']])


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        top = json.load(f)
    n = 0
    for status, name in cases(top, []):
        print(status, name)
        n += 1
    return 0 if n else 1


if __name__ == '__main__':
    sys.exit(main())
