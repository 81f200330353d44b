#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Times commands side by side on a noisy machine: run 1 of every command,
# then run 2, and so on (two warm-up rounds first), stdout to /dev/null;
# prints per command the median, least and first-quartile wall time, the
# median user+system CPU and system time, and the largest peak RSS, all
# from wait4. (A child's peak RSS counts this script's pages until it
# execs: figures below ~15 MB are this script's.)
# usage: interleave.py RUNS 'COMMAND' ...  (each split as a shell would,
#   without a shell)
import os
import shlex
import statistics
import sys
import time


def run(argv):
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        sys.exit('interleave: %s: exit status %d' % (argv[0], status))
    return wall * 1e3, (ru.ru_utime + ru.ru_stime) * 1e3, \
        ru.ru_stime * 1e3, ru.ru_maxrss


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: interleave.py RUNS COMMAND...')
    runs = int(sys.argv[1])
    cmds = sys.argv[2:]
    argvs = [shlex.split(c) for c in cmds]
    got = [[] for _ in cmds]
    for r in range(runs + 2):
        for i, argv in enumerate(argvs):
            x = run(argv)
            if r >= 2:
                got[i].append(x)
    for c, g in zip(cmds, got):
        wall = sorted(x[0] for x in g)
        print('%-60s median %7.1f ms  min %7.1f  q1 %7.1f  cpu %7.1f  '
              'sys %6.1f  rss %d KiB' % (
                  c[-60:], statistics.median(wall), wall[0],
                  wall[len(wall) // 4], statistics.median(x[1] for x in g),
                  statistics.median(x[2] for x in g), max(x[3] for x in g)))


main()
