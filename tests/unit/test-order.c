// SPDX-License-Identifier: MIT
// Unit test of the ordering layer alone: records of two files queued in
// turns come out by time, ties in queue order, each with its file, a
// round releasing only what is no newer than the round before it.
#include <string.h>

#include "check.h"
#include "perf-order.h"
#include "bytes.h"

static uint8_t bytes[64][16];
static int nbytes;

static void queue(struct pd_order *o, uint32_t file, uint64_t time) {
	uint8_t *p = bytes[nbytes++];
	uint32_t type = PD_REC_SAMPLE;
	uint16_t misc = 0, size = 16;
	memcpy(p, &type, 4);
	memcpy(p + 4, &misc, 2);
	memcpy(p + 6, &size, 2);
	memcpy(p + 8, &time, 8);
	pd_order_queue(o, &(struct pd_record){.type = type, .size = size,
		.data = p, .offset = 100 * file + time, .file = file,
		.time = time});
}

// Hands out what is ready: n records, with these times and files.
static void expect(struct pd_order *o, int n, const uint64_t *times,
		const uint32_t *files) {
	struct pd_record rec;
	for (int i = 0; i < n; i++) {
		CHECK(pd_order_next(o, &rec));
		CHECK(pd_get_u64(rec.data + 8) == times[i]);
		CHECK(rec.file == files[i]);
		CHECK(rec.offset == 100 * files[i] + times[i]);
		CHECK(rec.size == 16 && rec.type == PD_REC_SAMPLE);
	}
	CHECK(!pd_order_next(o, &rec));
}

int main(void) {
	struct pd_order *o = pd_order_create();
	// No inputs added: every record is copied.
	queue(o, 0, 5);
	queue(o, 1, 3);
	queue(o, 1, 7);
	queue(o, 0, 7); // a tie: after file 1's 7, queued first
	pd_order_round(o); // nothing older than the previous round: none
	expect(o, 0, NULL, NULL);
	queue(o, 1, 9);
	queue(o, 0, 4);
	pd_order_round(o); // up to 7, the newest before this round
	expect(o, 5, (const uint64_t[]){3, 4, 5, 7, 7},
		(const uint32_t[]){1, 0, 0, 1, 0});
	queue(o, 0, 8);
	pd_order_flush(o);
	expect(o, 2, (const uint64_t[]){8, 9}, (const uint32_t[]){0, 1});
	pd_order_destroy(o);
	return check_status();
}
