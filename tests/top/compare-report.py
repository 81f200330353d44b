#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Compares pd-top's self shares (TSV) with `perf report --no-children
# --sort sym --stdio` on the same recording: the top N rows of each side
# must be on the other side within TOL percentage points.
# Names are matched exactly (perf's "[.] " or "[k] " dropped), except two
# kinds of rows perf and pd-collapse name differently, compared as sums:
#   unresolved: perf's one row per address ("0x0000000000001234",
#     "[unknown]") against pd's "[module]" rows;
#   PLT stubs, which perf 6.1 misnames ("@plt" without the function, or
#     another function's stub: libc's memcpy stub as "__tls_get_addr@plt",
#     and a few samples of another stub as "memcpy@plt"): all "@plt" rows
#     of each side. A stub's name is matched by name only on one side, so
#     a pair where perf gave the name to other samples fails by chance;
#     pd's stub names are checked against objdump by tests/unit/plt.sh.
# A sum of perf's rows carries its rounding (0.005 a row): the tolerance
# of a sum of k perf rows is TOL + 0.005 k.
# usage: compare-report.py TOP.tsv REPORT.txt [N [TOL]]   Exit 0 pass, 1 fail.
import re
import sys

tsv, report = sys.argv[1], sys.argv[2]
top_n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
tol = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
UNRESOLVED, PLT = '(unresolved)', '(@plt stubs)'

pd_rows = []
total = 0
with open(tsv) as f:
    head = f.readline().rstrip('\n').split('\t')
    if head[:2] != ['self', 'self%']:
        sys.exit('compare-report: %s: not pd-top TSV' % tsv)
    for line in f:
        fields = line.rstrip('\n').split('\t')
        pd_rows.append((fields[4], int(fields[0])))
perf_rows = []
for line in open(report, errors='replace'):
    m = re.match(r'^\s*([0-9.]+)%\s+\[(.)\]\s+(.*?)\s*$', line)
    if m:
        perf_rows.append((m.group(3), float(m.group(1))))
if not pd_rows or not perf_rows:
    sys.exit('compare-report: no rows (pd %d, perf %d)' % (len(pd_rows), len(perf_rows)))
m = re.search(r'Event count \(approx\.\): (\d+)', open(report, errors='replace').read())


def perf_key(name):
    if re.fullmatch(r'0x[0-9a-f]+', name) or name == '[unknown]':
        return UNRESOLVED
    return PLT if name.endswith('@plt') else name


def pd_key(name):
    if name.startswith('[') and name.endswith(']'):
        return UNRESOLVED
    if name.endswith('@plt'):
        return PLT
    return name


samples = sum(c for _, c in pd_rows)  # a stack's count goes to its leaf
# The process-only stacks (none from pd-collapse) would be in no row.
pd_share, perf_share, perf_k = {}, {}, {}
for name, c in pd_rows:
    k = pd_key(name)
    pd_share[k] = pd_share.get(k, 0) + c
for name, s in perf_rows:
    k = perf_key(name)
    perf_share[k] = perf_share.get(k, 0) + s
    perf_k[k] = perf_k.get(k, 0) + 1
pd_share = {k: 100.0 * c / samples for k, c in pd_share.items()}


def top(d):
    return [k for k, _ in sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]]


keys = top(pd_share)
keys += [k for k in top(perf_share) if k not in keys]
bad = 0
worst = 0.0
print('%-40s %8s %8s %7s' % ('function (pd-top top %d + perf top %d)' % (top_n, top_n),
                             'pd-top', 'perf', 'diff'))
for k in keys:
    # A row one side does not have is 0 there (perf lists no row
    # without self samples).
    a, b = pd_share.get(k, 0.0), perf_share.get(k, 0.0)
    limit = tol + (0.005 * perf_k.get(k, 0) if k in (UNRESOLVED, PLT) else 0)
    ok = abs(a - b) <= limit
    if k not in (UNRESOLVED, PLT):
        worst = max(worst, abs(a - b))
    print('%-40s %8s %8s %7.3f%s' % (k[:40], '%.3f' % a if k in pd_share else '-',
                                     '%.2f' % b if k in perf_share else '-',
                                     a - b, '' if ok else '   <- FAIL'))
    bad += not ok
print('%d rows compared, largest difference of a named row %.3f points, %d over %.2f'
      % (len(keys), worst, bad, tol))
sys.exit(1 if bad else 0)
