#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# pd-top on a terminal (a pseudo-terminal 60 columns wide): 30 rows by
# default and "... N more", names cut to the width with "...", no escape
# sequence from a hostile name; piped, every row and whole names.
# usage: terminal.py PD-TOP TESTDATA   Exit 0 pass, 1 fail.
import fcntl
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios

pd, testdata = sys.argv[1], sys.argv[2]


def on_terminal(args, cols=60):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 50, cols, 0, 0))
    # no CR added to LF, so that the bytes are pd-top's own
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    p = subprocess.Popen([pd] + args, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    out = b''
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    p.wait()
    return p.returncode, out


failures = 0


def check(cond, what):
    global failures
    print(('ok   ' if cond else 'FAIL ') + what)
    failures += not cond


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'many.folded')
    with open(path, 'w') as f:
        for i in range(40):
            name = 'function_%02d' % i + ('_with_a_very_long_name' * 4 if i == 0 else '')
            f.write('app;main;%s %d\n' % (name, 100 - i))
    st, out = on_terminal([path])
    lines = out.decode().split('\n')
    rows = [l for l in lines if 'function_' in l]
    check(st == 0, 'exit status 0 on a terminal')
    check(len(rows) == 30, '30 rows by default on a terminal (got %d)' % len(rows))
    check('... 11 more (--top 0 shows all)' in lines,
          '"... 11 more" (40 functions and main, 30 shown)')
    check(all(len(l) <= 60 for l in lines), 'no line wider than 60 columns')
    check(rows[0].endswith('...') and 'function_00_with' in rows[0],
          'the long name cut with "..."')
    st, out = on_terminal(['--top', '0', path])
    check(out.count(b'function_') == 40, '--top 0: all rows on a terminal')
    p = subprocess.run([pd, path], capture_output=True)
    check(p.stdout.count(b'function_') == 40, 'piped: all rows')
    check(b'_with_a_very_long_name' * 4 in p.stdout, 'piped: names whole')
    st, out = on_terminal([os.path.join(testdata, 'folded/top-hostile.folded')])
    check(st == 0 and b'\x1b' not in out and b'\x9b' not in out
          and b'\xc2\x9b' not in out and b'\xe2\x80\xae' not in out,
          'no escape, CSI or bidi override from names reaches the terminal')
    check(b'esc\\x1b[2Jclear' in out, 'ESC shown as \\x1b')

sys.exit(1 if failures else 0)
