#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes a perf.data to stdout: FILE (a frame-pointer recording whose
# sample_type is IP|TID|TIME|CALLCHAIN|PERIOD, as testdata/perf/fp.data)
# with N samples added at the end of its data, in the process of its first
# sample, at N distinct addresses outside any mapping. The addresses are
# those whose pd_hash_u64 (murmur3's 64-bit finalizer) of address + 1 ends
# in 24 zero bits: keyed by that unseeded hash, all would land in one slot
# of a table of up to 2^24 slots, and each insertion would walk past all
# the earlier ones.
# usage: hash-flood.py FILE N
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from pdhash import M, mix, unmix  # noqa: E402

data = bytearray(open(sys.argv[1], 'rb').read())
n = int(sys.argv[2])
off, size = struct.unpack_from('<QQ', data, 40)
pos = off
while pos < off + size:
    rtype, misc, rsize = struct.unpack_from('<IHH', data, pos)
    if rtype == 9:
        break
    pos += rsize
else:
    sys.exit('hash-flood.py: no sample')
pid, tid, time = struct.unpack_from('<IIQ', data, pos + 16)
added = bytearray()
i = 0
while n:
    i += 1
    k = unmix(i << 24)
    assert mix(k) == i << 24
    a = (k - 1) & M
    if a < 4096 or a >= (1 << 64) - (1 << 16):  # not 0 nor a context mark
        continue
    # ip; pid, tid; time; period; callchain: the user mark, then a as the
    # leaf and a + 1 as a return address. Frames are looked up at their
    # address or one byte before (a call's), so one of the two is at a
    # and keyed a + 1 = k.
    rec = struct.pack('<QIIQQQQQQ', a, pid, tid, time, 1, 3,
                      (1 << 64) - 512, a, (a + 1) & M)
    added += struct.pack('<IHH', 9, misc, 8 + len(rec)) + rec
    n -= 1
end = off + size
# The feature sections' table follows the data and holds offsets.
features = int.from_bytes(data[72:104], 'little')
out = data[:end] + added + data[end:]
delta = len(added)
for j in range(bin(features).count('1')):
    at = end + delta + 16 * j
    foff, fsize = struct.unpack_from('<QQ', out, at)
    struct.pack_into('<QQ', out, at, foff + delta, fsize)
struct.pack_into('<Q', out, 48, size + delta)
sys.stdout.buffer.write(out)
