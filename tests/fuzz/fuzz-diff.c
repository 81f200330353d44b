// SPDX-License-Identifier: MIT
// libFuzzer target: pd-diff's reading of folded files (diff-files.c: the
// check of each file's head, the sorted merge, the hash table's parts,
// the first file read where it is and the chunked copies of later files,
// built with -DPD_DIFF_SMALL so that parts and chunks are a few bytes)
// against the stack table's reader and pd_diff_write, which is the
// reference: both must give the same status and, when they succeed, the
// same bytes.
// The first byte picks the files (2-5), how many are base runs and -n;
// the rest, split at NUL bytes, are the files.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff.h"
#include "folded-read.h"
#include "memfile.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MOST 5

struct fill {
	struct pd_profile *p;
	uint64_t w[MOST];
	size_t col;
};

static void fill_line(void *ctx, const char *stack, size_t len,
		const uint64_t *c, size_t n) {
	(void)n;
	struct fill *x = ctx;
	x->w[x->col] = c[0];
	pd_profile_add(x->p, stack, len, x->w);
	x->w[x->col] = 0;
}

// The reference: every file through the folded reader into the table.
static enum pd_status reference(FILE *f, const char *const *paths, size_t n,
		size_t nbase, bool normalize) {
	struct fill x = {.p = pd_profile_create(n)};
	enum pd_status st = PD_OK;
	for (size_t k = 0; st == PD_OK && k < n; k++) {
		size_t ncounts = 1;
		x.col = k;
		st = pd_folded_read(paths[k], 0, &ncounts, fill_line, &x);
	}
	if (st == PD_OK) {
		st = pd_diff_write(f, x.p, nbase, normalize);
	}
	pd_profile_destroy(x.p);
	return st;
}

// The bytes written to memfd fd, in a buffer to free.
static char *contents(int fd, size_t *n) {
	off_t end = lseek(fd, 0, SEEK_END);
	char *b = malloc(end > 0 ? (size_t)end : 1);
	*n = end > 0 && pread(fd, b, (size_t)end, 0) == end ? (size_t)end : 0;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static bool init;
	if (!init) { // parts for three threads
		setenv("PD_THREADS", "3", 1);
		init = true;
	}
	if (size == 0) {
		return 0;
	}
	size_t n = 2 + data[0] % 4, nbase = 1 + data[0] / 4 % (n - 1);
	bool normalize = data[0] & 0x80;
	struct memfile in[MOST];
	int out = memfd_create("out", 0);
	const uint8_t *p = data + 1, *end = data + size;
	size_t made = 0;
	for (; made < n; made++) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		const uint8_t *e = nul ? nul : end;
		if (!memfile_open(&in[made], "in.folded", p, (size_t)(e - p))) {
			break;
		}
		p = nul ? nul + 1 : end;
	}
	if (made == n && out >= 0) {
		const char *argv[MOST];
		for (size_t k = 0; k < n; k++) {
			argv[k] = in[k].path;
		}
		FILE *f = fdopen(dup(out), "w");
		char *ref = NULL;
		size_t nref = 0;
		FILE *r = open_memstream(&ref, &nref);
		if (f && r) {
			enum pd_status got = pd_diff_files(f, argv, n, nbase,
				normalize);
			fflush(f);
			enum pd_status want = reference(r, argv, n, nbase,
				normalize);
			fflush(r);
			size_t ngot;
			char *b = contents(out, &ngot);
			if (got != want || (got == PD_OK && (ngot != nref
					|| memcmp(b, ref, nref) != 0))) {
				fprintf(stderr, "fuzz-diff: status %d, the table's %d; "
					"%zu bytes, the table's %zu\n", got, want, ngot,
					nref);
				abort();
			}
			free(b);
		}
		if (f) {
			fclose(f);
		}
		if (r) {
			fclose(r);
		}
		free(ref);
	}
	for (size_t k = 0; k < made; k++) {
		memfile_close(&in[k]);
	}
	if (out >= 0) {
		close(out);
	}
	return 0;
}
