#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ref-offcpu: an independent reference for pd-collapse --off-cpu and
--on-off-cpu, computed from perf's own decoding of the recording:

    perf script --ns --show-switch-events --show-task-events \\
        --show-mmap-events -F comm,pid,tid,time,period,event,trace,ip,sym,dso

The rules, as pd-collapse(1) states them (no code shared with pd):
  * a sched:sched_switch sample is its thread (pid/tid of the sample)
    leaving the CPU at the sample's time, with the sample's stack; its
    trace text gives prev_state and next_pid;
  * the thread runs again at a `PERF_RECORD_SWITCH IN` or
    `PERF_RECORD_SWITCH_CPU_WIDE IN` line of that thread, or at a
    sched_switch whose next_pid it is, whichever comes first: then the
    time in between is charged to the stack it left with;
  * a second switch-out before any switch-in replaces the first;
  * the idle task (tid 0) and threads leaving in state X or Z (exiting)
    are not charged; PERF_RECORD_EXIT forgets a thread, and its later
    switch-outs, until a PERF_RECORD_FORK makes the tid again;
  * threads still off CPU at the end are charged up to the last
    timestamp printed;
  * --on-off-cpu: samples of the clock event (cpu-clock or task-clock, or
    --event) weigh their period, off-CPU stacks end in `[off-cpu]`;
  * --task-state: off-CPU stacks end in `[STATE]` (prev_state as perf
    prints it) instead;
  * stacks are named as tests/ref-collapse.py names them (root comm,
    --pid/--tid); nanoseconds per stack are written as microseconds,
    rounded half up, stacks that round to 0 left out.

usage: perf script ... | ref-offcpu.py [--on-off-cpu] [--task-state]
                                        [--event NAME] [--pid|--tid]
"""
import argparse
import importlib.util
import os
import re
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    'ref_collapse', os.path.join(HERE, 'ref-collapse.py'))
rc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rc)

HEADER = re.compile(
    r'^(?P<comm>\S.*?)\s+(?P<pid>-?\d+)/(?P<tid>-?\d+)\s+'
    r'(?:\[\d+\]\s+)?(?P<sec>\d+)\.(?P<ns>\d{9}):\s+(?P<rest>.*)$')
SAMPLE = re.compile(r'^(?:(?P<period>\d+)\s+)?(?P<event>[^\s:]\S*?):'
                    r'(?:\s+(?P<trace>.*))?$')
TASK = re.compile(r'^PERF_RECORD_(?P<what>EXIT|FORK)\((?P<pid>-?\d+):'
                  r'(?P<tid>-?\d+)\)')
CLOCKS = ('cpu-clock', 'task-clock')


class OffCpu:
    def __init__(self, opts):
        self.o = opts
        self.stacks = {}   # stack -> nanoseconds
        self.pending = {}  # tid -> (time, stack)
        self.gone = set()  # tids that exited
        self.end = 0
        self.wall = None   # the clock event of --on-off-cpu
        self.cur = None    # the sample being read: [kind, root, time, ...]

    def root(self, m):
        comm = m.group('comm').replace(' ', '_')
        if self.o.tid:
            return '%s-%s/%s' % (comm, m.group('pid'), m.group('tid'))
        if self.o.pid:
            return '%s-%s' % (comm, m.group('pid'))
        return comm

    def charge(self, tid, time):
        p = self.pending.pop(tid, None)
        if p is not None:
            key = p[1]
            self.stacks[key] = self.stacks.get(key, 0) + max(0, time - p[0])

    def is_wall(self, event):
        if self.o.event:
            return event == self.o.event or \
                event.startswith(self.o.event + ':')
        return event.split(':')[0] in CLOCKS

    def header(self, m):
        time = int(m.group('sec')) * 10**9 + int(m.group('ns'))
        self.end = max(self.end, time)
        tid = int(m.group('tid'))
        rest = m.group('rest')
        if rest.startswith('PERF_RECORD_'):
            word = rest.split()
            if word[0] in ('PERF_RECORD_SWITCH',
                           'PERF_RECORD_SWITCH_CPU_WIDE') and word[1] == 'IN':
                self.charge(tid, time)
            e = TASK.match(rest)
            if e:
                t = int(e.group('tid'))
                self.pending.pop(t, None)
                if e.group('what') == 'EXIT':
                    self.gone.add(t)
                else:
                    self.gone.discard(t)
            return
        s = SAMPLE.match(rest)
        if not s:
            return
        event = s.group('event')
        if event == 'sched:sched_switch':
            trace = s.group('trace') or ''
            state = re.search(r'prev_state=(\S+)', trace)
            state = state.group(1) if state else '?'
            nxt = re.search(r'next_pid=(-?\d+)', trace)
            self.cur = ['switch', self.root(m), time, tid, state,
                        int(nxt.group(1)) if nxt else None]
        elif self.o.on_off_cpu and (self.wall is None or event == self.wall) \
                and self.is_wall(event):
            self.wall = event
            self.cur = ['wall', self.root(m), time, int(s.group('period'))]
        self.frames = []

    def flush(self):
        c, self.cur = self.cur, None
        if c is None:
            return
        stack = ';'.join([c[1]] + self.frames[::-1])
        if c[0] == 'wall':
            self.stacks[stack] = self.stacks.get(stack, 0) + c[3]
            return
        _, _, time, tid, state, nxt = c
        if tid != 0 and state[0] not in 'XZ' and tid not in self.gone:
            if self.o.task_state:
                stack += ';[%s]' % state
            elif self.o.on_off_cpu:
                stack += ';[off-cpu]'
            self.pending[tid] = (time, stack)
        elif tid != 0:
            self.pending.pop(tid, None)
        if nxt:
            self.charge(nxt, time)

    def feed(self, stream):
        for raw in stream:
            line = raw.decode('latin-1').rstrip('\n')
            if line.startswith('#'):
                continue
            if line.startswith('\t'):  # a callchain line
                f = rc.FRAME.match(line)
                parts = rc.split_dso(f.group('rest')) if f else None
                if self.cur is not None and parts:
                    self.frames.append(rc.frame_name(
                        parts[0], parts[1], f.group('ip'), self.o))
                continue
            self.flush()
            m = HEADER.match(line.lstrip(' '))
            if m:
                self.header(m)
        self.flush()
        for tid in list(self.pending):
            self.charge(tid, self.end)

    def write(self, out):
        for key in sorted(self.stacks, key=lambda k: k.encode('latin-1')):
            ns = self.stacks[key]
            us = ns // 1000 + (1 if ns % 1000 >= 500 else 0)
            if us:
                out.write(('%s %d\n' % (key, us)).encode('latin-1'))


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser()
    ap.add_argument('--off-cpu', action='store_true')  # the default
    ap.add_argument('--on-off-cpu', action='store_true')
    ap.add_argument('--task-state', action='store_true')
    ap.add_argument('--event')
    ap.add_argument('--pid', action='store_true')
    ap.add_argument('--tid', action='store_true')
    opts = ap.parse_args()
    # ref-collapse's frame naming options.
    opts.addrs = opts.all = opts.kernel = opts.jit = False
    r = OffCpu(opts)
    r.feed(sys.stdin.buffer)
    r.write(sys.stdout.buffer)


if __name__ == '__main__':
    main()
