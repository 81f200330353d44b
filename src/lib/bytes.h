// SPDX-License-Identifier: MIT
// Unaligned reads of a record's fields (in the machine's byte order,
// which pd requires of perf.data), bit counts and common prefixes.
#ifndef PD_BYTES_H
#define PD_BYTES_H

#include <stdint.h>
#include <string.h>

// Set bits in x. Inline: the baseline x86-64 target has no popcnt, and
// __builtin_popcountll becomes a libgcc call there.
static inline unsigned pd_popcount64(uint64_t x) {
	x -= x >> 1 & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + (x >> 2 & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

static inline uint64_t pd_get_u64(const void *p) {
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}
static inline uint32_t pd_get_u32(const void *p) {
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}
static inline uint16_t pd_get_u16(const void *p) {
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

// Length of the common prefix of a[0, n) and b[0, n), 8 bytes at a time.
static inline size_t pd_common_prefix(const char *a, const char *b, size_t n) {
	size_t i = 0;
	while (i + 8 <= n && pd_get_u64(a + i) == pd_get_u64(b + i)) {
		i += 8;
	}
	while (i < n && a[i] == b[i]) {
		i++;
	}
	return i;
}

#endif
