// SPDX-License-Identifier: MIT
// pd-diff's output straight from folded files: mapped and, when every file
// is sorted by stack (pd-collapse's output is), merged line by line in one
// pass that checks each line as the folded reader would, with no stack
// hashed or sorted; when a file is not sorted, or a line is malformed,
// the stack table (profile.c) as pd-diff always did, whose reader says
// what is wrong.
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "diff.h"
#include "folded-read.h"
#include "profile.h"
#include "alloc.h"
#include "strbuf.h"

// Mapped inputs are read through a window of pages: this many bytes are
// mapped in ahead at once and, for the inputs after the first, those more
// than this far behind given back. (Like any reader of mapped files, a
// file cut short by someone else while pd-diff runs ends it with SIGBUS.)
#define WINDOW ((size_t)1 << 20)

// An input in memory: a mapped regular file, or what standard input (a
// pipe) held.
struct input {
	const char *path;
	char *buf;
	size_t size;
	bool mapped, window, keep; // keep: the window leaves nothing behind
	size_t ahead, dropped; // window: bytes mapped in, given back
};

static bool read_all(int fd, struct input *in) {
	size_t cap = 0;
	for (;;) {
		pd_xgrow(&in->buf, &cap, in->size + 65536, 1);
		ssize_t r = read(fd, in->buf + in->size, cap - in->size);
		if (r == 0) {
			return true;
		}
		if (r < 0 && errno != EINTR) {
			return false; // the reader's path will say why
		}
		in->size += r > 0 ? (size_t)r : 0;
	}
}

// Quiet: the reader's path reports failures, in the order of the inputs.
static bool open_input(const char *path, struct input *in, bool first) {
	bool std = strcmp(path, "-") == 0;
	*in = (struct input){.path = path};
	int fd = std ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	struct stat sb;
	bool ok = true;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		// The first input stays whole: the merge refers to its stacks.
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
			fd, 0);
		in->mapped = m != MAP_FAILED;
		in->buf = in->mapped ? m : NULL;
		in->size = in->mapped ? (size_t)sb.st_size : 0;
		in->window = in->mapped;
		in->keep = first;
	}
	if (!in->mapped && !(S_ISREG(sb.st_mode) && sb.st_size == 0)) {
		ok = read_all(fd, in);
	}
	if (!std) {
		close(fd);
	}
	return ok;
}

static void close_input(struct input *in) {
	if (in->mapped) {
		munmap(in->buf, in->size);
	} else {
		free(in->buf);
	}
}

// Keeps a mapped input's pages around at: a window ahead mapped in with
// one call rather than a fault at a time, and (but for the first input)
// those further than a window behind given back (reading them again
// would fault them in from the page cache, so this is never wrong).
static void advance(struct input *in, const char *at) {
	if (!in->window) {
		return;
	}
	size_t pos = (size_t)(at - in->buf);
	while (in->ahead < in->size && in->ahead < pos + WINDOW) {
		size_t n = in->size - in->ahead < WINDOW ? in->size - in->ahead
			: WINDOW;
		madvise(in->buf + in->ahead, n, MADV_POPULATE_READ);
		in->ahead += n;
	}
	if (!in->keep && pos >= in->dropped + 2 * WINDOW) {
		size_t upto = (pos - WINDOW) & ~(size_t)(sysconf(_SC_PAGESIZE) - 1);
		madvise(in->buf + in->dropped, upto - in->dropped, MADV_DONTNEED);
		in->dropped = upto;
	}
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
// reader would refuse, or a stack out of order, stops it (bad).
struct cursor {
	struct input *in;
	const char *p, *end;
	const char *s; // current stack, NULL at the end or when bad
	size_t len;
	uint64_t count, total;
	bool bad;
};

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
	advance(c->in, c->p);
	while (c->p < c->end) {
		const char *s = c->p;
		const char *nl = memchr(s, '\n', (size_t)(c->end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(c->end - s);
		c->p = nl ? nl + 1 : c->end;
		while (len > 0 && (blank(s[len - 1]) || s[len - 1] == '\r')) {
			len--;
		}
		if (len == 0) {
			continue;
		}
		c->bad = !parse(c, s, len);
		if (c->bad) {
			break;
		}
		return;
	}
	c->s = NULL;
}

// The merged stacks with their counts per input, written once all is
// read: the totals that scale runs are known only then. A stack is
// referred to in the first input, which stays mapped, or copied if it is
// not there (other inputs' pages go as they are read).
struct merged {
	const char **s;   // NULL: in copies at off
	size_t *off;
	uint32_t *len;
	uint64_t *counts; // n per line
	size_t lines, scap, ocap, lcap, ccap;
	struct pd_strbuf copies;
};

static void add(struct merged *mg, size_t n, const char *s, size_t len,
		bool keep) {
	size_t i = mg->lines++;
	pd_xgrow(&mg->s, &mg->scap, mg->lines, sizeof(*mg->s));
	pd_xgrow(&mg->off, &mg->ocap, mg->lines, sizeof(*mg->off));
	pd_xgrow(&mg->len, &mg->lcap, mg->lines, sizeof(*mg->len));
	pd_xgrow(&mg->counts, &mg->ccap, mg->lines * n, sizeof(*mg->counts));
	mg->s[i] = keep ? s : NULL;
	mg->off[i] = mg->copies.len;
	mg->len[i] = (uint32_t)len;
	if (!keep) {
		pd_strbuf_add(&mg->copies, s, len);
	}
}

// Each step takes the least stack among the cursors and every line equal
// to it (duplicates within an input add up). False if an input turns out
// malformed or unsorted.
static bool merge(struct merged *mg, struct input *in, size_t n,
		uint64_t *totals) {
	struct cursor *c = pd_xcalloc(n, sizeof(*c));
	bool ok = true;
	for (size_t k = 0; k < n; k++) {
		c[k] = (struct cursor){.in = &in[k], .p = in[k].buf,
			.end = in[k].buf ? in[k].buf + in[k].size : NULL};
		next(&c[k]);
		ok &= !c[k].bad;
	}
	while (ok) {
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
		const char *m = c[least].s;
		size_t mlen = c[least].len, line = mg->lines;
		if (mlen > UINT32_MAX) {
			ok = false; // a 4 GiB stack: let the table cope
			break;
		}
		add(mg, n, m, mlen, least == 0 && (in[0].keep || !in[0].mapped));
		// m stays readable as its cursor moves on: pages go only a
		// window behind.
		for (size_t k = 0; k < n; k++) {
			uint64_t sum = 0;
			while (c[k].s && c[k].len == mlen
					&& memcmp(c[k].s, m, mlen) == 0) {
				sum += c[k].count;
				next(&c[k]);
			}
			ok &= !c[k].bad;
			mg->counts[line * n + k] = sum;
		}
	}
	for (size_t k = 0; k < n; k++) {
		totals[k] = c[k].total;
	}
	free(c);
	return ok;
}

// Lines go out with writev, the stacks straight from where they are
// (the mapped first input, or the copies): no copy of them in between.
struct vec {
	int fd;
	struct iovec v[IOV_MAX];
	char nums[IOV_MAX / 2][48]; // " base new\n" of each line
	int n;
	bool failed;
};

static void flush_vec(struct vec *w) {
	struct iovec *v = w->v;
	int n = w->n;
	while (n > 0 && !w->failed) {
		ssize_t r = writev(w->fd, v, n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			warn("<stdout>");
			w->failed = true;
			break;
		}
		size_t done = (size_t)r; // a signal can cut a write short
		for (; n > 0 && done >= v->iov_len; n--, v++) {
			done -= v->iov_len;
		}
		if (n > 0) {
			v->iov_base = (char *)v->iov_base + done;
			v->iov_len -= done;
		}
	}
	w->n = 0;
}

static char *put_u64(char *p, uint64_t x) {
	char d[20];
	size_t n = 0;
	do {
		d[n++] = (char)('0' + x % 10);
		x /= 10;
	} while (x);
	while (n) {
		*p++ = d[--n];
	}
	return p;
}

static void put_line(struct vec *w, const char *s, size_t len,
		const uint64_t c[2]) {
	char *num = w->nums[w->n / 2], *p = num;
	*p++ = ' ';
	p = put_u64(p, c[0]);
	*p++ = ' ';
	p = put_u64(p, c[1]);
	*p++ = '\n';
	w->v[w->n++] = (struct iovec){(void *)s, len};
	w->v[w->n++] = (struct iovec){num, (size_t)(p - num)};
	if (w->n == IOV_MAX) {
		flush_vec(w);
	}
}

static enum pd_status write_merged(FILE *f, const struct merged *mg,
		size_t n, size_t nbase, bool normalize, const uint64_t *totals) {
	struct pd_diff_scale scale;
	pd_diff_scale_init(&scale, totals, n, nbase);
	unsigned __int128 sum[2] = {0, 0};
	for (size_t i = 0; (normalize || !scale.identity) && i < mg->lines;
			i++) {
		uint64_t c[2];
		pd_diff_scale_line(&scale, mg->counts + i * n, c);
		sum[0] += c[0];
		sum[1] += c[1];
	}
	if (scale.overflow || sum[0] > UINT64_MAX || sum[1] > UINT64_MAX) {
		warnx("the runs' counts add up to more than 2^64-1");
		return PD_EDATA;
	}
	if (fflush(f) != 0) {
		return PD_OK; // pd_stdout_close reports it
	}
	struct vec *w = pd_xcalloc(1, sizeof(*w));
	w->fd = fileno(f);
	for (size_t i = 0; i < mg->lines && !w->failed; i++) {
		uint64_t c[2];
		pd_diff_scale_line(&scale, mg->counts + i * n, c);
		if (normalize) {
			c[0] = pd_diff_scale_u64(c[0], (uint64_t)sum[1],
				(uint64_t)sum[0]);
		}
		put_line(w, mg->s[i] ? mg->s[i] : mg->copies.s + mg->off[i],
			mg->len[i], c);
	}
	flush_vec(w);
	enum pd_status st = w->failed ? PD_EIO : PD_OK;
	free(w);
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
		// Standard input already read (a pipe) is read from memory.
		bool std = strcmp(in[k].path, "-") == 0;
		st = std && in[k].buf && !in[k].mapped
			? pd_folded_read_mem("<stdin>", in[k].buf, in[k].size, 0,
				&ncounts, fill_line, &x)
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
	for (size_t k = 0; k < n; k++) {
		if (ok) {
			ok = open_input(paths[k], &in[k], k == 0);
		} else {
			in[k] = (struct input){.path = paths[k]};
		}
	}
	struct merged mg = {0};
	enum pd_status st;
	if (ok && merge(&mg, in, n, totals)) {
		st = write_merged(f, &mg, n, nbase, normalize, totals);
	} else {
		for (size_t k = 0; k < n; k++) {
			if (in[k].mapped) { // the reader reads the files again
				close_input(&in[k]);
				in[k].mapped = false;
				in[k].buf = NULL;
			}
		}
		st = write_table(f, in, n, nbase, normalize);
	}
	for (size_t k = 0; k < n; k++) {
		close_input(&in[k]);
	}
	free(mg.s);
	free(mg.off);
	free(mg.len);
	free(mg.counts);
	pd_strbuf_finish(&mg.copies);
	free(in);
	free(totals);
	return st;
}
