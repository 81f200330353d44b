#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""progress: pd-collapse's progress line on a terminal.

Feeds a committed pipe-mode fixture to pd-collapse through a pipe, slowly
(over ~3 s), with stderr on a pseudo-terminal. After a second the progress
line must appear ("\\rpd-collapse: N MiB, N samples" and an erase to the end
of the line); at the end it must be cleared ("\\r\\033[K"), and stdout must
hold the same folded stacks as a run without a terminal. With stderr not a
terminal there must be no progress line at all.
usage: progress.py PD_COLLAPSE FIXTURE
"""
import os
import pty
import re
import subprocess
import sys
import time


def run(pd, data, tty):
    master = slave = None
    if tty:
        master, slave = pty.openpty()
    p = subprocess.Popen([pd], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=slave if tty else subprocess.PIPE)
    if slave is not None:
        os.close(slave)
    step = max(1, len(data) // 30)
    for i in range(0, len(data), step):  # 30 pieces over ~3 s
        p.stdin.write(data[i:i + step])
        p.stdin.flush()
        time.sleep(0.1)
    p.stdin.close()
    out = p.stdout.read()
    err = b''
    if tty:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
    else:
        err = p.stderr.read()
    return p.wait(), out, err


def main():
    pd, fixture = sys.argv[1], sys.argv[2]
    data = open(fixture, 'rb').read()
    st, out, err = run(pd, data, True)
    plain_st, plain_out, plain_err = run(pd, data, False)
    fails = []
    if st != 0 or plain_st != 0:
        fails.append('exit %d / %d' % (st, plain_st))
    if out != plain_out or not out:
        fails.append('stdout differs with stderr on a terminal')
    shown = re.findall(rb'\rpd-collapse: \d+ MiB, (\d+) samples\x1b\[K', err)
    if not shown:
        fails.append('no progress line on the terminal: %r' % err[:200])
    elif int(shown[-1]) == 0:
        fails.append('progress line counted no samples')
    if b'\r\x1b[K' not in err[err.rfind(b'samples'):]:
        fails.append('progress line not cleared at the end')
    if b'MiB' in plain_err:
        fails.append('progress line without a terminal: %r' % plain_err)
    for f in fails:
        print('FAIL:', f)
    if not fails:
        print('progress line shown %d times, then cleared; none without a '
              'terminal' % len(shown))
    return 1 if fails else 0


sys.exit(main())
