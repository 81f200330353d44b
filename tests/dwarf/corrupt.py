#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""corrupt: overwrites the register and stack-dump bytes of every sample
in a --call-graph dwarf fixture with pseudo-random data (fixed seeds, and
a few patterns: zeros, all ones, the dump's own words shifted), runs
pd-collapse on each copy and requires exit 0 (partial stacks, counted),
never a signal or a sanitizer report.
usage: corrupt.py PD_COLLAPSE FIXTURE SYMFS
"""
import random
import struct
import subprocess
import sys
import tempfile


def samples(buf):
    data_off, data_size = struct.unpack_from('<QQ', buf, 40)
    pos, end = data_off, data_off + data_size
    while pos + 8 <= end:
        typ, misc, size = struct.unpack_from('<IHH', buf, pos)
        if size < 8:
            break
        if typ == 9:
            yield pos, size
        pos += size


def dump_span(buf, pos, size):
    """(regs_start, stack_end) of a sample: the record ends with the dump,
    dyn_size and data_src (perf_event.h field order), the dump follows its
    u64 size, which follows the 20 x86_64 registers."""
    s_end = pos + size - 16
    for n in range(0, size, 8):
        at = s_end - n - 8
        if at < pos + 8:
            break
        if struct.unpack_from('<Q', buf, at)[0] == n:
            return at - 160, s_end
    return None


def mangle(buf, seed):
    rnd = random.Random(seed)
    out = bytearray(buf)
    mode = seed % 5
    for pos, size in samples(buf):
        span = dump_span(buf, pos, size)
        if not span:
            continue
        lo, hi = span
        if mode == 4:
            # dyn_size larger than the dump, or odd
            struct.pack_into('<Q', out, hi, rnd.choice([1 << 40, 7, 4095]))
            continue
        for i in range(lo, hi, 8):
            if i >= lo + 160 and i < lo + 168:
                continue  # keep the dump's size field
            if rnd.random() < 0.3:
                if mode == 0:
                    word = rnd.getrandbits(64)
                elif mode == 1:
                    word = 0
                elif mode == 2:
                    word = (1 << 64) - 1
                else:
                    word = (struct.unpack_from('<Q', buf, i)[0]
                            + rnd.choice([8, -8, 4096])) % (1 << 64)
                struct.pack_into('<Q', out, i, word)
    return bytes(out)


def main():
    pd, fixture, symfs = sys.argv[1:4]
    with open(fixture, 'rb') as f:
        buf = f.read()
    for seed in range(12):
        with tempfile.NamedTemporaryFile(suffix='.data') as t:
            t.write(mangle(buf, seed))
            t.flush()
            r = subprocess.run([pd, '-q', '--symfs', symfs, t.name],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=60)
            err = r.stderr.decode('utf-8', 'replace')
            if r.returncode != 0 or 'Sanitizer' in err:
                sys.stderr.write('seed %d: exit %d\n%s' % (seed, r.returncode,
                                                           err))
                return 1
            print('seed %d: exit %d' % (seed, r.returncode))
    return 0


sys.exit(main())
