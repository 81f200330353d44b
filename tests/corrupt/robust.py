#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""robust: runs pd-collapse on truncated and corrupted copies of the
committed fixtures and checks that it fails politely.

For every input: exit status 0, 65 or 74 (no signal, no sanitizer report,
no 70/71), done within --timeout seconds, and a status 65 comes with a
`pd-collapse: ...` message.  A truncated file must also produce a line
matching `^pd-collapse: .*@0x[0-9a-f]+: ` (except a pipe-mode file cut
exactly between two records, which is a valid shorter stream).

Mutations (fixed seed, so runs are repeatable): truncation at every byte of
the first KiB and at ~200 offsets spread over the file; header fields set to
edge values; record sizes set to 0/1/7/0xffff; random bytes overwritten.
Failing inputs are kept in --keep DIR for debugging.

usage: robust.py [--jobs N] [--quick] [--keep DIR] PD_COLLAPSE TESTDATA_DIR
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

FIXTURES = ['fp.data', 'fp-zstd.data', 'fp-pipe.data', 'two-events.data',
            'threads.data']
HEADER_FIELDS = {  # perf.data-file-format.txt: u64 fields of the header
    'size': 8, 'attr_size': 16, 'attrs.offset': 24, 'attrs.size': 32,
    'data.offset': 40, 'data.size': 48, 'event_types.offset': 56,
    'event_types.size': 64,
}
MESSAGE = re.compile(rb'^pd-collapse: .*@0x[0-9a-f]+: ', re.M)


def record_offsets(buf, pipe):
    """Offsets of the record headers (u32 type, u16 misc, u16 size)."""
    if pipe:
        pos, end = 16, len(buf)
    else:
        pos, size = struct.unpack_from('<QQ', buf, 40)
        end = min(pos + size, len(buf))
    out = []
    while pos + 8 <= end:
        size = struct.unpack_from('<H', buf, pos + 6)[0]
        if size < 8:
            break
        out.append(pos)
        pos += size
    return out, pos


def mutations(name, buf, quick):
    """Yields (label, bytes, truncated) for one fixture."""
    rng = random.Random('pd-robust-' + name)
    n = len(buf)
    pipe = buf[8:16] == struct.pack('<Q', 16)
    records, _ = record_offsets(buf, pipe)
    boundaries = set(records) | {16}
    step = 7 if quick else 1
    cuts = set(range(0, min(1024, n), step))
    count = 40 if quick else 200
    cuts |= {1024 + (n - 1024) * i // count for i in range(count)}
    cuts |= {rng.randrange(n) for _ in range(count // 4)}
    for cut in sorted(c for c in cuts if c < n):
        must_say = not (pipe and cut in boundaries)
        yield 'truncate=%d' % cut, buf[:cut], must_say
    if not pipe:
        edges = [0, 1, 7, 8, 104, n - 1, n, n + 1, 1 << 31, 1 << 63,
                 (1 << 64) - 1]
        for field, off in HEADER_FIELDS.items():
            for v in edges:
                b = bytearray(buf)
                struct.pack_into('<Q', b, off, v)
                yield '%s=%d' % (field, v), bytes(b), False
        for i in range(8 if quick else 32):  # feature bitmap bits
            b = bytearray(buf)
            b[72 + rng.randrange(32)] ^= 1 << rng.randrange(8)
            yield 'features-bit-%d' % i, bytes(b), False
    picks = records if len(records) <= 40 else rng.sample(records, 40)
    for off in sorted(picks)[: 10 if quick else 40]:
        for v in (0, 1, 7, 0xffff):
            b = bytearray(buf)
            struct.pack_into('<H', b, off + 6, v)
            yield 'record@%#x.size=%d' % (off, v), bytes(b), False
        b = bytearray(buf)
        struct.pack_into('<I', b, off, rng.randrange(1 << 32))
        yield 'record@%#x.type=random' % off, bytes(b), False
    start = 16 if pipe else struct.unpack_from('<Q', buf, 24)[0]
    for i in range(30 if quick else 150):
        b = bytearray(buf)
        width = rng.choice((1, 2, 4, 8, 16))
        pos = rng.randrange(start, n - width)
        for j in range(width):
            b[pos + j] = rng.randrange(256)
        yield 'random-%d@%#x+%d' % (i, pos, width), bytes(b), False


def run_one(pd, testdata, tmpdir, label, data, must_say, timeout, idx):
    path = os.path.join(tmpdir, 'case%d.data' % idx)
    with open(path, 'wb') as f:
        f.write(data)
    cmd = [pd, '-q', '--symfs', os.path.join(testdata, 'bin'), path]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return label, path, 'timed out after %gs' % timeout, b''
    err = p.stderr
    why = None
    if p.returncode < 0:
        why = 'killed by signal %d' % -p.returncode
    elif p.returncode not in (0, 65, 74):
        why = 'exit status %d' % p.returncode
    elif b'Sanitizer' in err or b'runtime error:' in err:
        why = 'sanitizer report'
    elif p.returncode == 65 and not err.startswith(b'pd-collapse: '):
        why = 'exit 65 without a pd-collapse: message'
    elif must_say and not MESSAGE.search(err):
        why = 'truncated input but no "pd-collapse: FILE@0x...: " line'
    if why is None:
        os.unlink(path)
    return label, path, why, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--quick', action='store_true',
                    default=os.environ.get('PD_ROBUST_QUICK') == '1')
    ap.add_argument('--timeout', type=float, default=5.0)
    ap.add_argument('--keep', help='directory for failing inputs')
    ap.add_argument('pd_collapse')
    ap.add_argument('testdata')
    opts = ap.parse_args()
    tmpdir = tempfile.mkdtemp(prefix='pd-robust-')
    failures = []
    total = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
            futures = []
            for name in FIXTURES:
                with open(os.path.join(opts.testdata, 'perf', name), 'rb') as f:
                    buf = f.read()
                for label, data, must_say in mutations(name, buf, opts.quick):
                    futures.append(pool.submit(
                        run_one, opts.pd_collapse, opts.testdata, tmpdir,
                        name + ' ' + label, data, must_say, opts.timeout,
                        len(futures)))
            total = len(futures)
            for fut in futures:
                label, path, why, err = fut.result()
                if why:
                    failures.append((label, path, why, err))
        for label, path, why, err in failures[:20]:
            print('FAIL %s: %s' % (label, why))
            for line in err.decode('latin-1').splitlines()[:3]:
                print('    ' + line)
        if failures and opts.keep:
            os.makedirs(opts.keep, exist_ok=True)
            for label, path, _, _ in failures:
                dest = re.sub(r'[^\w.=@+-]', '_', label)
                shutil.copy(path, os.path.join(opts.keep, dest))
            print('failing inputs kept in %s' % opts.keep)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print('%d inputs, %d failures' % (total, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
