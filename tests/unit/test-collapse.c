// SPDX-License-Identifier: MIT
// Unit test of folding on a hand-made pipe-mode stream in which one raw
// frame-pointer callchain recurs while what it means changes: inside the
// exec (new comm, old maps: perf's rule), after the new image's first
// mapping (the old one still holds the other address), after a new
// mapping over that one, after a rename, and with another cpumode. Each sample must
// fold by what the addresses meant at its time (the files do not exist,
// so frames print as [module]), whatever pd remembers between samples.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream-collapse.h"

static void put_u32s(uint32_t a, uint32_t b) {
	put(&a, 4);
	put(&b, 4);
}

// sample_id_all trailer for TID | TIME
static void trailer(uint64_t time) {
	put_u32s(100, 100);
	put_u64(time);
}

static void comm(const char *name, bool exec, uint64_t time) {
	char buf[16] = {0};
	strncpy(buf, name, sizeof(buf) - 1);
	header(PD_REC_COMM, exec ? 1 << 13 : 0, 8 + 8 + 16 + 16);
	put_u32s(100, 100);
	put(buf, 16);
	trailer(time);
}

static void mmap_file(uint64_t addr, const char *path, uint64_t time) {
	char buf[24] = {0};
	strncpy(buf, path, sizeof(buf) - 1);
	header(PD_REC_MMAP, PD_MISC_USER, 8 + 8 + 24 + 24 + 16);
	put_u32s(100, 100);
	put_u64(addr);
	put_u64(0x10000);
	put_u64(0);
	put(buf, 24);
	trailer(time);
}

// A sample whose callchain is [marker,] 0x401000 (leaf), 0x501000.
static void sample(uint16_t mode, bool marker, uint64_t time) {
	size_t nr = marker ? 3 : 2;
	header(PD_REC_SAMPLE, mode, 8 + 8 + 8 + 8 + 8 + 8 + 8 * nr);
	put_u64(0x401000);
	put_u32s(100, 100);
	put_u64(time);
	put_u64(1);
	put_u64(nr);
	if (marker) {
		put_u64((uint64_t)-512); // PERF_CONTEXT_USER
	}
	put_u64(0x401000);
	put_u64(0x501000);
}

int main(void) {
	stream_begin(PD_SAMPLE_IP | PD_SAMPLE_TID | PD_SAMPLE_TIME
		| PD_SAMPLE_PERIOD | PD_SAMPLE_CALLCHAIN);

	comm("one", false, 1);
	mmap_file(0x400000, "/nonexistent/a", 2);
	mmap_file(0x500000, "/nonexistent/b", 3);
	sample(PD_MISC_USER, true, 10);
	sample(PD_MISC_USER, true, 11);
	comm("two", true, 20); // exec: the old maps stay until replaced
	sample(PD_MISC_USER, true, 20);
	mmap_file(0x400000, "/nonexistent/c", 21);
	sample(PD_MISC_USER, true, 30);
	mmap_file(0x500000, "/nonexistent/d", 40);
	sample(PD_MISC_USER, true, 50);
	comm("three", false, 60); // a rename, maps unchanged
	sample(PD_MISC_USER, true, 70);
	sample(PD_MISC_USER, false, 80);
	sample(PD_MISC_KERNEL, false, 90); // the same numbers, kernel side
	header(PD_REC_FINISHED_ROUND, 0, 8);

	uint64_t samples;
	char *out = stream_collapse(&samples);
	const char *want =
		"one;[b];[a] 2\n"
		"three;[[kernel.kallsyms]];[[kernel.kallsyms]] 1\n"
		"three;[d];[c] 2\n"
		"two;[b];[a] 1\n"
		"two;[b];[c] 1\n"
		"two;[d];[c] 1\n";
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "got:\n%swant:\n%s", out, want);
		CHECK(false);
	}
	CHECK(samples == 8);
	free(out);
	return check_status();
}
