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
edge values; record sizes set to 0/1/7/0xffff; random bytes overwritten;
tracing data whose size lies (the feature section's table entry, the u32 of
a pipe's HEADER_TRACING_DATA record), and inside the tracing data: its
sizes and counts set to lies, event formats made garbage or given a broken
byte. Fixtures with tracing data are also read with options that decode it
(--off-cpu, --field, --weight=FIELD, --list-events --verbose); those runs
may end in 64 as well.

A perf.data directory (perf record --threads) is mutated one file at a
time, its data file as a file-mode fixture and its data.N files as record
streams without a header (fewer cuts); a truncated data.N must be named in
the message (`DIR/data.N@0x...`). Failing inputs are kept in --keep DIR for
debugging.

With --same-as-mapped, each input also runs without PD_DEBUG_READ_BLOCK
(mapped, for files under 64 MiB) and must give the same exit status,
output and messages as the run in blocks.

usage: robust.py [--jobs N] [--quick] [--same-as-mapped] [--keep DIR]
                 PD_COLLAPSE TESTDATA_DIR
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
pt = __import__('patch-tracing')

FIXTURES = ['fp.data', 'fp-zstd.data', 'fp-pipe.data', 'two-events.data',
            'threads.data', 'tracepoint.data', 'tracepoint-pipe.data',
            'threads-dir.data', 'threads-dir-zstd.data', 'offcpu.data',
            'offcpu-pipe.data', 'sample-read.data']
# Fixtures with tracing data are also read with options that decode it;
# those runs may also end in 64 (a field or event the damage took away).
TRACING = {
    'tracepoint.data': [['-e', 'sched:sched_switch', '--field', 'next_comm',
                         '--field', 'prev_state', '--weight=next_pid'],
                        ['--list-events', '--verbose']],
    'offcpu.data': [['--off-cpu', '--task-state', '--field', 'next_comm'],
                    ['--on-off-cpu'],
                    ['-e', 'kmem:kmalloc', '--weight=bytes_alloc',
                     '--field', 'call_site']],
}
TRACING['tracepoint-pipe.data'] = TRACING['tracepoint.data']
TRACING['offcpu-pipe.data'] = TRACING['offcpu.data']
HEADER_FIELDS = {  # perf.data-file-format.txt: u64 fields of the header
    'size': 8, 'attr_size': 16, 'attrs.offset': 24, 'attrs.size': 32,
    'data.offset': 40, 'data.size': 48, 'event_types.offset': 56,
    'event_types.size': 64,
}
MESSAGE = re.compile(rb'^pd-collapse: .*@0x[0-9a-f]+: ', re.M)


def record_offsets(buf, pipe, raw=False):
    """Offsets of the record headers (u32 type, u16 misc, u16 size); raw:
    a data.N file, records from its first byte."""
    if raw:
        pos, end = 0, len(buf)
    elif pipe:
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


def tracing_lies(buf, pipe):
    """Yields (label, bytes, truncated) with the tracing data's size or
    place set to lies; truncated: it now runs past the end of the file."""
    n = len(buf)
    if pipe:
        records, _ = record_offsets(buf, True)
        for pos in records:
            if struct.unpack_from('<I', buf, pos)[0] != 66:
                continue
            hsize = struct.unpack_from('<H', buf, pos + 6)[0]
            real = struct.unpack_from('<I', buf, pos + 8)[0]
            for v in (0, 1, 7, real - 8, real + 8, n, 1 << 31,
                      (1 << 32) - 1):
                b = bytearray(buf)
                struct.pack_into('<I', b, pos + 8, v)
                yield ('tracing-record@%#x.size=%d' % (pos, v), bytes(b),
                       pos + hsize + v > n)
        return
    bits = struct.unpack_from('<4Q', buf, 72)
    if not bits[0] & 2:
        return
    data_off, data_size = struct.unpack_from('<QQ', buf, 40)
    entry = data_off + data_size + 16 * (bits[0] & 1)
    off, size = struct.unpack_from('<QQ', buf, entry)
    for v in (0, 1, size - 1, size + 1, n - off + 1, n, 1 << 63,
              (1 << 64) - 1):
        b = bytearray(buf)
        struct.pack_into('<Q', b, entry + 8, v)
        yield 'tracing-feature.size=%d' % v, bytes(b), off + v > n
    for v in (0, n - 1, n, (1 << 64) - 8):
        b = bytearray(buf)
        struct.pack_into('<Q', b, entry, v)
        yield 'tracing-feature.offset=%d' % v, bytes(b), v + size > n


def tracing_inside(name, buf, quick):
    """Yields (label, bytes, truncated) with the tracing data's own sizes
    and counts set to lies, and event formats made garbage or broken
    (tests/corrupt/patch-tracing.py walks the blob)."""
    try:
        out, texts = pt.fields(bytearray(buf))
    except SystemExit:
        return
    rng = random.Random('pd-robust-tracing-' + name)
    for field, off, width in out:
        real = int.from_bytes(buf[off:off + width], 'little')
        top = (1 << 8 * width) - 1
        for v in (0, 1, real - 1, real + 1, 1 << 31, top):
            b = bytearray(buf)
            b[off:off + width] = (v & top).to_bytes(width, 'little')
            yield 'tracing.%s=%d' % (field, v & top), bytes(b), False
    for i in range(len(texts)):
        b = bytearray(buf)
        pt.garbage(b, texts, i, seed=i)
        yield 'tracing.format.%d=garbage' % i, bytes(b), False
        off, n = texts[i]
        for k in range(4 if quick else 16):
            b = bytearray(buf)
            pos = off + rng.randrange(n)
            b[pos] = rng.choice((0, 0xff, ord('['), ord(']'), ord(';'),
                                 ord(':'), ord('('), ord('%'),
                                 rng.randrange(256)))
            yield 'tracing.format.%d@%#x' % (i, pos), bytes(b), False


def stream_mutations(name, buf, quick):
    """Yields (label, bytes, truncated) for a data.N file: records from
    its first byte, no header."""
    rng = random.Random('pd-robust-' + name)
    n = len(buf)
    if n == 0:
        for k in (1, 7):
            yield 'junk=%d' % k, bytes(rng.randrange(256) for _ in range(k)), True
        return
    records, _ = record_offsets(buf, False, raw=True)
    boundaries = set(records)
    step = 13 if quick else 3
    count = 20 if quick else 80
    cuts = set(range(1, min(512, n), step))
    cuts |= {n * i // count for i in range(1, count)}
    for cut in sorted(c for c in cuts if c < n):
        yield 'truncate=%d' % cut, buf[:cut], cut not in boundaries
    picks = records if len(records) <= 20 else rng.sample(records, 20)
    for off in sorted(picks)[: 5 if quick else 20]:
        for v in (0, 7, 0xffff):
            b = bytearray(buf)
            struct.pack_into('<H', b, off + 6, v)
            yield 'record@%#x.size=%d' % (off, v), bytes(b), False
    for i in range(10 if quick else 40):
        b = bytearray(buf)
        width = rng.choice((1, 2, 4, 8))
        pos = rng.randrange(0, max(1, n - width))
        for j in range(width):
            b[pos + j] = rng.randrange(256)
        yield 'random-%d@%#x+%d' % (i, pos, width), bytes(b), False


def dir_mutations(name, files, quick):
    """Yields (label, {file: bytes}, truncated, file named) for a
    directory: one of its files mutated at a time."""
    for fname in sorted(files):
        if fname == 'data':
            gen = mutations(name + '/data', files[fname], True)
        else:
            gen = stream_mutations(name + '/' + fname, files[fname], quick)
        for label, data, must_say in gen:
            out = dict(files)
            out[fname] = data
            yield (fname + ' ' + label, out, must_say,
                   fname)


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
    yield from tracing_lies(buf, pipe)
    if name in TRACING:
        yield from tracing_inside(name, buf, quick)


SAME_AS_MAPPED = False


def run_one(pd, testdata, tmpdir, label, data, must_say, timeout, idx,
            named=None, opts=()):
    path = os.path.join(tmpdir, 'case%d.data' % idx)
    if isinstance(data, dict):
        os.mkdir(path)
        for fname, content in data.items():
            with open(os.path.join(path, fname), 'wb') as f:
                f.write(content)
    else:
        with open(path, 'wb') as f:
            f.write(data)
    cmd = [pd, '-q', '--symfs', os.path.join(testdata, 'bin'),
           '--kallsyms', os.path.join(testdata, 'perf', 'offcpu.kallsyms')]
    cmd += list(opts) + [path]
    ok = (0, 64, 65, 74) if opts else (0, 65, 74)
    out = subprocess.PIPE if SAME_AS_MAPPED else subprocess.DEVNULL
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=out, stderr=subprocess.PIPE,
                           timeout=timeout)
        if SAME_AS_MAPPED:
            env = dict(os.environ)
            env.pop('PD_DEBUG_READ_BLOCK', None)
            m = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout,
                               env=env)
    except subprocess.TimeoutExpired:
        return label, path, 'timed out after %gs' % timeout, b''
    err = p.stderr
    why = None
    if SAME_AS_MAPPED and (p.returncode, p.stdout, p.stderr) != \
            (m.returncode, m.stdout, m.stderr):
        why = ('read in blocks: exit %d, %d bytes out; mapped: exit %d, '
               '%d bytes out%s' % (p.returncode, len(p.stdout),
                                   m.returncode, len(m.stdout),
                                   '' if p.stderr == m.stderr
                                   else '; messages differ'))
        err = p.stderr + b'--- mapped:\n' + m.stderr
    elif p.returncode < 0:
        why = 'killed by signal %d' % -p.returncode
    elif p.returncode not in ok:
        why = 'exit status %d' % p.returncode
    elif b'Sanitizer' in err or b'runtime error:' in err:
        why = 'sanitizer report'
    elif p.returncode == 65 and not err.startswith(b'pd-collapse: '):
        why = 'exit 65 without a pd-collapse: message'
    elif must_say and not MESSAGE.search(err):
        why = 'truncated input but no "pd-collapse: FILE@0x...: " line'
    elif must_say and named and ('/%s@0x' % named).encode() not in err:
        why = 'truncated %s but no message names it' % named
    if why is None:
        remove(path)
    if opts:
        label += ' [%s]' % ' '.join(opts)
    return label, path, why, err


def remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def load(path):
    """A fixture's bytes, or {file: bytes} for a directory."""
    if os.path.isdir(path):
        out = {}
        for fname in os.listdir(path):
            with open(os.path.join(path, fname), 'rb') as f:
                out[fname] = f.read()
        return out
    with open(path, 'rb') as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--quick', action='store_true',
                    default=os.environ.get('PD_ROBUST_QUICK') == '1')
    # PD_ROBUST_TIMEOUT: the sanitizer builds (run-all.sh) allow more.
    ap.add_argument('--timeout', type=float,
                    default=float(os.environ.get('PD_ROBUST_TIMEOUT', '5')))
    ap.add_argument('--keep', help='directory for failing inputs')
    ap.add_argument('--same-as-mapped', action='store_true',
                    help='also run each input without PD_DEBUG_READ_BLOCK '
                    '(mapped) and require the same exit status, output and '
                    'messages')
    ap.add_argument('pd_collapse')
    ap.add_argument('testdata')
    opts = ap.parse_args()
    global SAME_AS_MAPPED
    SAME_AS_MAPPED = opts.same_as_mapped
    tmpdir = tempfile.mkdtemp(prefix='pd-robust-')
    failures = []
    total = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
            futures = []
            for name in FIXTURES:
                buf = load(os.path.join(opts.testdata, 'perf', name))
                if isinstance(buf, dict):
                    gen = dir_mutations(name, buf, opts.quick)
                else:
                    gen = ((label, data, must_say, None) for label, data,
                           must_say in mutations(name, buf, opts.quick))
                for label, data, must_say, named in gen:
                    # Tracepoint options on the tracing data's damage and
                    # on cuts (the tracing data is near the end of a file).
                    runs = [()]
                    if name in TRACING and (label.startswith('tracing') or
                                            (label.startswith('truncate')
                                             and len(futures) % 8 == 0)):
                        runs += TRACING[name]
                    for extra in runs:
                        futures.append(pool.submit(
                            run_one, opts.pd_collapse, opts.testdata, tmpdir,
                            name + ' ' + label, data, must_say, opts.timeout,
                            len(futures), named, extra))
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
                dest = os.path.join(opts.keep, re.sub(r'[^\w.=@+-]', '_', label))
                if os.path.isdir(path):
                    shutil.rmtree(dest, ignore_errors=True)
                    shutil.copytree(path, dest)
                else:
                    shutil.copy(path, dest)
            print('failing inputs kept in %s' % opts.keep)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print('%d inputs, %d failures' % (total, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
