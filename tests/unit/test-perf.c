// SPDX-License-Identifier: MIT
// Unit test of the reader on a hand-made pipe-mode stream: samples come
// out in perf's order (sorted by time, each FINISHED_ROUND releasing what
// is older than the round before it), parsed field by field.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "stream.h"

static void sample(uint32_t tid, uint64_t time) {
	header(PD_REC_SAMPLE, PD_MISC_USER, 8 + 8 + 8 + 8);
	uint32_t pt[2] = {tid, tid};
	put(pt, 8);
	put_u64(time);
	put_u64(1000 + time); // period
}

int main(void) {
	stream_begin(PD_SAMPLE_TID | PD_SAMPLE_TIME | PD_SAMPLE_PERIOD);
	sample(1, 30);
	sample(2, 10);
	sample(3, 20);
	header(PD_REC_FINISHED_ROUND, 0, 8); // releases nothing yet
	sample(4, 25);
	sample(5, 40);
	header(PD_REC_FINISHED_ROUND, 0, 8); // releases times <= 30
	sample(6, 35);
	header(PD_REC_FINISHED_ROUND, 0, 8);

	char path[] = "/tmp/pd-test-perf-XXXXXX";
	struct pd_perf *r = stream_open(path);
	if (!r) {
		return 1;
	}
	// Expected order: 10 20 25 30 (round 2), then 35 40 at the end.
	const uint64_t times[] = {10, 20, 25, 30, 35, 40};
	const uint32_t tids[] = {2, 3, 4, 1, 6, 5};
	size_t n = 0;
	struct pd_record rec;
	struct pd_sample s;
	enum pd_status status;
	while ((status = pd_perf_next(r, &rec)) == PD_OK) {
		CHECK(rec.type == PD_REC_SAMPLE);
		CHECK(pd_perf_parse_sample(r, &rec, &s) == PD_OK);
		if (n < 6) {
			CHECK(s.time == times[n] && rec.time == times[n]);
			CHECK(s.tid == tids[n] && s.pid == tids[n]);
			CHECK(s.period == 1000 + times[n]);
		}
		n++;
	}
	CHECK(status == PD_FOUND);
	CHECK(n == 6);
	// Pipe mode: the event arrived with its HEADER_ATTR record; software
	// config 0 without a name record is cpu-clock.
	CHECK(pd_perf_nevents(r) == 1);
	CHECK(!strcmp(pd_perf_event(r, 0)->name, "cpu-clock"));
	pd_perf_close(r);
	unlink(path);
	return check_status();
}
