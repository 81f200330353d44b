// SPDX-License-Identifier: MIT
// Unit tests' MMAP2 record: maps [start, start + len) at file offset pgoff
// of name into process pid (r-x), through pd_maps_apply.
#ifndef PD_TEST_MMAP2_H
#define PD_TEST_MMAP2_H

#include <stdint.h>
#include <string.h>

#include "maps.h"
#include "perf.h"
#include "check.h"

static inline void test_mmap2(struct pd_maps *maps, uint32_t pid,
		uint64_t start, uint64_t len, uint64_t pgoff, const char *name) {
	uint8_t rec[160] = {0};
	uint32_t type = PD_REC_MMAP2, prot = 5;
	uint16_t misc = PD_MISC_USER, size = sizeof(rec);
	memcpy(rec, &type, 4);
	memcpy(rec + 4, &misc, 2);
	memcpy(rec + 6, &size, 2);
	memcpy(rec + 8, &pid, 4);
	memcpy(rec + 12, &pid, 4);
	memcpy(rec + 16, &start, 8);
	memcpy(rec + 24, &len, 8);
	memcpy(rec + 32, &pgoff, 8);
	memcpy(rec + 64, &prot, 4);
	strncpy((char *)rec + 72, name, sizeof(rec) - 73);
	struct pd_record r = {.type = type, .misc = misc, .size = size,
		.data = rec};
	CHECK(pd_maps_apply(maps, &r));
}

#endif
