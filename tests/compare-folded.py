#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""compare-folded: how much two folded profiles agree.

Prints the fraction of samples (by count) that sit on identical stacks,
and the fraction with the same leaf frame, both as
sum(min(a, b)) / max(total_a, total_b) (with --shares, of two recordings
with different sample counts: sum(min(a / total_a, b / total_b))), then
the stacks that differ most.
Exits 1 when a fraction is below its threshold, 2 on bad input.

--plt: PLT stubs compare equal whatever their names. perf 6.1 names some
  wrongly: `@plt` or `name@plt` of the wrong slot for libc's IFUNC entries,
  and `_init` (the symbol before .plt) for every stub of a module whose
  PLT symbols it did not make. pd's PLT names are checked against
  objdump's by tests/unit/plt.sh; here frames ending in `@plt` and
  `_init` frames all become `@plt`.
--deeper-ok: a stack of a that b lacks agrees with b's stack made of its
  last frames (same root), when b has one: where one unwinder stops early
  (perf's at __libc_start_call_main in some processes) the other's deeper
  stack ends in the same frames. A different stack does not agree. b's
  outermost frame is dropped when it is [unknown] and more follow: perf
  adds one (0xffffffffffffffff) where an unwind ran past the stack dump.

usage: compare-folded.py [--min-stacks 0.99] [--min-leaf 0] [--top 10]
                         [--plt] [--deeper-ok]
                         [--label-a A] [--label-b B] a.folded b.folded
"""
import argparse
import sys


def load(path):
    stacks = {}
    with open(path, 'rb') as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.decode('latin-1').rstrip('\n')
            if not line:
                continue
            stack, sep, count = line.rpartition(' ')
            if not sep or not count.isdigit():
                sys.stderr.write('compare-folded: %s:%d: missing sample count\n'
                                 % (path, lineno))
                sys.exit(2)
            stacks[stack] = stacks.get(stack, 0) + int(count)
    return stacks


def plt(stacks):
    out = {}
    for stack, n in stacks.items():
        frames = stack.split(';')
        frames[1:] = ['@plt' if f.endswith('@plt') or f == '_init' else f
                      for f in frames[1:]]
        key = ';'.join(frames)
        out[key] = out.get(key, 0) + n
    return out


def drop_fake_root(b):
    out = {}
    for stack, n in b.items():
        frames = stack.split(';')
        if len(frames) > 2 and frames[1] == '[unknown]':
            frames = frames[:1] + frames[2:]
        key = ';'.join(frames)
        out[key] = out.get(key, 0) + n
    return out


def deeper(a, b):
    """a with each stack that b lacks moved to b's longest stack made of
    its root and last frames; returns (new a, samples moved)."""
    out, moved = {}, 0
    for stack, n in a.items():
        key = stack
        if stack not in b:
            frames = stack.split(';')
            for k in range(2, len(frames)):
                cand = ';'.join(frames[:1] + frames[k:])
                if cand in b:
                    key = cand
                    moved += n
                    break
        out[key] = out.get(key, 0) + n
    return out, moved


def by_leaf(stacks):
    leaves = {}
    for stack, n in stacks.items():
        leaf = stack.rsplit(';', 1)[-1]
        leaves[leaf] = leaves.get(leaf, 0) + n
    return leaves


def overlap(a, b, shares=False):
    ta, tb = sum(a.values()), sum(b.values())
    if ta == 0 or tb == 0:
        return 1.0 if ta == tb else 0.0
    if shares:  # two recordings: what share of each is on the same stacks
        return sum(min(n / ta, b.get(k, 0) / tb) for k, n in a.items())
    return sum(min(n, b.get(k, 0)) for k, n in a.items()) / max(ta, tb)


def main():
    ap = argparse.ArgumentParser(description='Compare two folded profiles.')
    ap.add_argument('--min-stacks', type=float, default=0.99)
    ap.add_argument('--min-leaf', type=float, default=0.0)
    ap.add_argument('--top', type=int, default=10)
    ap.add_argument('--plt', action='store_true')
    ap.add_argument('--deeper-ok', action='store_true')
    # Two recordings of one workload take different sample counts:
    # compare each stack's share of its profile, not its count.
    ap.add_argument('--shares', action='store_true')
    ap.add_argument('--label-a', default='a')
    ap.add_argument('--label-b', default='b')
    ap.add_argument('a')
    ap.add_argument('b')
    opts = ap.parse_args()
    a, b = load(opts.a), load(opts.b)
    la, lb = opts.label_a, opts.label_b
    if opts.plt:
        a, b = plt(a), plt(b)
    moved = 0
    if opts.deeper_ok:
        b = drop_fake_root(b)
        a, moved = deeper(a, b)
    stacks = overlap(a, b, opts.shares)
    leaf = overlap(by_leaf(a), by_leaf(b), opts.shares)
    print('%s: %d samples, %d stacks; %s: %d samples, %d stacks'
          % (la, sum(a.values()), len(a), lb, sum(b.values()), len(b)))
    if opts.deeper_ok:
        print('%s deeper, ending in %s\'s frames: %d samples'
              % (la, lb, moved))
    print('identical stacks: %.4f (min %.4f)' % (stacks, opts.min_stacks))
    print('same leaf:        %.4f (min %.4f)' % (leaf, opts.min_leaf))
    diffs = []
    for k in set(a) | set(b):
        d = a.get(k, 0) - b.get(k, 0)
        if d:
            diffs.append((-abs(d), k, a.get(k, 0), b.get(k, 0)))
    diffs.sort()
    if diffs and opts.top > 0:
        print('top differing stacks (%s, %s):' % (la, lb))
        for _, k, na, nb in diffs[:opts.top]:
            print('  %6d %6d  %s' % (na, nb, k))
    ok = stacks >= opts.min_stacks and leaf >= opts.min_leaf
    if not ok:
        print('FAIL: below threshold')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
