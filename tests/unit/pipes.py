#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Every tool grows the pipes it reads and writes to 1 MiB (src/lib/pipes.c;
# the kernel's default is 64 KiB; pd-top's output, a few kB, stays as it
# is), and prints through the grown pipe the bytes it prints to a file. The pipe's size is read at this end, with
# F_GETPIPE_SZ, once the tool has exited.
# usage: pipes.py SRCDIR PD-COLLAPSE PD-DIFF PD-SVG PD-TOP  (exit 0 pass,
#   1 fail, 77 skip)
import fcntl
import os
import subprocess
import sys
import tempfile

F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032
src, collapse, diff, svg, top = sys.argv[1:6]
perf = os.path.join(src, 'testdata/perf/fp.data')
folded = os.path.join(src, 'testdata/folded/before.folded')
after = os.path.join(src, 'testdata/folded/after.folded')

# What the tools ask for. Above /proc/sys/fs/pipe-max-size only root
# gets it; others keep the pipe as it was.
want = 1 << 20
try:
    with open('/proc/sys/fs/pipe-max-size') as f:
        if int(f.read()) < want and os.geteuid() != 0:
            print('skip: pipe-max-size is below 1 MiB for this user')
            sys.exit(77)
except OSError:
    pass

failed = 0


def check(what, ok, detail=''):
    global failed
    print(('ok' if ok else 'FAIL') + ': ' + what + (' ' + detail if detail else ''))
    failed += not ok


def fresh_pipe():
    r, w = os.pipe()
    # A new pipe holds 64 KiB (or whatever this kernel gives): set it as
    # small as it goes (a page), so that a size of want can only be the
    # tool's doing.
    fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
    size = fcntl.fcntl(w, F_GETPIPE_SZ)
    check('a fresh pipe holds less than 1 MiB', size < want, '(%d)' % size)
    return r, w


def read_all(fd):
    out = b''
    while True:
        b = os.read(fd, 1 << 16)
        if not b:
            return out
        out += b


def stdout_case(name, argv):
    """argv's stdout a pipe: grown, and the same bytes as to a file."""
    with tempfile.TemporaryFile() as f:
        subprocess.run(argv, stdout=f, stderr=subprocess.DEVNULL)
        f.seek(0)
        to_file = f.read()
    r, w = fresh_pipe()
    p = subprocess.Popen(argv, stdout=w, stderr=subprocess.DEVNULL)
    os.close(w)
    out = read_all(r)
    p.wait()
    size = fcntl.fcntl(r, F_GETPIPE_SZ)
    os.close(r)
    check(name + ': stdout grown', size == want, '(%d, want %d)' % (size, want))
    check(name + ': same bytes as to a file', out == to_file and len(out) > 0,
          '(%d and %d bytes)' % (len(out), len(to_file)))


def stdin_case(name, argv, data):
    """argv's stdin a pipe: grown (data fits in the 4 KiB pipe)."""
    r, w = fresh_pipe()
    os.write(w, data)
    os.close(w) # the tool reads to the end; its size is read at r
    p = subprocess.Popen(argv, stdin=r, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    p.wait()
    size = fcntl.fcntl(r, F_GETPIPE_SZ)
    os.close(r)
    check(name + ': stdin grown', size == want, '(%d, want %d)' % (size, want))


with open(folded, 'rb') as f:
    small = f.read()[:4000]
stdout_case('pd-collapse', [collapse, perf])
stdout_case('pd-diff', [diff, folded, after])
stdout_case('pd-svg', [svg, folded])
stdin_case('pd-collapse', [collapse, '-'], b'')
stdin_case('pd-diff', [diff, '-', after], small)
stdin_case('pd-svg', [svg], small)
stdin_case('pd-top', [top], small)
sys.exit(1 if failed else 0)
