#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""offcpu-totals: checks an off-CPU (or wall-clock) profile of
testdata/src/offcpu.c against the wall times the program measured itself:
the microseconds on stacks through each phase's function must be within
--tolerance (10%) of that phase's wall time.

  sleep_phase  off CPU (nanosleep)           ~ sleep_us
  pipe_phase   off CPU (blocked in read)     ~ pipe_us
  writer       the second thread, off CPU    ~ writer_sleep_us
  spin_phase   --wall only: on + off CPU     ~ spin_us, with some on CPU

Frames are matched whole; --root keeps only stacks whose first frame is
one of the program's threads (a system-wide recording has others).

usage: offcpu-totals.py [--wall] [--root NAME]... [--tolerance 0.1]
                        profile.folded times.txt
"""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--wall', action='store_true')
    ap.add_argument('--root', action='append')
    ap.add_argument('--tolerance', type=float, default=0.1)
    ap.add_argument('folded')
    ap.add_argument('times')
    o = ap.parse_args()
    with open(o.times) as f:
        want = dict(kv.split('=') for kv in f.read().split())
    want = {k: int(v) for k, v in want.items()}
    got = {'sleep_phase': 0, 'pipe_phase': 0, 'writer': 0, 'spin_phase': 0}
    spin_on = 0
    with open(o.folded, encoding='latin-1') as f:
        for line in f:
            stack, _, count = line.rstrip('\n').rpartition(' ')
            frames = stack.split(';')
            if o.root and frames[0] not in o.root:
                continue
            for k in got:
                if k in frames[1:]:
                    got[k] += int(count)
            if 'spin_phase' in frames and frames[-1] != '[off-cpu]':
                spin_on += int(count)
    checks = [('sleep_phase', 'sleep_us'), ('pipe_phase', 'pipe_us'),
              ('writer', 'writer_sleep_us')]
    if o.wall:
        checks.append(('spin_phase', 'spin_us'))
    bad = False
    for frame, key in checks:
        w, g = want[key], got[frame]
        ok = abs(g - w) <= o.tolerance * w
        bad |= not ok
        print('%-12s %8d us in the profile, %8d us measured (%+.1f%%) %s'
              % (frame, g, w, 100.0 * (g - w) / w, 'ok' if ok else 'FAIL'))
    if o.wall:
        print('spin_phase on CPU: %d us' % spin_on)
        if spin_on <= 0:
            print('no on-CPU time in spin_phase')
            bad = True
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
