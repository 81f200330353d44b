#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Checks pd-top against an independent model on random folded inputs
# (recursion, shared callees, repeated stacks, zero counts, differential
# input): every count, share, sort order and --top cut of the JSON output,
# for the table, --grep, --callers/--callees and --by=frame.
# usage: model.py PD-TOP [CASES]   Exit 0 pass, 1 fail, 99 setup.
import json
import os
import random
import re
import subprocess
import sys
import tempfile

PD = sys.argv[1]
CASES = int(sys.argv[2]) if len(sys.argv) > 2 else 150
NAMES = ['main', 'run', 'f', 'g', 'h', 'alloc', 'malloc', 'free', 'x_[i]',
         'x', 'leaf', 'k_[k]']


def pct(n, total):
    return '%.2f' % (100.0 * n / total if total else 0.0)


def delta(b, a, tb, ta):
    d = (100.0 * a / ta if ta else 0.0) - (100.0 * b / tb if tb else 0.0)
    s = '%.2f' % d
    return '0.00' if s in ('0.00', '-0.00') else s


def keys(stack, by):
    frames = stack.split(';')
    if by == 'frame':
        return frames
    return [f[:-4] if f.endswith('_[i]') else f for f in frames[1:]]


class Model:
    def __init__(self, lines, by, ncounts):
        self.n = ncounts
        self.samples = [0, 0]
        self.self = {}
        self.total = {}
        self.stacks = []
        for stack, counts in lines:
            c = counts + [0] * (2 - len(counts))
            self.samples = [self.samples[i] + c[i] for i in range(2)]
            k = keys(stack, by)
            self.stacks.append((k, c))
            if not k:
                continue
            s = self.self.setdefault(k[-1], [0, 0])
            s[0] += c[0]
            s[1] += c[1]
            for name in set(k):
                t = self.total.setdefault(name, [0, 0])
                t[0] += c[0]
                t[1] += c[1]
                self.self.setdefault(name, [0, 0])

    def grep(self, rx):
        g = [0, 0]
        for k, c in self.stacks:
            if any(re.search(rx, name) for name in k):
                g = [g[0] + c[0], g[1] + c[1]]
        return g

    def butterfly(self, f):
        callers, callees, outer = {}, {}, [0, 0]
        for k, c in self.stacks:
            # Runs of f (direct recursion) are one f.
            runs = [x for i, x in enumerate(k) if i == 0 or x != f or k[i - 1] != f]
            cs, es = set(), set()
            for i, x in enumerate(runs):
                if x != f:
                    continue
                if i == 0:
                    outer = [outer[0] + c[0], outer[1] + c[1]]
                else:
                    cs.add(runs[i - 1])
                if i + 1 < len(runs):
                    es.add(runs[i + 1])
            for d, names in ((callers, cs), (callees, es)):
                for name in names:
                    v = d.setdefault(name, [0, 0])
                    v[0] += c[0]
                    v[1] += c[1]
        return callers, callees, outer


def sort_rows(rows, key):
    # rows: (name, sortvalue); larger first, ties by name bytes
    return sorted(rows, key=lambda r: (-r[1], r[0].encode()))


def absdelta(b, a, tb, ta):
    tb, ta = tb or 1, ta or 1
    return abs(a * tb - b * ta)


def expect_table(m, sort, grep_rx, top):
    tb, ta = m.samples
    rows = []
    for name, t in m.total.items():
        if grep_rx is not None and not re.search(grep_rx, name):
            continue
        s = m.self[name]
        if sort == 'name':
            v = 0
        elif m.n == 2 and sort in ('self-delta', 'default'):
            v = absdelta(s[0], s[1], tb, ta)
        elif sort == 'total-delta':
            v = absdelta(t[0], t[1], tb, ta)
        elif sort == 'total':
            v = t[m.n - 1]
        else:
            v = s[m.n - 1]
        rows.append((name, v))
    rows = sort_rows(rows, None)
    omitted = max(0, len(rows) - top) if top else 0
    if top:
        rows = rows[:top]
    out = []
    for name, _ in rows:
        s, t = m.self[name], m.total[name]
        if m.n == 1:
            out.append({'name': name, 'self': s[0], 'self_share': pct(s[0], tb),
                        'total': t[0], 'total_share': pct(t[0], tb)})
        else:
            out.append({'name': name, 'self_before': s[0], 'self_after': s[1],
                        'total_before': t[0], 'total_after': t[1],
                        'self_before_share': pct(s[0], tb),
                        'self_after_share': pct(s[1], ta),
                        'self_delta': delta(s[0], s[1], tb, ta),
                        'total_before_share': pct(t[0], tb),
                        'total_after_share': pct(t[1], ta),
                        'total_delta': delta(t[0], t[1], tb, ta)})
    return out, omitted


def counts_obj(m, c):
    tb, ta = m.samples
    if m.n == 1:
        return {'count': c[0], 'share': pct(c[0], tb)}
    return {'before': c[0], 'after': c[1], 'before_share': pct(c[0], tb),
            'after_share': pct(c[1], ta), 'delta': delta(c[0], c[1], tb, ta)}


def expect_edges(m, d):
    tb, ta = m.samples
    rows = [(n, absdelta(c[0], c[1], tb, ta) if m.n == 2 else c[0])
            for n, c in d.items()]
    return [dict({'name': n}, **counts_obj(m, d[n])) for n, _ in sort_rows(rows, None)]


def shares_as_text(obj):
    # pd-top prints shares with two decimals; json.loads makes them floats
    if isinstance(obj, dict):
        return {k: (('%.2f' % v) if isinstance(v, float) else shares_as_text(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [shares_as_text(x) for x in obj]
    return obj


def run(args, path):
    p = subprocess.run([PD, '--format=json'] + args + [path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError('exit %d: %s' % (p.returncode, p.stderr))
    return shares_as_text(json.loads(p.stdout))


def random_input(rnd, ncounts):
    lines = []
    for _ in range(rnd.randint(1, 25)):
        depth = rnd.randint(1, 8)
        frames = [rnd.choice(['app', 'sh'])]
        for _ in range(depth):
            # runs of one name (direct recursion) and names seen before
            if len(frames) > 1 and rnd.random() < 0.2:
                frames.append(frames[-1])
            else:
                frames.append(rnd.choice(NAMES))
        counts = [rnd.choice([0, 1, 2, 3, 7, 100]) for _ in range(ncounts)]
        lines.append((';'.join(frames), counts))
    if rnd.random() < 0.3:
        lines.append(lines[0])  # the same stack on two lines
    if rnd.random() < 0.2:
        lines.append(('app', [1] * ncounts))  # only the process
    return lines


def main():
    rnd = random.Random(18)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'in.folded')
        for case in range(CASES):
            ncounts = 2 if case % 3 == 2 else 1
            lines = random_input(rnd, ncounts)
            if case % 2:
                lines.sort()
            with open(path, 'w') as f:
                for stack, c in lines:
                    f.write('%s %s\n' % (stack, ' '.join(map(str, c))))
            by = 'frame' if case % 5 == 4 else 'function'
            m = Model(lines, by, ncounts)
            sorts = ['default', 'total', 'name'] + (
                ['self', 'self-delta', 'total-delta'] if ncounts == 2 else [])
            sort = sorts[case % len(sorts)]
            top = rnd.choice([0, 0, 1, 3])
            target = rnd.choice(NAMES[:6])
            rx = rnd.choice(['alloc', '^f$', 'a|g', 'x'])
            try:
                args = ['--by=' + by, '--top=%d' % top]
                if sort != 'default':
                    args.append('--sort=' + sort)
                got = run(args, path)
                want, omitted = expect_table(m, sort, None, top)
                assert got['functions'] == shares_as_text(want), 'table'
                assert got['omitted'] == omitted, 'omitted'
                assert got['distinct'] == len(m.total), 'distinct'
                got = run(args + ['--grep', rx], path)
                want, _ = expect_table(m, sort, rx, top)
                assert got['functions'] == shares_as_text(want), 'grep table'
                g = dict({'regex': rx, 'dialect': 'POSIX ERE'},
                         **counts_obj(m, m.grep(rx)))
                assert got['grep'] == shares_as_text(g), 'grep share'
                got = run(['--by=' + by, '--callers', target, '--callees',
                           target] + (['--sort=' + sort] if sort in
                                      ('name',) else []), path)['butterfly']
                callers, callees, outer = m.butterfly(target)
                if sort == 'name':
                    callers = {n: callers[n] for n in sorted(callers)}
                want = {'name': target, 'found': target in m.total,
                        'total': counts_obj(m, m.total.get(target, [0, 0])),
                        'self': counts_obj(m, m.self.get(target, [0, 0])),
                        'outermost': counts_obj(m, outer),
                        'callers': expect_edges(m, callers),
                        'callees': expect_edges(m, callees), 'omitted': 0}
                if sort == 'name':
                    for k in ('callers', 'callees'):
                        want[k].sort(key=lambda e: e['name'].encode())
                assert got == shares_as_text(want), 'butterfly'
            except AssertionError as e:
                failures += 1
                print('FAIL case %d (%s, sort %s, top %d, grep %s, focus %s): %s'
                      % (case, by, sort, top, rx, target, e))
                print(open(path).read())
                if failures > 3:
                    break
    print('%d cases, %d failed' % (CASES, failures))
    return 1 if failures else 0


sys.exit(main())
