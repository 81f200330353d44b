#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pd-diff on large shuffled files (read in parts, a thread each, into a
hash table of distinct stacks, sorted on threads): the two-file form
equals the sums Python computes, lines in the byte order of their stacks;
runs per side and -n equal the stack table's output (what --report
takes). Seeded stacks with long shared prefixes, stacks that are prefixes
of others, bytes above 0x7f, a stack repeated within a file; orders
that defeat the sort's pivots, and many equal stacks ending in NULs;
files of several MB read in parts on threads.
usage: shuffled-large.py PD_DIFF"""
import os
import random
import subprocess
import sys
import tempfile

pd = sys.argv[1]
r = random.Random(11)
frames = [b'main', b'run', b'mod::f\xc3\xa9', b'x', b'std::vector<int>::push_back',
          b'a b', b'[unknown]']
stacks = set()
while len(stacks) < 20000:
    s = b';'.join(r.choice(frames) for _ in range(r.randint(1, 14)))
    stacks.add(s)
    if r.random() < 0.1:
        stacks.add(s[:r.randint(1, len(s))].strip(b' ;') or b'x')
stacks = sorted(stacks)


def side(p):
    """A file's lines (a stack now and then twice) and its sums."""
    lines, sums = [], {}
    for s in stacks:
        if r.random() < p:
            for _ in range(2 if r.random() < 0.05 else 1):
                c = r.randint(0, 40)
                lines.append(b'%s %d\n' % (s, c))
                sums[s] = sums.get(s, 0) + c
    r.shuffle(lines)
    return lines, sums


def run(args):
    out = subprocess.run([pd] + args, capture_output=True)
    if out.returncode != 0:
        print('pd-diff %s: exit %d: %s' % (' '.join(args), out.returncode,
                                           out.stderr.decode(errors='replace')))
        sys.exit(1)
    return out.stdout


fails = 0
with tempfile.TemporaryDirectory() as d:
    paths, sums = [], []
    for k, p in enumerate((0.8, 0.7, 0.75, 0.6)):
        lines, s = side(p)
        paths.append(os.path.join(d, '%d.folded' % k))
        with open(paths[-1], 'wb') as f:
            f.writelines(lines)
        sums.append(s)
    want = b''.join(b'%s %d %d\n' % (s, sums[0].get(s, 0), sums[1].get(s, 0))
                    for s in stacks if s in sums[0] or s in sums[1])
    got = run(paths[:2])
    if got != want:
        fails += 1
        print('two files: pd-diff differs from the sums in Python')
    report = os.path.join(d, 'r.json')
    for args in ([], ['-n'], [paths[0], paths[2], '--', paths[1], paths[3]],
                 ['-n', paths[0], paths[2], '--', paths[1], paths[3]]):
        if len(args) < 2:
            args = args + paths[:2]
        if run(args) != run(['--report', report] + args):
            fails += 1
            print('%s: pd-diff differs from the stack table' % ' '.join(args))
    # Orders that make the sort's pivots split badly (its qsort takes
    # over) and many equal stacks that end within 8 bytes, some in NULs.
    organ = [b'pre;fix;pre;fix;%06d' % i for i in range(0, 40000, 2)]
    organ += [b'pre;fix;pre;fix;%06d' % i for i in range(1, 40000, 2)][::-1]
    nuls = [b'ab', b'ab\0', b'ab\0\0', b'pre;fix;ab\0'] * 5000
    r.shuffle(nuls)
    for lines in (organ, nuls):
        with open(paths[0], 'wb') as f:
            f.writelines(b'%s 1\n' % s for s in lines)
        with open(paths[1], 'wb') as f:
            f.write(b'ab 1\n')
        sums = {}
        for s in lines:
            sums[s] = sums.get(s, 0) + 1
        want = b''.join(b'%s %d %d\n' % (s, sums.get(s, 0), s == b'ab')
                        for s in sorted(set(lines) | {b'ab'}))
        if run(paths[:2]) != want:
            fails += 1
            print('%s: pd-diff differs from the sums in Python' % lines[0])
    # Files of several MB, read in parts on threads: stacks repeated
    # across parts of one file, in the first file and in the second, and
    # stacks only the second file has, also repeated.
    pad = b'std::__1::basic_string<char>::append;' * 2
    base = [pad + b'f%d;g%d' % (i, i % 7) for i in range(12000)]
    extra = [pad + b'new%d' % i for i in range(3000)]
    big = [[], []]
    sums = [{}, {}]
    for k, pool in enumerate((base, base[2000:] + extra)):
        for _ in range(3):
            for s in pool:
                c = r.randint(1, 9)
                big[k].append(b'%s %d\n' % (s, c))
                sums[k][s] = sums[k].get(s, 0) + c
        r.shuffle(big[k])
        with open(paths[k], 'wb') as f:
            f.writelines(big[k])
    want = b''.join(b'%s %d %d\n' % (s, sums[0].get(s, 0), sums[1].get(s, 0))
                    for s in sorted(set(sums[0]) | set(sums[1])))
    if run(paths[:2]) != want:
        fails += 1
        print('files read in parts: pd-diff differs from the sums in Python')
    # The same files with CRLF and no final newline, three and four runs,
    # -n, and standard input, against the stack table; a malformed line
    # deep in a later part goes to the table, which names it.
    with open(paths[2], 'wb') as f:
        f.write(b''.join(big[1]).replace(b'\n', b'\r\n')[:-2])
    with open(paths[3], 'wb') as f:
        f.writelines(big[0][:len(big[0]) // 2])
    for args in ([paths[0], paths[2]], ['-n', paths[0], paths[1]],
                 [paths[0], paths[3], '--', paths[1]],
                 ['-n', paths[0], paths[3], '--', paths[1], paths[2]]):
        if run(args) != run(['--report', report] + args):
            fails += 1
            print('%s: pd-diff differs from the stack table' % ' '.join(args))
    out = subprocess.run([pd, paths[0], '-'], stdin=open(paths[1], 'rb'),
                         capture_output=True)
    if out.returncode != 0 or out.stdout != want:
        fails += 1
        print('standard input read in parts: pd-diff differs from Python')
    bad = big[1][:]
    bad[len(bad) * 3 // 4] = b'%s 1x\n' % pad
    with open(paths[3], 'wb') as f:
        f.writelines(bad)
    out = subprocess.run([pd, paths[0], paths[3]], capture_output=True)
    line = len(bad) * 3 // 4 + 1
    if out.returncode != 65 or (':%d:' % line).encode() not in out.stderr:
        fails += 1
        print('a malformed line in a later part: exit %d, %s' % (
            out.returncode, out.stderr.decode(errors='replace')))
    # A later input is copied a chunk (256 KiB) at a time: lines longer than
    # a chunk grow it, one such stack found in the first input, one not,
    # with short lines between them and a last line with no newline.
    huge = [b'h;' * 700000 + b'x', b'h;' * 800000 + b'y']
    files = ([b'%s 2\n' % huge[0], b'b 1\n', b'a 1\n'],
             [b'b 4\n', b'%s 3\n' % huge[1], b'a 5\n', b'%s 7\n' % huge[0],
              b'c 1\n'] * 2 + [b'd 9'])
    sums = [{}, {}]
    for k, lines in enumerate(files):
        with open(paths[k], 'wb') as f:
            f.writelines(lines)
        for line in lines:
            s, c = line.rsplit(b' ', 1)
            sums[k][s] = sums[k].get(s, 0) + int(c)
    want = b''.join(b'%s %d %d\n' % (s, sums[0].get(s, 0), sums[1].get(s, 0))
                    for s in sorted(set(sums[0]) | set(sums[1])))
    if run(paths[:2]) != want:
        fails += 1
        print('lines longer than a chunk: pd-diff differs from the sums in Python')
    # The same, sorted (merged line by line, the later input copied in
    # chunks too); then sorted several-MB files, and the same with two
    # lines out of order around the first chunk's end (the line after a
    # chunk is checked against the one before it).
    for k, lines in enumerate(files):
        with open(paths[k], 'wb') as f:
            f.writelines(sorted(l if l.endswith(b'\n') else l + b'\n'
                                for l in lines))
    if run(paths[:2]) != want:
        fails += 1
        print('sorted lines longer than a chunk: pd-diff differs from Python')
    # Lines of one length, so that swapping two keeps the chunks' ends.
    with open(paths[0], 'wb') as f:
        f.writelines(b'%s;s%07d 2\n' % (pad, i) for i in range(0, 60000, 2))
    lines = [b'%s;s%07d 3\n' % (pad, i) for i in range(60000)]
    want = b''.join(b'%s;s%07d %d 3\n' % (pad, i, 2 - i % 2 * 2)
                    for i in range(60000))
    i = (1 << 20) // len(lines[0])  # the line that starts the second chunk
    for j in [None] + list(range(i - 3, i + 3)):
        cut = lines[:]
        if j is not None:
            cut[j], cut[j + 1] = cut[j + 1], cut[j]
        with open(paths[1], 'wb') as f:
            f.writelines(cut)
        if run(paths[:2]) != want:
            fails += 1
            print('sorted, lines %s swapped: pd-diff differs from Python' % j)
    # More inputs than pd-diff keeps descriptors open for (64 later
    # ones): those are read through their mappings, as before.
    many = []
    for k in range(70):
        lines, _ = side(0.02)
        for order in ('s', 'u'):
            many.append(os.path.join(d, 'm%d%s.folded' % (k, order)))
            with open(many[-1], 'wb') as f:
                f.writelines(sorted(lines) if order == 's' else lines)
    for order in (0, 1):
        files = many[order::2]
        args = files[:35] + ['--'] + files[35:]
        if run(args) != run(['--report', report] + args):
            fails += 1
            print('70 inputs (%s): pd-diff differs from the stack table'
                  % ('sorted', 'shuffled')[order])
print('20000 stacks shuffled, %d disagreements' % fails)
sys.exit(1 if fails else 0)
