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

// A new stream of samples with callchains.
static void begin(void) {
	len = 0;
	stream_begin(PD_SAMPLE_IP | PD_SAMPLE_TID | PD_SAMPLE_TIME
		| PD_SAMPLE_PERIOD | PD_SAMPLE_CALLCHAIN);
}

// Process pid named letter and a number from i shuffled (0 to n - 1).
static void comm_shuffled(uint32_t pid, char letter, uint32_t i, uint32_t n) {
	char name[16];
	snprintf(name, sizeof(name), "%c%05u", letter, (i * 7919u) % n);
	comm(pid, name);
}

// More distinct names than 16-bit codes hold (the writer's 32-bit path):
// 33,000 processes named from a shuffled counter, a sample each.
static void many_names(void) {
	enum { N = 33000 };
	begin();
	for (uint32_t i = 0; i < N; i++) {
		comm_shuffled(100000 + i, 'c', i, N);
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

// More stacks than the writer fills codes for in one wave and sorts on
// one thread, equal lines among them (two chains in a module render the
// same): the same bytes on one thread and on five.
static void threads_same(void) {
	enum { N = 36000, D = 16 }; // stacks of ~20 ids: 2M ids, 8 waves
	begin();
	for (uint32_t i = 0; i < N; i++) {
		comm_shuffled(200000 + i, 't', i, N);
		mmap_file(200000 + i, 0x10000, mods[i % 6]);
		uint64_t a[D], b[D];
		for (int k = 0; k < D; k++) {
			a[k] = b[k] = 0x10100 + 16 * (uint64_t)k;
		}
		a[0] = 0x10010 + i % 3 * 16;
		b[0] = 0x10020;
		sample(200000 + i, D, a);
		sample(200000 + i, D, b);
		sample(200000 + i, D - 1, a + 1);
	}
	header(PD_REC_FINISHED_ROUND, 0, 8);
	uint64_t n1, n5;
	setenv("PD_THREADS", "1", 1);
	char *one = stream_collapse(&n1);
	setenv("PD_THREADS", "5", 1);
	char *five = stream_collapse(&n5);
	unsetenv("PD_THREADS");
	CHECK(n1 == 3 * N && n5 == 3 * N);
	CHECK(one && five && strcmp(one, five) == 0);
	check_lines(five, 3 * N);
	free(one);
	free(five);
}

// A mapping of path (any length) for pid.
static void mmap_long(uint32_t pid, uint64_t addr, const char *path) {
	char buf[112] = {0};
	size_t n = (strlen(path) + 8) & ~(size_t)7; // its NUL, padded
	CHECK(n <= sizeof(buf));
	memcpy(buf, path, strlen(path));
	header(PD_REC_MMAP, PD_MISC_USER, 8 + 8 + 24 + n + 16);
	put_u32s(pid, pid);
	put_u64(addr);
	put_u64(0x1000);
	put_u64(0);
	put(buf, n);
	put_u32s(pid, pid);
	put_u64(2);
}

struct want {
	char *line;
	uint64_t count;
};

static int cmp_want(const void *a, const void *b) {
	return strcmp(((const struct want *)a)->line,
		((const struct want *)b)->line);
}

// Long lines sharing long prefixes, over many of the writer's 256 KiB
// blocks, one line longer than a block, some sent twice: the output
// against lines built here as strings, sorted by strcmp and merged.
static void long_lines(void) {
	enum { MODS = 6, SAMPLES = 300, LONGEST = 3000 };
	begin();
	comm(500, "long");
	char base[MODS][97];
	for (int m = 0; m < MODS; m++) {
		memset(base[m], 'a' + m, 96);
		base[m][96] = '\0';
		char path[100] = "/x/";
		memcpy(path + 3, base[m], 97);
		mmap_long(500, 0x10000 * (uint64_t)(m + 1), path);
	}
	uint64_t ips[LONGEST];
	struct want *want = calloc(SAMPLES, sizeof(*want));
	CHECK(want != NULL);
	if (!want) {
		return;
	}
	uint32_t x = 12345;
	uint64_t samples = 0;
	for (int i = 0; i < SAMPLES; i++) {
		// Root to leaf: 150 frames all share, then their own.
		x = x * 1103515245u + 12345u;
		int depth = i == SAMPLES / 2 ? LONGEST : 1 + (int)(x >> 8) % 400;
		char *w = want[i].line = malloc(8 + (size_t)depth * 99);
		CHECK(w != NULL);
		if (!w) {
			return;
		}
		w += sprintf(w, "long");
		for (int d = 0; d < depth; d++) {
			x = x * 1103515245u + 12345u;
			int m = d < 150 ? d % MODS : (int)(x >> 16) % MODS;
			w += sprintf(w, ";[%s]", base[m]);
			ips[depth - 1 - d] = 0x10000 * (uint64_t)(m + 1) + 0x10;
		}
		want[i].count = 1 + (i % 3 == 0);
		for (uint64_t k = 0; k < want[i].count; k++) {
			sample(500, (size_t)depth, ips);
			samples++;
		}
	}
	header(PD_REC_FINISHED_ROUND, 0, 8);
	qsort(want, SAMPLES, sizeof(*want), cmp_want);
	char *expect = NULL;
	size_t expect_len = 0;
	FILE *f = open_memstream(&expect, &expect_len);
	CHECK(f != NULL);
	for (size_t i = 0; f && i < SAMPLES;) {
		uint64_t count = want[i].count;
		size_t j = i + 1;
		for (; j < SAMPLES && strcmp(want[j].line, want[i].line) == 0; j++) {
			count += want[j].count;
		}
		fprintf(f, "%s %llu\n", want[i].line, (unsigned long long)count);
		i = j;
	}
	if (f) {
		fclose(f);
	}
	uint64_t counted;
	char *out = stream_collapse(&counted);
	CHECK(counted == samples);
	CHECK(expect_len > (size_t)4 << 20);
	CHECK(out && expect && strcmp(out, expect) == 0);
	free(out);
	free(expect);
	for (int i = 0; i < SAMPLES; i++) {
		free(want[i].line);
	}
	free(want);
}

int main(void) {
	begin();
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
	long_lines();
	threads_same();
	return check_status();
}
