#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pipe-size: pd-collapse reading a pipe enlarges it.

A pipe holds 64 KiB by default, and a 300 MB profile piped through one took
pd-collapse three times as long as reading the file (the writer and the
reader wake each other for every 64 KiB). pd-collapse asks for 1 MiB, or
fs.pipe-max-size when that is smaller. This starts pd-collapse on a pipe,
waits until the pipe's size changes (F_GETPIPE_SZ on our end: it is one
pipe), checks the new size, then feeds a committed pipe-mode fixture and
checks the output equals a run on the file.
usage: pipe-size.py PD_COLLAPSE FIXTURE
"""
import fcntl
import subprocess
import sys
import time

F_GETPIPE_SZ = 1032


def main():
    pd, fixture = sys.argv[1], sys.argv[2]
    with open('/proc/sys/fs/pipe-max-size') as f:
        want = min(1 << 20, int(f.read()))
    p = subprocess.Popen([pd], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    fd = p.stdin.fileno()
    before = size = fcntl.fcntl(fd, F_GETPIPE_SZ)
    deadline = time.monotonic() + 20
    while want > before and size == before and time.monotonic() < deadline:
        time.sleep(0.01)
        size = fcntl.fcntl(fd, F_GETPIPE_SZ)
    with open(fixture, 'rb') as f:
        data = f.read()
    out, err = p.communicate(data)
    ref = subprocess.run([pd, fixture], capture_output=True)
    ok = True
    if want > before and size != want:
        print('pipe size %d, want %d (was %d)' % (size, want, before))
        ok = False
    if p.returncode != 0 or out != ref.stdout or not out:
        print('through the pipe: exit %d, %d bytes; from the file: %d bytes'
              % (p.returncode, len(out), len(ref.stdout)))
        sys.stdout.write(err.decode(errors='replace'))
        ok = False
    if ok:
        print('pipe grew from %d to %d bytes; output as from the file'
              % (before, size))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
