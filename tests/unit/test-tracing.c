// SPDX-License-Identifier: MIT
// Unit test of the tracing data callback on two sched:sched_switch
// recordings: the feature section of a file-mode one and the payload
// after a pipe-mode one's HEADER_TRACING_DATA record, each found here by
// walking the file independently of the reader, must reach the callback
// exactly (bytes, length, offset), once, whether the callback is set
// before or after the records are read.
// usage: test-tracing SRCDIR
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "perf.h"

struct file {
	uint8_t *p;
	size_t n;
};

struct got {
	int calls;
	uint8_t *blob;
	size_t len;
	uint64_t off;
};

static struct file slurp(const char *path) {
	struct file f = {0};
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		exit(99);
	}
	f.p = malloc(1 << 20);
	f.n = fread(f.p, 1, 1 << 20, fp);
	fclose(fp);
	return f;
}

static uint64_t u64(const struct file *f, size_t at) {
	uint64_t v = 0;
	if (at + 8 <= f->n) {
		memcpy(&v, f->p + at, 8);
	}
	return v;
}

// File mode: the entry of feature bit 1 in the section table after the
// data section (one {offset, size} per set bit, in bit order).
static void file_blob(const struct file *f, uint64_t *off, uint64_t *len) {
	uint64_t table = u64(f, 40) + u64(f, 48);
	unsigned k = u64(f, 72) & 1; // bit 0's entry comes first, if set
	*off = u64(f, table + 16 * k);
	*len = u64(f, table + 16 * k + 8);
}

// Pipe mode: the bytes after the first type 66 record, as many as its
// u32 at +8 says.
static void pipe_blob(const struct file *f, uint64_t *off, uint64_t *len) {
	*off = *len = 0;
	for (size_t pos = 16; pos + 16 <= f->n;) {
		uint32_t type, size32 = 0;
		uint16_t size;
		memcpy(&type, f->p + pos, 4);
		memcpy(&size, f->p + pos + 6, 2);
		if (size < 8) {
			return;
		}
		if (type == PD_REC_HEADER_TRACING_DATA) {
			memcpy(&size32, f->p + pos + 8, 4);
			*off = pos + size;
			*len = size32;
			return;
		}
		pos += size;
	}
}

static void tracing_cb(void *arg, const uint8_t *blob, size_t len,
		uint64_t off) {
	struct got *g = arg;
	g->calls++;
	free(g->blob);
	g->blob = malloc(len ? len : 1);
	memcpy(g->blob, blob, len);
	g->len = len;
	g->off = off;
}

// Reads path with the callback set before (early) or after the records.
static void check_one(const char *path, bool pipe, bool early) {
	struct file f = slurp(path);
	uint64_t off, len;
	if (pipe) {
		pipe_blob(&f, &off, &len);
	} else {
		file_blob(&f, &off, &len);
	}
	CHECK(len > 12 && off + len <= f.n);
	struct pd_perf *r;
	if (pd_perf_open(&r, path) != PD_OK) {
		CHECK(!"open");
		free(f.p);
		return;
	}
	struct got g = {0};
	if (early) {
		pd_perf_set_tracing_callback(r, tracing_cb, &g);
	}
	struct pd_record rec;
	enum pd_status st;
	while ((st = pd_perf_next(r, &rec)) == PD_OK) {
	}
	CHECK(st == PD_FOUND);
	if (!early) {
		pd_perf_set_tracing_callback(r, tracing_cb, &g);
	}
	CHECK(g.calls == 1);
	CHECK(g.len == len && g.off == off);
	CHECK(g.blob && g.len >= 10 && !memcmp(g.blob, "\x17\x08\x44tracing", 10));
	CHECK(g.blob && g.len == len && !memcmp(g.blob, f.p + off, len));
	pd_perf_close(r);
	free(g.blob);
	free(f.p);
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fputs("usage: test-tracing SRCDIR\n", stderr);
		return 99;
	}
	char file[4096], pipe[4096];
	snprintf(file, sizeof(file), "%s/testdata/perf/tracepoint.data", argv[1]);
	snprintf(pipe, sizeof(pipe), "%s/testdata/perf/tracepoint-pipe.data",
		argv[1]);
	for (int early = 0; early < 2; early++) {
		check_one(file, false, early);
		check_one(pipe, true, early);
	}
	return check_status();
}
