#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qmp.py SOCKET COMMAND: send one QMP command (JSON) to a QEMU monitor.

run-vm --qmp uses it for the "# XRMU-QMP <json>" lines of a guest script.
Prints the events read on the way and the command's reply; exits 1 if the
reply is an error.  A command with "xrmu-retry": SECONDS (removed before
sending) is sent again every 0.2 s while QEMU answers with an error, for
at most SECONDS: a guest announces a command that only becomes valid once
it acted, e.g. system_wakeup before it suspends.  "xrmu-delay": SECONDS
(also removed) waits that long before the first send: for a command that
is valid at once but must reach the guest only after it acted, e.g. a
power-button press (system_powerdown) that wakes it from suspend to idle.
"""
import json
import socket
import sys
import time


def execute(f, cmd):
    f.write(json.dumps(cmd) + '\n')
    f.flush()
    while True:
        line = f.readline()
        if not line:
            raise EOFError('QMP connection closed')
        reply = json.loads(line)
        if 'event' in reply:
            print('event', json.dumps(reply))
            continue
        return reply


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = json.loads(sys.argv[2])
    retry = float(cmd.pop('xrmu-retry', 0))
    time.sleep(float(cmd.pop('xrmu-delay', 0)))
    deadline = time.monotonic() + retry
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(sys.argv[1])
        f = s.makefile('rw')
        json.loads(f.readline())
        execute(f, {'execute': 'qmp_capabilities'})
        reply = execute(f, cmd)
        while 'error' in reply and time.monotonic() < deadline:
            time.sleep(0.2)
            reply = execute(f, cmd)
    print(json.dumps(cmd), '->', json.dumps(reply))
    return 1 if 'error' in reply else 0


if __name__ == '__main__':
    sys.exit(main())
