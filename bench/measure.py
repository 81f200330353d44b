#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Times commands side by side for bench/real.sh: runs them interleaved
# (run 1 of every command, then run 2, ...), the page cache warmed with the
# profile before each run, and prints per command the median wall time, its
# ratio to the first command, and the peak RSS of the largest process of
# the command, from /usr/bin/time -f %M around sh -c COMMAND: a process
# forked from this script would count the script's own pages in its peak
# (they are its until exec), time's child starts small.
# usage: measure.py LABEL DATA RUNS PEER_RUNS TIMEOUT NAME=CMD...
#   commands named pd... run once unmeasured first (what is measured is a
#   run over binaries pd has seen: its cache written for these options and
#   this machine's debug files; a cold-cache command empties its cache
#   itself), then RUNS times; the others (slower peers)
#   PEER_RUNS times (a command whose run took over 30 s, once; one that
#   timed out is shown as >TIMEOUT); PD_BENCH_JSON=FILE appends one JSON
#   line per command.
import json
import os
import signal
import sys
import tempfile
import time


def warm(path):
    with open(path, 'rb') as f:
        while f.read(1 << 24):
            pass


def run(cmd, timeout):
    """Wall seconds and peak RSS (KiB) of sh -c cmd; None on timeout."""
    rss = tempfile.NamedTemporaryFile(prefix='measure-', delete=False)
    rss.close()
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv('/usr/bin/time', ['/usr/bin/time', '-f', '%M', '-o',
                                   rss.name, 'sh', '-c', cmd])
    deadline = t + timeout
    while True:
        p, status, ru = os.wait4(pid, os.WNOHANG)
        if p:
            break
        if time.perf_counter() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            os.unlink(rss.name)
            return None
        time.sleep(0.0005)
    wall = time.perf_counter() - t
    with open(rss.name) as f:
        lines = f.read().split()
    os.unlink(rss.name)
    return wall, int(lines[-1]) if lines else 0


def main():
    label, data = sys.argv[1], sys.argv[2]
    runs, peer_runs = int(sys.argv[3]), int(sys.argv[4])
    timeout = float(sys.argv[5])
    cmds = [a.split('=', 1) for a in sys.argv[6:]]
    times = {n: [] for n, _ in cmds}
    rss = {n: 0 for n, _ in cmds}
    dead = set()
    for name, cmd in cmds:
        if name.startswith('pd'):
            warm(data)
            run(cmd, timeout)
    for r in range(max(runs, peer_runs)):
        for name, cmd in cmds:
            n = runs if name.startswith('pd') else peer_runs
            if name in dead or r >= n:
                continue
            warm(data)
            res = run(cmd, timeout)
            if res is None:
                dead.add(name)
                continue
            times[name].append(res[0])
            if res[0] > 30:
                dead.add(name)  # slow: one run says enough
            rss[name] = max(rss[name], res[1])
    base = None
    print('%s (%s, %d bytes)' % (label, os.path.basename(data),
                                 os.path.getsize(data)))
    print('  %-40s %9s %7s %9s' % ('command', 'median s', 'x pd', 'RSS MiB'))
    out = []
    for name, cmd in cmds:
        v = sorted(times[name])
        if not v:
            print('  %-40s %9s %7s %9s' % (name,
                                           '>%g' % timeout, '', ''))
            med = None
        else:
            med = v[len(v) // 2]
            base = base or med
            print('  %-40s %9.3f %7.1f %9.1f' % (name, med,
                                                 med / base, rss[name] / 1024))
        out.append({'profile': label, 'command': name,
                    'cmd': cmd, 'median': med, 'runs': v,
                    'rss_kib': rss[name]})
    sys.stdout.flush()
    if os.environ.get('PD_BENCH_JSON'):
        with open(os.environ['PD_BENCH_JSON'], 'a') as f:
            for o in out:
                f.write(json.dumps(o) + '\n')


main()
