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

static void attr(uint64_t config, uint64_t id, uint64_t more_flags) {
	stream_attr(config, TYPE, GROUP_ID, PD_ATTR_SAMPLE_ID_ALL | more_flags, id);
}

// A sample of the leader (id 7) by thread tid at time t carrying n
// (value, id) pairs.
static void sample(uint32_t tid, uint64_t t, size_t n, const uint64_t *pairs) {
	header(PD_REC_SAMPLE, PD_MISC_USER, 8 + 8 * 4 + 16 * n);
	put_u64(7);
	uint32_t pt[2] = {tid, tid};
	put(pt, 8);
	put_u64(t);
	put_u64(n);
	if (n) {
		put(pairs, 16 * n);
	}
}

// The samples the stream so far stands for: their events and periods
// checked against want (n of them, -1 events ending early), in order.
static void expect(const char *what, size_t n, const int *events,
		const uint64_t *periods) {
	char path[] = "/tmp/pd-test-read-XXXXXX";
	struct pd_perf *r = stream_open(path);
	if (!r) {
		exit(1);
	}
	size_t got = 0;
	struct pd_record rec;
	struct pd_sample s, v;
	enum pd_status status;
	while ((status = pd_perf_next(r, &rec)) == PD_OK) {
		CHECK(rec.type == PD_REC_SAMPLE);
		CHECK(pd_perf_parse_sample(r, &rec, &s) == PD_OK);
		CHECK(s.read != NULL);
		for (uint32_t k = 0; k < s.nread; k++) {
			if (!pd_perf_read_sample(r, &s, k, &v)) {
				continue;
			}
			if (got < n && (v.event != events[got]
					|| v.period != periods[got])) {
				fprintf(stderr, "%s: sample %zu: event %d period %llu, "
					"not %d %llu\n", what, got, v.event,
					(unsigned long long)v.period, events[got],
					(unsigned long long)periods[got]);
				CHECK(false);
			}
			CHECK(v.time == s.time && v.read == NULL && v.nread == 0);
			got++;
		}
	}
	CHECK(status == PD_FOUND);
	if (got != n) {
		fprintf(stderr, "%s: %zu samples, not %zu\n", what, got, n);
		CHECK(false);
	}
	pd_perf_close(r);
	unlink(path);
}

static void begin(uint64_t flags) {
	len = 0;
	stream_header();
	attr(0, 7, flags); // cpu-clock, the leader
	attr(1, 8, flags); // task-clock
}

int main(void) {
	begin(0);
	sample(1, 10, 2, (const uint64_t[]){100, 7, 50, 8});
	sample(1, 20, 2, (const uint64_t[]){250, 7, 50, 8}); // 8 did not move
	sample(1, 30, 3, (const uint64_t[]){400, 7, 90, 8, 5, 99}); // 99: none
	sample(1, 40, 0, NULL); // a group of no values: no sample
	header(PD_REC_FINISHED_ROUND, 0, 8);
	expect("one thread", 5, (const int[]){0, 1, 0, 0, 1},
		(const uint64_t[]){100, 50, 150, 150, 40});

	// Inherited counters (perf 6.12 on): each thread's count comes under
	// the same id, and goes on from that thread's last value.
	begin(PD_ATTR_INHERIT);
	sample(1, 10, 1, (const uint64_t[]){1000, 7});
	sample(2, 20, 1, (const uint64_t[]){200, 7});
	sample(1, 30, 1, (const uint64_t[]){1100, 7});
	sample(2, 40, 1, (const uint64_t[]){300, 7});
	header(PD_REC_FINISHED_ROUND, 0, 8);
	expect("inherited", 4, (const int[]){0, 0, 0, 0},
		(const uint64_t[]){1000, 200, 100, 100});

	// Not inherited: one count whatever the thread, as perf 6.1 records.
	begin(0);
	sample(1, 10, 1, (const uint64_t[]){1000, 7});
	sample(2, 20, 1, (const uint64_t[]){1200, 7});
	header(PD_REC_FINISHED_ROUND, 0, 8);
	expect("one count", 2, (const int[]){0, 0},
		(const uint64_t[]){1000, 200});

	struct pd_record rec;
	struct pd_sample s;
	struct pd_perf *r;
	// A group that claims more values than its record holds: an error,
	// not a read past the record.
	len = 0;
	stream_header();
	attr(0, 7, 0);
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
