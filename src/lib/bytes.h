// SPDX-License-Identifier: MIT
// Unaligned reads of a record's fields (in the machine's byte order,
// which pd requires of perf.data), and bit counts.
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

#endif
