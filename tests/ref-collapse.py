#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ref-collapse: an independent reference for pd-collapse, written from
stackcollapse-perf.pl's documented conventions (no code taken from it).

It folds the text of

    perf script -F comm,pid,tid,period,event,ip,sym,dso -i perf.data

into `comm;outermost;...;leaf COUNT` lines, sorted bytewise.  Other field
lists work if they keep comm, pid/tid, event and ip,sym,dso (cpu and time
are skipped); the period is needed for --weight=period.

Conventions (each one is something pd-collapse must do alike):
  * root frame = comm with spaces turned into '_'; --pid gives comm-PID,
    --tid gives comm-PID/TID;
  * frames outermost first; a `+0x1f` offset at the end is dropped;
  * `[unknown]` becomes `[basename-of-module]` when the module is known
    (so an unknown kernel symbol is `[[kernel.kallsyms]]`, as in
    stackcollapse-perf.pl), else `[unknown]`; --addrs writes
    `[module <hexaddr>]` instead;
  * names: ';' -> ':', quotes removed, and the outermost trailing
    parameter list plus cv/ref qualifiers removed (matching parens from
    the end: `ns::f<void (int)>(int) const` -> `ns::f<void (int)>`),
    so `operator()` and `(anonymous namespace)` are kept.
    stackcollapse-perf.pl instead cuts at the first '(' and drops frames
    that start with '(' (so `(anonymous namespace)::f` vanishes there);
  * --kernel adds `_[k]` to frames of `[...]` or `*vmlinux` modules,
    --jit adds `_[j]` to frames of /tmp/perf-PID.map, --all does both
    and adds `_[i]` to inline frames (lines whose module is `inlined`;
    perf 6.1 on Debian 12 prints no inline frames in callchains, checked
    with `--inline` and `-F +srcline`);
  * only one event is folded: the first one seen, or --event NAME
    (the name as perf prints it, e.g. `cpu-clock:u`);
  * each sample weighs 1 (--weight=samples, the default) or its period.
Java-specific tidying of stackcollapse-perf.pl is not done.
"""
import argparse
import os
import re
import signal
import sys

HEADER = re.compile(
    r'^(?P<comm>\S.*?)\s+(?P<pid>-?\d+)(?:/(?P<tid>-?\d+))?\s+'
    r'(?:\[\d+\]\s+)?(?:\d+\.\d+:\s+)?(?:(?P<period>\d+)\s+)?'
    r'(?P<event>[^\s:]\S*?):(?:\s+(?P<rest>.*))?$')
FRAME = re.compile(r'^\s*(?P<ip>[0-9a-fA-F]+)\s+(?P<rest>.*\))$')


def split_dso(rest):
    """'sym (dso)' -> (sym, dso): the dso is the last balanced group, so
    that '/memfd:x (deleted)' stays whole; None if there is none."""
    depth = 0
    for i in range(len(rest) - 1, -1, -1):
        if rest[i] == ')':
            depth += 1
        elif rest[i] == '(':
            depth -= 1
            if depth == 0:
                if i == 0 or rest[i - 1] != ' ':
                    return None
                return rest[:i - 1], rest[i + 1:-1]
    return None
OFFSET = re.compile(r'\+0x[0-9a-f]+$')
QUALIFIER = re.compile(r'\s*(?:const|volatile|&&|&)$')


def strip_params(name):
    """Drops the outermost trailing (...) group and the cv/ref qualifiers
    after it, unless the group is the `()` of `operator()`."""
    base = name
    while True:
        stripped = QUALIFIER.sub('', base)
        if stripped == base:
            break
        base = stripped
    if not base.endswith(')'):
        return name
    depth = 0
    for i in range(len(base) - 1, -1, -1):
        c = base[i]
        if c == ')':
            depth += 1
        elif c == '(':
            depth -= 1
            if depth == 0:
                head = base[:i]
                if head == '' or head.endswith('operator'):
                    return name
                return head.rstrip()
    return name


def frame_name(sym, dso, ip, opts):
    sym = OFFSET.sub('', sym)
    if sym == '[unknown]':
        mod = 'unknown' if dso == '[unknown]' else os.path.basename(dso)
        name = '[%s <%s>]' % (mod, ip) if opts.addrs else '[%s]' % mod
        known = dso != '[unknown]'
    else:
        name = strip_params(sym.replace(';', ':'))
        name = name.replace('"', '').replace("'", '')
        known = True
    if opts.all and dso == 'inlined':
        name += '_[i]'
    elif opts.kernel and known and (dso.startswith('[') or
                                    dso.endswith('vmlinux')):
        name += '_[k]'
    elif opts.jit and re.search(r'/tmp/perf-\d+\.map', dso):
        name += '_[j]'
    return name


class Folder:
    def __init__(self, opts):
        self.opts = opts
        self.event = opts.event
        self.stacks = {}
        self.root = None      # root frame of the sample being read
        self.weight = 0
        self.frames = []
        self.unrecognised = 0

    def warn(self, lineno, line):
        self.unrecognised += 1
        if self.unrecognised <= 5:
            print('ref-collapse: line %d: unrecognised: %s' % (lineno, line),
                  file=sys.stderr)

    def flush(self):
        if self.root is not None:
            key = ';'.join([self.root] + self.frames[::-1])
            self.stacks[key] = self.stacks.get(key, 0) + self.weight
        self.root = None
        self.frames = []

    def header(self, m, lineno):
        event = m.group('event')
        if self.event is None:
            self.event = event
        if event != self.event:
            return
        comm = m.group('comm').replace(' ', '_')
        pid, tid = m.group('pid'), m.group('tid')
        if tid is None:
            sys.exit('ref-collapse: line %d: need both pid and tid '
                     '(perf script -F pid,tid)' % lineno)
        if self.opts.tid:
            comm = '%s-%s/%s' % (comm, pid, tid)
        elif self.opts.pid:
            comm = '%s-%s' % (comm, pid)
        self.root = comm
        if self.opts.weight == 'period':
            if m.group('period') is None:
                sys.exit('ref-collapse: line %d: no period '
                         '(perf script -F period)' % lineno)
            self.weight = int(m.group('period'))
        else:
            self.weight = 1
        rest = (m.group('rest') or '').strip()
        if rest:  # recorded without -g: the ip is on the header line
            self.frame(rest, lineno)

    def frame(self, line, lineno):
        if self.root is None:
            return
        f = FRAME.match(line)
        parts = split_dso(f.group('rest')) if f else None
        if not parts:
            self.warn(lineno, line)
            return
        self.frames.append(frame_name(parts[0], parts[1], f.group('ip'),
                                      self.opts))

    def feed(self, stream):
        for lineno, raw in enumerate(stream, 1):
            line = raw.decode('latin-1').rstrip('\n')
            if line.startswith('#'):
                continue
            if line.strip() == '':
                self.flush()
            elif not line.startswith('\t'):
                # A sample header (perf right-aligns comm without -g);
                # callchain lines start with a tab.
                self.flush()
                m = HEADER.match(line.lstrip(' '))
                if m:
                    self.header(m, lineno)
                else:
                    self.warn(lineno, line)
            else:
                self.frame(line, lineno)
        self.flush()

    def write(self, out):
        for key in sorted(self.stacks, key=lambda k: k.encode('latin-1')):
            out.write(('%s %d\n' % (key, self.stacks[key])).encode('latin-1'))


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(
        description='Fold `perf script -F comm,pid,tid,period,event,ip,sym,'
        'dso` output like pd-collapse.')
    ap.add_argument('-a', '--all', action='store_true',
                    help='--kernel --jit and _[i] on inline frames')
    ap.add_argument('--addrs', action='store_true',
                    help='[module <addr>] for unresolved frames')
    ap.add_argument('-e', '--event', '--event-filter', metavar='NAME',
                    help='event to fold (default: the first one seen)')
    ap.add_argument('--jit', action='store_true')
    ap.add_argument('-k', '--kernel', action='store_true')
    ap.add_argument('-p', '--pid', action='store_true')
    ap.add_argument('-t', '--tid', action='store_true')
    ap.add_argument('-w', '--weight', choices=['samples', 'period'],
                    default='samples')
    ap.add_argument('file', nargs='?', default='-')
    opts = ap.parse_args()
    if opts.all:
        opts.kernel = opts.jit = True
    folder = Folder(opts)
    if opts.file == '-':
        folder.feed(sys.stdin.buffer)
    else:
        with open(opts.file, 'rb') as f:
            folder.feed(f)
    folder.write(sys.stdout.buffer)
    if folder.unrecognised:
        sys.exit('ref-collapse: %d unrecognised lines' % folder.unrecognised)


if __name__ == '__main__':
    main()
