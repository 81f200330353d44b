# SPDX-License-Identifier: MIT
# pd's unseeded hashes, and their inverses, for tests that make keys
# which all land in one slot of a table (hash-flood.py).
M = (1 << 64) - 1
FNV_OFFSET = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3


def unshift(x, s):
    """The inverse of x ^= x >> s."""
    r = x
    for _ in range(64 // s + 1):
        r = x ^ (r >> s)
    return r & M


def mix(x):
    """pd_hash_u64 (murmur3's 64-bit finalizer)."""
    x ^= x >> 33
    x = (x * 0xff51afd7ed558ccd) & M
    x ^= x >> 33
    x = (x * 0xc4ceb9fe1a85ec53) & M
    return x ^ (x >> 33)


def unmix(y):
    """The inverse of pd_hash_u64."""
    y = unshift(y, 33)
    y = (y * pow(0xc4ceb9fe1a85ec53, -1, 1 << 64)) & M
    y = unshift(y, 33)
    y = (y * pow(0xff51afd7ed558ccd, -1, 1 << 64)) & M
    return unshift(y, 33)


def step(h, w):
    """One 8-byte word of pd_hash's loop for keys under 32 bytes."""
    h = ((h ^ w) * FNV_PRIME) & M
    return h ^ (h >> 29)


def unstep(h, after):
    """The word w with step(h, w) == after."""
    return ((unshift(after, 29) * pow(FNV_PRIME, -1, 1 << 64)) & M) ^ h
