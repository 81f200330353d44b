// SPDX-License-Identifier: MIT
// pd-diff's output straight from folded files: read once to check them
// and, when every file is sorted by stack (pd-collapse's output is), once
// more to merge them line by line, with no stack hashed, sorted or kept;
// when one is not (or is malformed), the stack table (profile.c) as
// pd-diff always did, whose reader says what is wrong.
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"
#include "folded-read.h"
#include "profile.h"
#include "util.h"

// A cursor reads this many bytes at a time (more for longer lines).
#define CHUNK ((size_t)256 << 10)

// An input: a regular file read again on each pass (pread, so that the
// offset stays for the reader's path), or standard input held in memory.
struct input {
	const char *path;
	int fd;       // -1: in memory
	char *mem;
	size_t size;
};

static bool open_input(const char *path, struct input *in) {
	bool std = strcmp(path, "-") == 0;
	*in = (struct input){.path = path, .fd = -1};
	int fd = std ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0) {
		return false;
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		in->fd = fd;
		return true;
	}
	// A pipe or terminal: read it all now; there is no second pass.
	size_t cap = 0;
	for (;;) {
		pd_xgrow(&in->mem, &cap, in->size + CHUNK, 1);
		ssize_t r = read(fd, in->mem + in->size, cap - in->size);
		if (r == 0) {
			break;
		}
		if (r < 0 && errno != EINTR) {
			free(in->mem);
			in->mem = NULL;
			in->size = 0;
			return false; // the reader's path will say why
		}
		in->size += r > 0 ? (size_t)r : 0;
	}
	if (!std) {
		close(fd);
	}
	return true;
}

static void close_input(struct input *in) {
	if (in->fd > 0) {
		close(in->fd);
	}
	free(in->mem);
}

// The byte order of stacks, a prefix first (as pd_texts_cmp).
static int cmp_stacks(const char *a, size_t na, const char *b, size_t nb) {
	int d = memcmp(a, b, na < nb ? na : nb);
	return d ? d : (na > nb) - (na < nb);
}

static bool blank(char c) {
	return c == ' ' || c == '\t';
}

// Reads one input line by line, checking as it goes: a line the folded
// reader would refuse, a stack out of order or a read error stops it
// (bad), and pd-diff takes the reader's path.
struct cursor {
	struct input *in;
	char *buf;
	size_t cap, lo, hi; // unread bytes buf[lo, hi)
	off_t off;          // of buf[hi] in the file
	bool eof, bad;
	const char *s;      // current stack in buf, NULL at the end
	size_t len;
	uint64_t count, total;
};

// More bytes after buf[hi]; keeps the current stack (the next line is
// checked against it) and what is unread, moved to the front.
static void refill(struct cursor *c) {
	size_t keep = c->s ? (size_t)(c->s - c->buf) : c->lo;
	memmove(c->buf, c->buf + keep, c->hi - keep);
	c->hi -= keep;
	c->lo -= keep;
	if (c->s) {
		c->s -= keep;
	}
	if (c->cap - c->hi < CHUNK / 2) {
		size_t at = c->s ? (size_t)(c->s - c->buf) : 0;
		c->cap *= 2; // a long line
		c->buf = pd_xrealloc(c->buf, c->cap);
		c->s = c->s ? c->buf + at : NULL;
	}
	ssize_t r;
	do {
		r = pread(c->in->fd, c->buf + c->hi, c->cap - c->hi, c->off);
	} while (r < 0 && errno == EINTR);
	if (r <= 0) {
		c->eof = true;
		c->bad |= r < 0;
		return;
	}
	c->hi += (size_t)r;
	c->off += r;
}

// Parses "stack count" from s[0, len) as folded-read.c does; false if it
// would refuse the line or the stack comes before the last one.
static bool parse(struct cursor *c, const char *s, size_t len) {
	size_t i = len;
	while (i > 0 && !blank(s[i - 1])) {
		i--;
	}
	if (i == 0 || i == len) {
		return false;
	}
	uint64_t v = 0;
	for (size_t j = i; j < len; j++) {
		unsigned d = (unsigned)(s[j] - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	while (i > 0 && blank(s[i - 1])) {
		i--;
	}
	if (i == 0 || c->total > UINT64_MAX - v
			|| (c->s && cmp_stacks(c->s, c->len, s, i) > 0)) {
		return false;
	}
	c->total += v;
	c->s = s;
	c->len = i;
	c->count = v;
	return true;
}

static void next(struct cursor *c) {
	while (!c->bad) {
		char *s = c->buf + c->lo;
		char *nl = memchr(s, '\n', c->hi - c->lo);
		if (!nl && !c->eof) {
			refill(c);
			continue;
		}
		if (!nl && c->lo == c->hi) {
			break; // the end
		}
		size_t len = nl ? (size_t)(nl - s) : c->hi - c->lo;
		c->lo += len + (nl != NULL);
		while (len > 0 && (blank(s[len - 1]) || s[len - 1] == '\r')) {
			len--;
		}
		if (len > 0) {
			c->bad = !parse(c, s, len);
			if (!c->bad) {
				return;
			}
		}
	}
	c->s = NULL;
}

static void start(struct cursor *c, struct input *in) {
	*c = (struct cursor){.in = in};
	if (in->fd < 0) {
		c->buf = in->mem;
		c->hi = in->size;
		c->eof = true;
	} else {
		c->cap = 2 * CHUNK;
		c->buf = pd_xmalloc(c->cap);
	}
	next(c);
}

static void stop(struct cursor *c) {
	if (c->in->fd >= 0) {
		free(c->buf);
	}
}

// Reads every input through: false if one is malformed or unsorted.
static bool check(struct input *in, size_t n, uint64_t *totals) {
	bool ok = true;
	for (size_t k = 0; ok && k < n; k++) {
		struct cursor c;
		for (start(&c, &in[k]); c.s; next(&c)) {
		}
		ok = !c.bad;
		totals[k] = c.total;
		stop(&c);
	}
	return ok;
}

struct out {
	FILE *f;
	struct pd_strbuf b, stack;
	struct pd_diff_scale scale;
	uint64_t *counts; // per input, of the current stack
	bool normalize, write;
	unsigned __int128 sum[2];
};

// One stack with its counts per input: summed on a first pass (for
// --normalize, and to find sums past 2^64-1 before writing), written on
// the second.
static void emit(struct out *o, const char *s, size_t len) {
	uint64_t c[2];
	pd_diff_scale_line(&o->scale, o->counts, c);
	if (!o->write) {
		o->sum[0] += c[0];
		o->sum[1] += c[1];
		return;
	}
	if (o->normalize) {
		c[0] = pd_diff_scale_u64(c[0], (uint64_t)o->sum[1],
			(uint64_t)o->sum[0]);
	}
	pd_diff_line(&o->b, s, len, c);
	if (o->b.len >= 1 << 16) {
		fwrite(o->b.s, 1, o->b.len, o->f);
		o->b.len = 0;
	}
}

// Merges the checked inputs: each step takes the least stack among the
// cursors and every line equal to it (duplicates within an input add
// up). False if an input changed since it was checked.
static bool merge(struct out *o, struct input *in, size_t n) {
	struct cursor *c = pd_xcalloc(n, sizeof(*c));
	for (size_t k = 0; k < n; k++) {
		start(&c[k], &in[k]);
	}
	bool ok = true;
	for (;;) {
		size_t least = n;
		for (size_t k = 0; k < n; k++) {
			if (c[k].s && (least == n || cmp_stacks(c[k].s, c[k].len,
					c[least].s, c[least].len) < 0)) {
				least = k;
			}
		}
		if (least == n) {
			break;
		}
		// A copy: cursors move their buffers as they read on.
		o->stack.len = 0;
		pd_strbuf_add(&o->stack, c[least].s, c[least].len);
		const char *m = o->stack.s;
		size_t mlen = o->stack.len;
		for (size_t k = 0; k < n; k++) {
			uint64_t sum = 0;
			while (c[k].s && c[k].len == mlen
					&& memcmp(c[k].s, m, mlen) == 0) {
				sum += c[k].count;
				next(&c[k]);
			}
			o->counts[k] = sum;
		}
		emit(o, m, mlen);
	}
	for (size_t k = 0; k < n; k++) {
		ok &= !c[k].bad;
		stop(&c[k]);
	}
	free(c);
	return ok;
}

static enum pd_status write_sorted(FILE *f, struct input *in, size_t n,
		size_t nbase, bool normalize, const uint64_t *totals) {
	struct out o = {.f = f, .normalize = normalize,
		.counts = pd_xcalloc(n, sizeof(uint64_t))};
	pd_diff_scale_init(&o.scale, totals, n, nbase);
	enum pd_status st = PD_OK;
	bool sum = normalize || !o.scale.identity;
	for (int pass = sum ? 0 : 1; st == PD_OK && pass < 2; pass++) {
		o.write = pass == 1;
		if (!merge(&o, in, n)) {
			warnx("an input changed while it was read");
			st = PD_ENOINPUT;
		} else if (!o.write && (o.sum[0] > UINT64_MAX
				|| o.sum[1] > UINT64_MAX || o.scale.overflow)) {
			warnx("the runs' counts add up to more than 2^64-1");
			st = PD_EDATA;
		}
	}
	fwrite(o.b.s, 1, o.b.len, f);
	pd_strbuf_finish(&o.b);
	pd_strbuf_finish(&o.stack);
	free(o.counts);
	return st;
}

// Not sorted, or something to report: the stack table and its reader.
struct fill {
	struct pd_profile *p;
	uint64_t *w;
	size_t col;
};

static void fill_line(void *ctx, const char *stack, size_t len,
		const uint64_t *c, size_t n) {
	struct fill *x = ctx;
	x->w[x->col] = c[0];
	pd_profile_add(x->p, stack, len, x->w);
	x->w[x->col] = 0;
}

static enum pd_status write_table(FILE *f, const struct input *in, size_t n,
		size_t nbase, bool normalize) {
	struct pd_profile *p = pd_profile_create(n);
	struct fill x = {.p = p, .w = pd_xcalloc(n, sizeof(uint64_t))};
	enum pd_status st = PD_OK;
	for (size_t k = 0; st == PD_OK && k < n; k++) {
		x.col = k;
		size_t ncounts = 1;
		// Standard input already read is read from memory.
		st = in[k].mem ? pd_folded_read_mem("<stdin>", in[k].mem,
			in[k].size, 0, &ncounts, fill_line, &x)
			: pd_folded_read(in[k].path, 0, &ncounts, fill_line, &x);
	}
	if (st == PD_OK) {
		st = pd_diff_write(f, p, nbase, normalize);
	}
	free(x.w);
	pd_profile_destroy(p);
	return st;
}

enum pd_status pd_diff_files(FILE *f, const char *const *paths, size_t n,
		size_t nbase, bool normalize) {
	struct input *in = pd_xcalloc(n, sizeof(*in));
	uint64_t *totals = pd_xcalloc(n, sizeof(*totals));
	bool ok = true;
	size_t opened = 0;
	for (; ok && opened < n; opened++) {
		ok = open_input(paths[opened], &in[opened]);
	}
	for (size_t k = opened; k < n; k++) {
		in[k] = (struct input){.path = paths[k], .fd = -1};
	}
	enum pd_status st = ok && check(in, n, totals)
		? write_sorted(f, in, n, nbase, normalize, totals)
		: write_table(f, in, n, nbase, normalize);
	for (size_t k = 0; k < n; k++) {
		close_input(&in[k]);
	}
	free(in);
	free(totals);
	return st;
}
