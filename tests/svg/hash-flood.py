#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes N folded lines to stdout, "NAME 1" each, whose 16-byte names all
# hash (pd_hash with seed 0, as tables of names did) to values with the
# same top 24 bits: the home slot of each in an index of up to 2^24 slots,
# so that each insertion would walk past all the earlier ones. Each name is
# "flood_0_" and 8 bytes chosen from its wanted hash (any byte but NUL,
# space, ';', CR and LF, so some are not UTF-8).
# usage: hash-flood.py N
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from pdhash import FNV_OFFSET, step, unmix, unstep  # noqa: E402

prefix = b'flood_0_'
h1 = step(FNV_OFFSET, int.from_bytes(prefix, 'little'))
bad = set(b'\0 ;\r\n')
n = int(sys.argv[1])
out = []
i = 0
while len(out) < n:
    i += 1
    h2 = unmix(0xabcdef << 40 | i)  # the state after the second word
    w = unstep(h1, h2)
    b = w.to_bytes(8, 'little')
    if bad.isdisjoint(b):
        out.append(prefix + b + b' 1\n')
sys.stdout.buffer.write(b''.join(out))
