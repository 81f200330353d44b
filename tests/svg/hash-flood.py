#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes N folded lines to stdout, "NAME 1" each, whose 16-byte names all
# hash (pd_hash with seed 0, as tables of names did) to values with the
# same top 24 bits: the home slot of each in an index of up to 2^24 slots,
# so that each insertion would walk past all the earlier ones. Each name is
# "flood_0_" and 8 bytes chosen from its wanted hash (any byte but NUL,
# space, ';', CR and LF, so some are not UTF-8).
# usage: hash-flood.py N
import sys

M = (1 << 64) - 1
P = 0x100000001b3


def unshift(x, s):
    # Inverse of x ^= x >> s.
    r = x
    for _ in range(64 // s + 1):
        r = x ^ (r >> s)
    return r & M


def unmix(y):
    # Inverse of pd_hash_u64 (murmur3's 64-bit finalizer).
    y = unshift(y, 33)
    y = (y * pow(0xc4ceb9fe1a85ec53, -1, 1 << 64)) & M
    y = unshift(y, 33)
    y = (y * pow(0xff51afd7ed558ccd, -1, 1 << 64)) & M
    return unshift(y, 33)


def step(h, w):
    # One 8-byte word of pd_hash's tail loop.
    h = ((h ^ w) * P) & M
    return h ^ (h >> 29)


prefix = b'flood_0_'
h1 = step(0xcbf29ce484222325, int.from_bytes(prefix, 'little'))
pinv = pow(P, -1, 1 << 64)
bad = set(b'\0 ;\r\n')
n = int(sys.argv[1])
out = []
i = 0
while len(out) < n:
    i += 1
    h2 = unmix(0xabcdef << 40 | i)  # the state after the second word
    w = ((unshift(h2, 29) * pinv) & M) ^ h1
    b = w.to_bytes(8, 'little')
    if bad.isdisjoint(b):
        out.append(prefix + b + b' 1\n')
sys.stdout.buffer.write(b''.join(out))
