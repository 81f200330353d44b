#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pd-diff's lines from shuffled input come out in the byte order of their
stacks, as Python's sorted() of the bytes gives it, from both of its
sorts (each file's lines, and with --report the stack table's):
seeded random stacks with long shared prefixes (crossing the sort's 8-byte
steps), bytes above 0x7f, control bytes, and stacks that are prefixes of
others.
usage: sort-bytes.py PD_DIFF"""
import os
import random
import subprocess
import sys
import tempfile

pd = sys.argv[1]
alpha = [b'a', b'b', b';', b'\xff', b'\x01', b'\x80', b'\x7f', b'x' * 9,
         b'pre;fix;' * 3]
with tempfile.TemporaryDirectory() as tmp:
    a, b = os.path.join(tmp, 'a.folded'), os.path.join(tmp, 'b.folded')
    for seed in range(200):
        r = random.Random(seed)
        base = [b''.join(r.choice(alpha) for _ in range(r.randint(0, 4)))
                for _ in range(5)]
        stacks = set()
        for _ in range(r.randint(1, 300)):
            s = r.choice(base) + b''.join(r.choice(alpha)
                                         for _ in range(r.randint(0, 12)))
            if s.strip(b' \t'):
                stacks.add(s.strip(b' \t'))
        lines = [s + b' %d\n' % r.randint(1, 9) for s in stacks]
        r.shuffle(lines)
        with open(a, 'wb') as f:
            f.writelines(lines)
        with open(b, 'wb') as f:
            f.writelines(lines[:len(lines) // 2 + 1])
        for report in ([], ['--report', os.path.join(tmp, 'r.json')]):
            out = subprocess.run([pd] + report + [a, b], capture_output=True)
            if out.returncode != 0:
                print('seed %d %s: exit %d: %s' % (seed, report, out.returncode,
                                                  out.stderr.decode(errors='replace')))
                sys.exit(1)
            got = [line.rsplit(b' ', 2)[0] for line in out.stdout.splitlines()]
            if got != sorted(stacks):
                print('seed %d %s: pd-diff order differs from the byte order'
                      % (seed, report))
                sys.exit(1)
print('200 seeded shuffled inputs: lines in the byte order of their stacks')
