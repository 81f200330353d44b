#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Seeded random folded files, sorted by stack (pd-diff's merge) and the
# same lines shuffled (each file sorted first; a malformed line goes to the
# stack table): both must give the same bytes and status, two files and
# runs per side, with and without -n; files with a malformed line must
# give the reader's message.
# usage: merge-random.py PD_DIFF  (exit 0 pass, 1 fail)
import os, random, subprocess, sys, tempfile

pd = sys.argv[1]
rng = random.Random(7)
CASES = 100
frames = ['a', 'b', 'a b', 'a\tb', 'x!', 'é', 'aa', '']

def stack():
    return ';'.join(rng.choice(frames[:-1]) for _ in range(rng.randint(1, 4)))

def folded(n):
    lines = []
    for _ in range(n):
        s = stack()
        sep = rng.choice([' ', ' ', '\t', '  '])
        end = rng.choice(['\n', '\n', '\r\n', ' \n'])
        lines.append((s.encode(), ('%s%d%s' % (sep, rng.randint(0, 50), end)).encode()))
        if rng.random() < 0.1:
            lines.append((b'', b'\n'))  # an empty line
    return lines

def write(path, lines, shuffle):
    lines = [l for l in lines]
    if shuffle:
        rng.shuffle(lines)
    else:
        lines.sort(key=lambda l: l[0])
    with open(path, 'wb') as f:
        f.write(b''.join(s + c for s, c in lines if s or c == b'\n'))

def run(args):
    r = subprocess.run([pd] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout, r.stderr

fails = 0
with tempfile.TemporaryDirectory() as d:
    for case in range(CASES):
        k = rng.choice([1, 1, 2, 3])
        sides = [[folded(rng.randint(0, 12)) for _ in range(k)] for _ in range(2)]
        paths = {}
        for shuffle in (False, True):
            for side in range(2):
                for i, lines in enumerate(sides[side]):
                    p = os.path.join(d, '%d%d%d' % (shuffle, side, i))
                    write(p, lines, shuffle)
                    paths[(shuffle, side, i)] = p
        for opts in ([], ['-n']):
            got = []
            for shuffle in (False, True):
                b = [paths[(shuffle, 0, i)] for i in range(k)]
                n = [paths[(shuffle, 1, i)] for i in range(k)]
                got.append(run(opts + (b + n if k == 1 else b + ['--'] + n)))
            if got[0] != got[1]:
                fails += 1
                print('case %d %s: sorted %r, shuffled %r' % (case, opts, got[0][:2], got[1][:2]))
        # A malformed line in a sorted file: the reader's message.
        p = paths[(False, 0, 0)]
        with open(p, 'ab') as f:
            f.write(b'zz;zz 1.5\n')
        merged = run([p, paths[(False, 1, 0)]])
        shuffled = paths[(True, 0, 0)]
        with open(shuffled, 'ab') as f:
            f.write(b'zz;zz 1.5\n')
        table = run([shuffled, paths[(True, 1, 0)]])
        if merged[0] != 65 or merged[2].replace(p.encode(), b'F').split(b':')[2:] != table[2].replace(shuffled.encode(), b'F').split(b':')[2:]:
            fails += 1
            print('case %d malformed: %r / %r' % (case, merged, table))
print("%d cases, %d disagreements" % (CASES, fails))
sys.exit(1 if fails else 0)
