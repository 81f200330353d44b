#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copies a perf.data file to stdout with its THREAD_MAP record (type 73,
# which pd-collapse ignores) turned into PERF_RECORD_LOST (type 2) reporting
# N lost events, and its ID_INDEX record (69) into LOST_SAMPLES (13)
# reporting M lost samples: a hand-made file whose losses are known.
# usage: inject-lost.py FILE N M
import struct
import sys

data = bytearray(open(sys.argv[1], 'rb').read())
lost, lost_samples = int(sys.argv[2]), int(sys.argv[3])
off, size = struct.unpack_from('<QQ', data, 40)
pos, done = off, set()
while pos < off + size:
    rtype, misc, rsize = struct.unpack_from('<IHH', data, pos)
    if rtype == 73 and rsize >= 24 and 73 not in done:
        struct.pack_into('<IHHQQ', data, pos, 2, 0, rsize, 0, lost)
        done.add(73)
    elif rtype == 69 and rsize >= 16 and 69 not in done:
        struct.pack_into('<IHHQ', data, pos, 13, 0, rsize, lost_samples)
        done.add(69)
    pos += rsize
if done != {69, 73}:
    sys.exit('inject-lost.py: records to replace not found')
sys.stdout.buffer.write(data)
