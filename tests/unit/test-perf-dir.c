// SPDX-License-Identifier: MIT
// Unit test of the reader on the perf.data directory fixtures (perf record
// --threads, with and without -z): records of the data file and of every
// non-empty data.N file come out, merged in time order (time 0 records at
// once), each marked with its file, and progress covers all the files.
// usage: test-perf-dir SRCDIR
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "perf.h"

static uint64_t size_of(const char *dir, const char *name) {
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static void check_dir(const char *dir, uint64_t want_samples) {
	struct pd_perf *r;
	if (pd_perf_open(&r, dir) != PD_OK) {
		CHECK(!"open");
		return;
	}
	uint64_t total = size_of(dir, "data") + size_of(dir, "data.0")
		+ size_of(dir, "data.1");
	CHECK(pd_perf_total(r) == total);
	uint64_t last = 0, samples = 0, per_file[3] = {0};
	struct pd_record rec;
	enum pd_status st;
	while ((st = pd_perf_next(r, &rec)) == PD_OK) {
		CHECK(rec.file < 3);
		per_file[rec.file < 3 ? rec.file : 0]++;
		if (rec.time != 0) {
			CHECK(rec.time >= last);
			last = rec.time;
		}
		if (rec.type == PD_REC_SAMPLE) {
			struct pd_sample s;
			CHECK(pd_perf_parse_sample(r, &rec, &s) == PD_OK);
			samples++;
		}
	}
	CHECK(st == PD_FOUND);
	CHECK(samples == want_samples);
	// The data file holds the synthesized records, data.N the rest.
	CHECK(per_file[0] > 0);
	for (int i = 1; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "data.%d", i - 1);
		CHECK((per_file[i] > 0) == (size_of(dir, name) > 0));
	}
	// All of every data.N; the data file's feature sections were read at
	// open, before its data section.
	uint64_t pos = pd_perf_pos(r);
	CHECK(pos <= total && pos >= total - size_of(dir, "data"));
	pd_perf_close(r);
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fputs("usage: test-perf-dir SRCDIR\n", stderr);
		return 99;
	}
	char dir[4096];
	// Sample counts: perf script -i DIR -F event | wc -l.
	snprintf(dir, sizeof(dir), "%s/testdata/perf/threads-dir.data", argv[1]);
	check_dir(dir, 744);
	snprintf(dir, sizeof(dir), "%s/testdata/perf/threads-dir-zstd.data",
		argv[1]);
	check_dir(dir, 727);
	return check_status();
}
