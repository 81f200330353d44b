// SPDX-License-Identifier: MIT
// Unit test of the order of pd-collapse's lines: bytewise over whole lines,
// whatever the pieces they are made of. Process names and module names
// (unresolved frames print as [module]) are chosen so that texts are
// prefixes of each other with the next byte below and above ';', contain
// ';' themselves (a module name, split into two pieces), and render the
// same from different names (comm "a;b" and "a:b"), so equal lines must be
// merged.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream-collapse.h"

static void put_u32s(uint32_t a, uint32_t b) {
	put(&a, 4);
	put(&b, 4);
}

static void comm(uint32_t pid, const char *name) {
	char buf[16] = {0};
	strncpy(buf, name, sizeof(buf) - 1);
	header(PD_REC_COMM, 0, 8 + 8 + 16 + 16);
	put_u32s(pid, pid);
	put(buf, 16);
	put_u32s(pid, pid);
	put_u64(1);
}

static void mmap_file(uint32_t pid, uint64_t addr, const char *path) {
	char buf[24] = {0};
	strncpy(buf, path, sizeof(buf) - 1);
	header(PD_REC_MMAP, PD_MISC_USER, 8 + 8 + 24 + 24 + 16);
	put_u32s(pid, pid);
	put_u64(addr);
	put_u64(0x1000);
	put_u64(0);
	put(buf, 24);
	put_u32s(pid, pid);
	put_u64(2);
}

// A sample of pid with callchain ips: leaf .. root (nr addresses).
static void sample(uint32_t pid, size_t nr, const uint64_t *ips) {
	header(PD_REC_SAMPLE, PD_MISC_USER, 8 + 8 + 8 + 8 + 8 + 8 + 8 * nr);
	put_u64(nr ? ips[0] : 0x10010);
	put_u32s(pid, pid);
	put_u64(3);
	put_u64(1);
	put_u64(nr);
	for (size_t i = 0; i < nr; i++) {
		put_u64(ips[i]);
	}
}

static const char *const comms[] = {"a", "a!", "a~", "a;b", "a:b", "ab",
	"a b", ""};
static const char *const mods[] = {"/x/m", "/x/m!", "/x/m~", "/x/m;n",
	"/x/mn", "/x/m;"};

// Every line of out greater than the one before, bytewise (so equal
// lines were merged), and the counts adding up to samples.
static void check_lines(const char *out, uint64_t samples) {
	uint64_t total = 0;
	const char *prev = NULL;
	size_t prev_len = 0;
	CHECK(out != NULL);
	for (const char *line = out ? out : ""; *line;) {
		const char *nl = strchr(line, '\n');
		const char *sp = nl && nl > line
			? memrchr(line, ' ', (size_t)(nl - line)) : NULL;
		CHECK(nl && sp);
		if (!nl || !sp) {
			break;
		}
		size_t len = (size_t)(sp - line);
		if (prev) {
			int d = memcmp(prev, line, prev_len < len ? prev_len : len);
			bool less = d < 0 || (d == 0 && prev_len < len);
			if (!less) {
				fprintf(stderr, "out of order:\n%.*s\n%.*s\n",
					(int)prev_len, prev, (int)len, line);
			}
			CHECK(less);
		}
		total += strtoull(sp + 1, NULL, 10);
		prev = line;
		prev_len = len;
		line = nl + 1;
	}
	CHECK(total == samples);
}

// More distinct names than 16-bit codes hold (the writer's 32-bit path):
// 33,000 processes named from a shuffled counter, a sample each.
static void many_names(void) {
	enum { N = 33000 };
	len = 0;
	stream_begin(PD_SAMPLE_IP | PD_SAMPLE_TID | PD_SAMPLE_TIME
		| PD_SAMPLE_PERIOD | PD_SAMPLE_CALLCHAIN);
	for (uint32_t i = 0; i < N; i++) {
		char name[16];
		snprintf(name, sizeof(name), "c%05u", (i * 7919u) % N);
		comm(100000 + i, name);
		sample(100000 + i, 0, NULL);
		sample(100000 + i, 0, NULL);
	}
	header(PD_REC_FINISHED_ROUND, 0, 8);
	uint64_t counted;
	char *out = stream_collapse(&counted);
	CHECK(counted == 2 * N);
	check_lines(out, 2 * N);
	CHECK(out && strncmp(out, "c00000 2\nc00001 2\n", 18) == 0);
	CHECK(out && strstr(out, "\nc32999 2\n") != NULL);
	free(out);
}

int main(void) {
	stream_begin(PD_SAMPLE_IP | PD_SAMPLE_TID | PD_SAMPLE_TIME
		| PD_SAMPLE_PERIOD | PD_SAMPLE_CALLCHAIN);
	size_t ncomms = sizeof(comms) / sizeof(*comms);
	size_t nmods = sizeof(mods) / sizeof(*mods);
	for (uint32_t p = 0; p < ncomms; p++) {
		comm(100 + p, comms[p]);
		for (size_t m = 0; m < nmods; m++) {
			mmap_file(100 + p, 0x10000 * (m + 1), mods[m]);
		}
	}
	// Per process: chains of 1-3 frames over the modules, and one empty
	// chain (a line of the process name alone).
	uint64_t samples = 0;
	for (uint32_t p = 0; p < ncomms; p++) {
		sample(100 + p, 0, NULL);
		samples++;
		for (size_t m = 0; m < nmods; m++) {
			uint64_t a[3] = {0x10000 * (m + 1) + 0x10,
				0x10000 * ((m + p) % nmods + 1) + 0x20,
				0x10000 * ((m * 3 + p) % nmods + 1) + 0x30};
			sample(100 + p, 1, a);
			sample(100 + p, 2, a);
			sample(100 + p, 3, a);
			samples += 3;
		}
	}
	header(PD_REC_FINISHED_ROUND, 0, 8);

	uint64_t counted;
	char *out = stream_collapse(&counted);
	CHECK(counted == samples);

	check_lines(out, samples);
	// comm "a;b" prints as "a:b": one line for both processes.
	CHECK(strstr(out, "\na:b;[m] 2\n") != NULL);
	CHECK(strstr(out, "\na:b;[m;n] 2\n") != NULL);
	free(out);
	many_names();
	return check_status();
}
