#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fields-check: pd-collapse's decoding of tracepoint fields against
`perf script -F comm,pid,tid,event,trace` of the same file, an independent
decoder (perf's own reading of the formats).

With --field: the profile must be `pd-collapse --tid -e EVENT --field F1
--field F2 ...`; every sample's (tid, F1=v1, F2=v2...) must be counted
alike in both, values compared as text (perf prints `F=v` or `F: v`).
With --weight F: the profile must be `pd-collapse --tid -e EVENT
--weight=F` (and the same --field options); the sums of F per thread (and
field values) must be equal.

usage: fields-check.py --event EVENT [--field F]... [--weight F]
                       profile.folded script.txt
"""
import argparse
import collections
import re
import sys

HEADER = re.compile(r'^\s*(?P<comm>\S.*?)\s+(?P<pid>-?\d+)/(?P<tid>-?\d+)\s+'
                    r'(?P<event>\S+):\s(?P<trace>.*)$')


def value(trace, name):
    """The text perf printed for field name: after `name=` or `name: `, up
    to the next `word=`/`word: ` or the end, without a trailing comma."""
    m = re.search(r'(?:^|[\s,])%s(?:=|: )(.*?)(?=,?\s+\w+(?:=|: )|,?$)'
                  % re.escape(name), trace)
    return m.group(1) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--event', required=True)
    ap.add_argument('--field', action='append', default=[])
    ap.add_argument('--weight')
    ap.add_argument('profile')
    ap.add_argument('script')
    o = ap.parse_args()
    pd = collections.Counter()
    with open(o.profile, encoding='latin-1') as f:
        for line in f:
            stack, _, count = line.rstrip('\n').rpartition(' ')
            frames = stack.split(';')
            tid = frames[0].rpartition('/')[2]
            if not o.field:
                pd[tid] += int(count)
                continue
            tail = frames[len(frames) - len(o.field):]
            vals = []
            for name, fr in zip(o.field, tail):
                if not fr.startswith(name + '='):
                    sys.exit('fields-check: %s: no %s= frame at the leaf'
                             % (stack, name))
                vals.append(fr[len(name) + 1:])
            pd[(tid,) + tuple(vals)] += int(count)
    perf = collections.Counter()
    n = 0
    with open(o.script, encoding='latin-1') as f:
        for line in f:
            m = HEADER.match(line.rstrip('\n'))
            if not m or m.group('event') != o.event:
                continue
            n += 1
            trace = m.group('trace')
            w = int(value(trace, o.weight), 0) if o.weight else 1
            vals = tuple(value(trace, name).replace(';', ':')
                         for name in o.field)
            perf[(m.group('tid'),) + vals if o.field else m.group('tid')] += w
    what = ' '.join((['--weight=%s' % o.weight] if o.weight else []) +
                    ['--field ' + f for f in o.field])
    print('%s %s: %d samples in perf script, %d keys in pd, %d in perf'
          % (o.event, what, n, len(pd), len(perf)))
    if n == 0:
        print('no samples of %s' % o.event)
        return 1
    bad = sorted(k for k in set(pd) | set(perf) if pd[k] != perf[k])
    for k in bad[:10]:
        print('  %-60s pd %d, perf %d' % (' '.join(k) if isinstance(k, tuple)
                                          else k, pd[k], perf[k]))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
