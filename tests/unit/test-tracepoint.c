// SPDX-License-Identifier: MIT
// Unit test of the tracing data reader and payload decoding (tracing.c,
// tracepoint.c) on the offcpu fixtures' tracing data: the formats and
// fields are found; every cut of the blob and every byte of its framing
// set to 0xff or 0x00 is read without a fault (each blob is a heap copy
// of its exact size, so ASan sees any read past it) and a cut one says
// where (each read tries libtraceevent in a child process first, so the
// mutations are sampled); payloads too short for a field, or whose __data_loc word points
// outside them, decode to nothing.
// usage: test-tracepoint SRCDIR
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "perf.h"
#include "tracing.h"

struct blob {
	uint8_t *p;
	size_t len;
	uint64_t off;
};

static void keep(void *arg, const uint8_t *p, size_t len, uint64_t off) {
	struct blob *b = arg;
	if (!b->p) {
		b->p = malloc(len);
		memcpy(b->p, p, len);
		b->len = len;
		b->off = off;
	}
}

// The file's tracing data and the config of its event named name.
static struct blob load(const char *path, const char *name, uint64_t *id) {
	struct blob b = {0};
	struct pd_perf *r;
	if (pd_perf_open(&r, path) != PD_OK) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(99);
	}
	pd_perf_set_tracing_callback(r, keep, &b);
	struct pd_record rec;
	while (pd_perf_next(r, &rec) == PD_OK) {
	}
	for (size_t i = 0; i < pd_perf_nevents(r); i++) {
		if (strcmp(pd_perf_event(r, i)->name, name) == 0) {
			*id = pd_perf_event(r, i)->config;
		}
	}
	pd_perf_close(r);
	if (!b.p) {
		fprintf(stderr, "%s: no tracing data\n", path);
		exit(99);
	}
	return b;
}

// Reads an exact-size heap copy of p[0, n); whether a problem was said.
static bool read_copy(const uint8_t *p, size_t n, uint64_t id) {
	uint8_t *c = malloc(n ? n : 1);
	memcpy(c, p, n);
	struct pd_tracing *t = pd_tracing_create();
	pd_tracing_read(t, c, n, 0x1000);
	uint64_t off;
	bool said = pd_tracing_problem(t, &off) != NULL;
	CHECK(!said || (off >= 0x1000 && off <= 0x1000 + n));
	// Whatever was read stays usable.
	struct pd_tp *tp = pd_tracing_tp(t, id);
	if (tp) {
		uint8_t raw[64] = {0};
		uint64_t v;
		bool neg;
		int f = pd_tp_field(tp, "next_pid");
		if (f >= 0) {
			pd_tp_number(tp, f, raw, sizeof(raw), &v, &neg);
		}
	}
	pd_tracing_destroy(t);
	free(c);
	return said;
}

static void check_fields(const struct blob *b, uint64_t id) {
	struct pd_tracing *t = pd_tracing_create();
	pd_tracing_read(t, b->p, b->len, b->off);
	uint64_t off;
	CHECK(pd_tracing_problem(t, &off) == NULL);
	CHECK(pd_tracing_format_problem(t, &off) == NULL);
	struct pd_tp *tp = pd_tracing_tp(t, id);
	CHECK(tp != NULL);
	if (!tp) {
		pd_tracing_destroy(t);
		return;
	}
	CHECK(strcmp(pd_tp_system(tp), "sched") == 0);
	CHECK(strcmp(pd_tp_name(tp), "sched_switch") == 0);
	int comm = pd_tp_field(tp, "prev_comm");
	int pid = pd_tp_field(tp, "next_pid");
	int state = pd_tp_field(tp, "prev_state");
	CHECK(comm >= 0 && pid >= 0 && state >= 0);
	CHECK(pd_tp_field(tp, "common_pid") >= 0);
	CHECK(pd_tp_field(tp, "no_such_field") < 0);
	CHECK(!pd_tp_field_is_number(tp, comm));
	CHECK(pd_tp_field_is_number(tp, pid));
	// A payload of the layout 6.x kernels use: common fields (8 bytes),
	// prev_comm[16] at 8, prev_pid at 24, prev_prio 28, prev_state 32,
	// next_comm 40, next_pid 56.
	uint8_t raw[64] = {0};
	memcpy(raw + 8, "sleeper", 7);
	raw[32] = 1;      // S
	raw[56] = 0x39;   // next_pid 1337
	raw[57] = 0x05;
	uint64_t v;
	bool neg;
	struct pd_strbuf s = {0};
	CHECK(pd_tp_number(tp, pid, raw, sizeof(raw), &v, &neg) && v == 1337
		&& !neg);
	CHECK(!pd_tp_number(tp, pid, raw, 59, &v, &neg)); // cut inside it
	CHECK(!pd_tp_number(tp, comm, raw, sizeof(raw), &v, &neg));
	CHECK(pd_tp_text(t, tp, comm, raw, sizeof(raw), &s) && s.s
		&& strcmp(s.s, "sleeper") == 0);
	s.len = 0;
	CHECK(!pd_tp_text(t, tp, comm, raw, 20, &s) && s.len == 0);
	CHECK(pd_tp_text(t, tp, pid, raw, sizeof(raw), &s) && s.s
		&& strcmp(s.s, "1337") == 0);
	s.len = 0;
	CHECK(pd_tp_task_state(tp, state, raw, sizeof(raw), &s) && s.s
		&& strcmp(s.s, "S") == 0);
	raw[32] = 0;
	s.len = 0;
	CHECK(pd_tp_task_state(tp, state, raw, sizeof(raw), &s) && s.s
		&& strcmp(s.s, "R") == 0);
	raw[32] = 2;
	s.len = 0;
	CHECK(pd_tp_task_state(tp, state, raw, sizeof(raw), &s) && s.s
		&& strcmp(s.s, "D") == 0);
	pd_strbuf_finish(&s);
	pd_tracing_destroy(t);
}

// A kallsyms-free symbol mark: what %pS fields turn into.
static void check_symbol_text(void) {
	char mark[20];
	snprintf(mark, sizeof(mark), "%c%016llx%c", PD_TP_SYMBOL,
		0xffffffff81000123ULL, 'S');
	char in[64];
	int n = snprintf(in, sizeof(in), "call_site=%s", mark);
	uint64_t addr;
	CHECK(pd_tp_symbol_addr(in, (size_t)n, &addr)
		&& addr == 0xffffffff81000123ULL);
	struct pd_strbuf b = {0};
	pd_tp_symbol_text(&b, in, (size_t)n, "f", 0xffffffff81000100ULL);
	CHECK(b.s && strcmp(b.s, "call_site=f+0x23") == 0);
	b.len = 0;
	pd_tp_symbol_text(&b, in, (size_t)n, NULL, 0);
	CHECK(b.s && strcmp(b.s, "call_site=0xffffffff81000123") == 0);
	pd_strbuf_finish(&b);
	CHECK(!pd_tp_symbol_addr("fd=3", 4, &addr));
}

// Each read forks a child for libtraceevent; under ASan a fork costs
// ~20 ms (its shadow memory), so the cuts and bytes are sampled sparser.
#if defined(__SANITIZE_ADDRESS__)
enum { SPARSE = 4 };
#else
enum { SPARSE = 1 };
#endif

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fputs("usage: test-tracepoint SRCDIR\n", stderr);
		return 99;
	}
	const char *files[] = {"offcpu.data", "offcpu-pipe.data"};
	for (size_t k = 0; k < 2; k++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/testdata/perf/%s", argv[1],
			files[k]);
		uint64_t id = UINT64_MAX;
		struct blob b = load(path, "sched:sched_switch", &id);
		CHECK(id != UINT64_MAX);
		check_fields(&b, id);
		// Every cut up to the saved cmdlines (the last 8 bytes and the
		// pipe's padding may go without loss) is said: all in the first
		// 256 bytes, then sampled (each read forks a child for
		// libtraceevent, slow under ASan; fuzz/tracing goes further).
		size_t cuts = 0, tried = 0;
		for (size_t n = 0; n + 16 < b.len;
				n += SPARSE * (n < 256 ? 1 : 53)) {
			cuts += read_copy(b.p, n, id);
			tried++;
		}
		CHECK(cuts == tried);
		// Bytes set to 0xff and 0x00: the first 256 bytes (the header
		// and the header page's framing) all, then sampled.
		for (size_t i = 0; i < b.len;
				i += SPARSE * (i < 256 ? 1 : i < 2048 ? 29 : 257)) {
			uint8_t keep_byte = b.p[i];
			b.p[i] = 0xff;
			read_copy(b.p, b.len, id);
			b.p[i] = 0;
			read_copy(b.p, b.len, id);
			b.p[i] = keep_byte;
		}
		free(b.p);
	}
	check_symbol_text();
	return check_status();
}
