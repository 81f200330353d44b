#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Corrupted folded inputs through pd-top with assorted options: no crash,
# no hang, no sanitizer report; status 0 or 65 (with "file:line: why"); on
# success valid UTF-8 without control characters (JSON: valid JSON).
# usage: robust.py PD-TOP TESTDATA   env: PD_TOP_ROBUST_RUNS (1500)
# Exit 0 pass, 1 fail.
import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile

pd, testdata = sys.argv[1], sys.argv[2]
runs = int(os.environ.get('PD_TOP_ROBUST_RUNS', '1500'))
rnd = random.Random(1818)
seeds = [open(p, 'rb').read() for p in sorted(glob.glob(os.path.join(testdata, 'folded', '*.folded')))]
PIECES = [b';', b' ', b'\t', b'\n', b'\r', b'\0', b'0', b'9' * 25, b' 1 2',
          b'\x1b[31m', b'\xc2\x9b', b'\xff', b'_[i]', b'_[k]', b'[lib.so]',
          b'[', b']', b';;', b'18446744073709551615', b'-1', b'1.5', b'\\']


def mutate(data):
    data = bytearray(data)
    for _ in range(rnd.randint(1, 3)):
        op = rnd.randrange(5)
        pos = rnd.randint(0, len(data))
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rnd.randrange(256)
        elif op == 1:
            data[pos:pos] = rnd.choice(PIECES)
        elif op == 2:
            del data[pos:pos + rnd.randint(1, 20)]
        elif op == 3:
            data = data[:pos]
        else:
            lines = data.split(b'\n')
            rnd.shuffle(lines)
            data = bytearray(b'\n'.join(lines + lines[:rnd.randint(0, 3)]))
    return bytes(data)


def options():
    args = ['--format=' + rnd.choice(['text', 'tsv', 'json', 'markdown']),
            '--by=' + rnd.choice(['function', 'function', 'frame', 'module'])]
    pick = rnd.randrange(4)
    if pick == 1:
        args += ['--grep', rnd.choice(['a', '^m', 'x|y', '.'])]
    elif pick == 2:
        name = rnd.choice(['main', 'parse', 'alloc', 'b', '[libz.so.1]'])
        args += rnd.choice([['--callers', name], ['--callees', name],
                            ['--callers', name, '--callees', name]])
    if rnd.random() < 0.3:
        args += ['--top', str(rnd.randint(0, 3))]
    if rnd.random() < 0.2:
        args += ['--min-share', rnd.choice(['0', '10', '50%'])]
    if rnd.random() < 0.2:
        args += ['--sort', rnd.choice(['total', 'name'])]
    return args


GOOD_ERR = re.compile(rb"^pd-top: (.+:\d+: .+|the inputs' counts add up to more than 64 bits"
                      rb"|--by=module: unavailable for this input: .+)\n$")
BAD_OUT = re.compile(rb'[\x00-\x08\x0b-\x1f\x7f]')
failures = 0
status = {}
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'in.folded')
    for i in range(runs):
        data = mutate(rnd.choice(seeds))
        with open(path, 'wb') as f:
            f.write(data)
        args = options()
        try:
            p = subprocess.run([pd] + args + [path], capture_output=True, timeout=20)
        except subprocess.TimeoutExpired:
            print('FAIL: hang: %s (input kept as %s)' % (args, path))
            failures += 1
            break
        why = None
        status[p.returncode] = status.get(p.returncode, 0) + 1
        if p.returncode not in (0, 65):
            why = 'status %d' % p.returncode
        elif b'Sanitizer' in p.stderr or b'runtime error' in p.stderr:
            why = 'sanitizer report'
        elif p.returncode == 65 and not GOOD_ERR.match(p.stderr):
            why = 'message: %r' % p.stderr
        elif p.returncode == 0:
            try:
                text = p.stdout.decode('utf-8')
                if '--format=json' in args:
                    json.loads(text)
                tsv = '--format=tsv' in args
                bad = BAD_OUT.search(p.stdout.replace(b'\t', b'') if tsv else p.stdout)
                if bad or re.search('[\u0080-\u009f\u202a-\u202e\u2066-\u2069]', text):
                    why = 'control character in the output'
                if tsv and any(l.count('\t') != text.split('\n')[0].count('\t')
                               for l in text.split('\n')[1:] if l):
                    why = 'TSV rows with another number of fields than the header'
            except (UnicodeDecodeError, ValueError) as e:
                why = 'output: %s' % e
        if why:
            failures += 1
            print('FAIL %d: %s: pd-top %s on %r' % (i, why, ' '.join(args), data[:300]))
            if failures > 5:
                break
print('%d corrupted inputs, %d failed; exit statuses: %s' % (
    runs, failures, ', '.join('%d: %d' % kv for kv in sorted(status.items()))))
sys.exit(1 if failures else 0)
