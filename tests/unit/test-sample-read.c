// SPDX-License-Identifier: MIT
// Unit test of PERF_SAMPLE_READ (leader sampling, perf record -e
// '{cpu-clock,task-clock}:S') on a hand-made stream: each counter value a
// leader's sample carries is a sample of the value's event, weighing
// what the counter counted since its last value; counters that did not
// move and ids of no event give none (as perf script). Expected values
// are worked out by hand below.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "stream.h"

#define TYPE (PD_SAMPLE_IDENTIFIER | PD_SAMPLE_TID | PD_SAMPLE_TIME \
	| PD_SAMPLE_READ)
#define GROUP_ID ((1u << 3) | (1u << 2)) // PERF_FORMAT_GROUP | _ID

static void attr(uint64_t config, uint64_t id) {
	uint8_t a[128] = {0};
	uint32_t type = 1, size = sizeof(a);
	uint64_t st = TYPE, rf = GROUP_ID, flags = PD_ATTR_SAMPLE_ID_ALL;
	memcpy(a, &type, 4);
	memcpy(a + 4, &size, 4);
	memcpy(a + 8, &config, 8);
	memcpy(a + 24, &st, 8);
	memcpy(a + 32, &rf, 8);
	memcpy(a + 40, &flags, 8);
	header(PD_REC_HEADER_ATTR, 0, 8 + sizeof(a) + 8);
	put(a, sizeof(a));
	put_u64(id);
}

// A sample of the leader (id 7) at time t carrying n (value, id) pairs.
static void sample(uint64_t t, size_t n, const uint64_t *pairs) {
	header(PD_REC_SAMPLE, PD_MISC_USER, 8 + 8 * 4 + 16 * n);
	put_u64(7);
	uint32_t pt[2] = {1, 1};
	put(pt, 8);
	put_u64(t);
	put_u64(n);
	put(pairs, 16 * n);
}

int main(void) {
	put("PERFILE2", 8);
	put_u64(16);
	attr(0, 7); // cpu-clock, the leader
	attr(1, 8); // task-clock
	sample(10, 2, (const uint64_t[]){100, 7, 50, 8});
	sample(20, 2, (const uint64_t[]){250, 7, 50, 8});  // 8 did not move
	sample(30, 3, (const uint64_t[]){400, 7, 90, 8, 5, 99}); // 99: none
	header(PD_REC_FINISHED_ROUND, 0, 8);

	char path[] = "/tmp/pd-test-read-XXXXXX";
	struct pd_perf *r = stream_open(path);
	if (!r) {
		return 1;
	}
	// (event, period) of each sample the values stand for, in order.
	const int events[] = {0, 1, 0, 0, 1};
	const uint64_t periods[] = {100, 50, 150, 150, 40};
	size_t n = 0;
	struct pd_record rec;
	struct pd_sample s, v;
	enum pd_status status;
	while ((status = pd_perf_next(r, &rec)) == PD_OK) {
		CHECK(rec.type == PD_REC_SAMPLE);
		CHECK(pd_perf_parse_sample(r, &rec, &s) == PD_OK);
		for (uint32_t k = 0; k < s.nread; k++) {
			if (!pd_perf_read_sample(r, &s, k, &v)) {
				continue;
			}
			if (n < 5) {
				CHECK(v.event == events[n]);
				CHECK(v.period == periods[n]);
				CHECK(v.time == s.time && v.nread == 0);
			}
			n++;
		}
	}
	CHECK(status == PD_FOUND);
	CHECK(n == 5);
	CHECK(!strcmp(pd_perf_event(r, 1)->name, "task-clock"));
	pd_perf_close(r);
	unlink(path);

	// A group that claims more values than its record holds: an error,
	// not a read past the record.
	len = 0;
	put("PERFILE2", 8);
	put_u64(16);
	attr(0, 7);
	header(PD_REC_SAMPLE, PD_MISC_USER, 8 + 8 * 4 + 16);
	put_u64(7);
	put_u64(1);
	put_u64(10);
	put_u64(1ULL << 60); // nr
	put_u64(100);
	put_u64(7);
	char path2[] = "/tmp/pd-test-read-XXXXXX";
	r = stream_open(path2);
	if (!r) {
		return 1;
	}
	CHECK(pd_perf_next(r, &rec) == PD_OK);
	fprintf(stderr, "(an error message is expected next)\n");
	CHECK(pd_perf_parse_sample(r, &rec, &s) == PD_EDATA);
	pd_perf_close(r);
	unlink(path2);
	return check_status();
}
