// SPDX-License-Identifier: MIT
// Byte strings in byte order (memcmp, a prefix first): a multikey
// quicksort on 8 bytes at a time for many long strings that share long
// prefixes, as the lines of a folded profile do.
#ifndef PD_STRSORT_H
#define PD_STRSORT_H

#include <stddef.h>
#include <stdint.h>

// A string and a value of the caller's that travels with it.
// 24 bytes: the sort's partitions move keys, not strings.
struct pd_strkey {
	const unsigned char *s;
	uint32_t len;
	uint32_t val;
	uint64_t chunk; // the sort's: bytes it is looking at, big-endian
};

// Bytes [0, 8) of s: set .chunk to this before sorting (where the
// string is at hand, so the sort need not fetch it again).
uint64_t pd_strkey_chunk(const unsigned char *s, size_t len);
// Sorts a[0, n) by their strings; equal strings in no particular order.
void pd_strsort(struct pd_strkey *a, size_t n);
// The same on pd_cpus() threads (pd_parallel) when n is large enough to
// gain from it.
void pd_strsort_parallel(struct pd_strkey *a, size_t n);

#endif
