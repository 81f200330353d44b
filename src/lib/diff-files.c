// SPDX-License-Identifier: MIT
// pd-diff's output straight from folded files: mapped and, when every file
// is sorted by stack (pd-collapse's output is), merged line by line in one
// pass that checks each line as the folded reader would, with no stack
// hashed or sorted. When a file is not sorted, each file's lines are
// checked and sorted (strsort.c), a thread per file, and merged the same
// way in parts of the stack order, a thread per part. When a line is
// malformed, the stack table (profile.c), whose reader says what is
// wrong.
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
#include "parallel.h"
#include "strbuf.h"
#include "strsort.h"

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

// How many lines ahead of a sorted input's cursor its stacks are
// prefetched.
#define AHEAD 16

// An input that is not sorted: its lines, checked, sorted by stack.
struct sorted {
	struct input *in;
	struct pd_strkey *lines; // .val: the count
	size_t n, cap;
	uint64_t total;
	bool bad;
};

// Sorted lines a cursor reads: lines[at, end).
struct view {
	const struct pd_strkey *lines;
	size_t at, end;
};

// Reads one input line by line, checking as it goes: a line the folded
// reader would refuse, or a stack out of order, stops it (bad).
struct cursor {
	struct input *in;
	const char *p, *end;
	const char *s; // current stack, NULL at the end or when bad
	size_t len;
	uint64_t count, total;
	bool bad, unsorted; // unsorted: bad for that alone
	struct view *view; // lines taken from here instead
};

// Splits "stack count" s[0, len) as folded-read.c does: false if it
// would refuse the line.
static bool split(const char *s, size_t len, size_t *slen, uint64_t *count) {
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
	*slen = i;
	*count = v;
	return i > 0;
}

// The next line of s[0, len) with content, trailing blanks cut, from *p
// on (*p moves past it); false at the end.
static bool next_line(const char **p, const char *end, const char **s,
		size_t *len) {
	while (*p < end) {
		*s = *p;
		const char *nl = memchr(*s, '\n', (size_t)(end - *s));
		size_t n = nl ? (size_t)(nl - *s) : (size_t)(end - *s);
		*p = nl ? nl + 1 : end;
		while (n > 0 && (blank((*s)[n - 1]) || (*s)[n - 1] == '\r')) {
			n--;
		}
		if (n > 0) {
			*len = n;
			return true;
		}
	}
	return false;
}

// A line of an input, checked: false if the folded reader would refuse
// it or, in a sorted input, its stack comes before the last one.
static bool parse(struct cursor *c, const char *s, size_t len) {
	size_t i;
	uint64_t v;
	if (!split(s, len, &i, &v) || c->total > UINT64_MAX - v) {
		return false;
	}
	if (c->s && cmp_stacks(c->s, c->len, s, i) > 0) {
		c->unsorted = true;
		return false;
	}
	c->total += v;
	c->s = s;
	c->len = i;
	c->count = v;
	return true;
}

static void next(struct cursor *c) {
	if (c->view) {
		struct view *x = c->view;
		c->s = NULL;
		if (x->at < x->end) {
			// Stacks lie where their lines were: the next ones are
			// fetched ahead, as their order is known.
			if (x->at + AHEAD < x->end) {
				const struct pd_strkey *a = &x->lines[x->at + AHEAD];
				for (size_t o = 0; o < a->len; o += 64) {
					__builtin_prefetch(a->s + o);
				}
			}
			const struct pd_strkey *k = &x->lines[x->at++];
			c->s = (const char *)k->s;
			c->len = k->len;
			c->count = k->val;
		}
		return;
	}
	advance(c->in, c->p);
	const char *s;
	size_t len;
	if (next_line(&c->p, c->end, &s, &len)) {
		c->bad = !parse(c, s, len);
		if (!c->bad) {
			return;
		}
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
	bool unsorted; // the merge stopped at a stack out of order
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
// malformed or unsorted. totals: each input's, if not NULL.
static bool merge(struct merged *mg, struct input *in, size_t n,
		struct view *views, uint64_t *totals) {
	struct cursor *c = pd_xcalloc(n, sizeof(*c));
	size_t *eq = pd_xcalloc(n, sizeof(*eq)); // cursors at the least
	bool ok = true;
	for (size_t k = 0; k < n; k++) {
		c[k] = (struct cursor){.in = &in[k], .p = in[k].buf,
			.end = in[k].buf ? in[k].buf + in[k].size : NULL,
			.view = views ? &views[k] : NULL};
		next(&c[k]);
		ok &= !c[k].bad;
	}
	while (ok) {
		size_t least = n, neq = 0;
		for (size_t k = 0; k < n; k++) {
			if (!c[k].s) {
				continue;
			}
			int d = least == n ? -1 : cmp_stacks(c[k].s, c[k].len,
				c[least].s, c[least].len);
			if (d < 0) {
				least = k;
				neq = 0;
			}
			if (d <= 0) {
				eq[neq++] = k;
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
		add(mg, n, m, mlen, views || (least == 0 && (in[0].keep
			|| !in[0].mapped)));
		memset(mg->counts + line * n, 0, n * sizeof(*mg->counts));
		// m stays readable as its cursor moves on: pages go only a
		// window behind.
		for (size_t j = 0; j < neq; j++) {
			struct cursor *x = &c[eq[j]];
			uint64_t sum = 0;
			do {
				sum += x->count;
				next(x);
			} while (x->s && x->len == mlen
				&& memcmp(x->s, m, mlen) == 0);
			ok &= !x->bad;
			mg->counts[line * n + eq[j]] = sum;
		}
	}
	for (size_t k = 0; k < n; k++) {
		mg->unsorted |= c[k].unsorted;
		if (totals) {
			totals[k] = c[k].total;
		}
	}
	free(eq);
	free(c);
	return ok;
}

static void free_sorted(struct sorted *x, size_t n) {
	for (size_t k = 0; x && k < n; k++) {
		free(x[k].lines);
	}
	free(x);
}

// Lines shorter than this on average go to the stack table: their keys
// would take more than half of the input's size (and short lines are
// often many of a few stacks, which the table holds once).
#define KEY_LINE 64

// Reads and sorts an input that is not sorted; bad if a line is
// malformed (the table's reader will say which) or lines are short.
static void sort_input(struct sorted *x) {
	struct input *in = x->in;
	if (in->mapped) {
		madvise(in->buf, in->size, MADV_POPULATE_READ);
	}
	const char *p = in->buf, *end = in->buf ? in->buf + in->size : NULL, *s;
	size_t len;
	while (next_line(&p, end, &s, &len)) {
		size_t slen;
		uint64_t v;
		if (!split(s, len, &slen, &v) || x->total > UINT64_MAX - v
				|| slen > UINT32_MAX) {
			x->bad = true;
			return;
		}
		x->total += v;
		if (x->n % 65536 == 65535
				&& x->n * KEY_LINE > (size_t)(p - in->buf)) {
			x->bad = true;
			return;
		}
		pd_xgrow(&x->lines, &x->cap, x->n + 1, sizeof(*x->lines));
		const unsigned char *u = (const unsigned char *)s;
		x->lines[x->n++] = (struct pd_strkey){u, slen,
			pd_strkey_chunk(u, slen), v};
	}
	pd_strsort(x->lines, x->n);
}

static void sort_one(void *ctx, size_t k) {
	sort_input(&((struct sorted *)ctx)[k]);
}

// Each input's lines sorted, or NULL if one is malformed.
static struct sorted *sort_inputs(struct input *in, size_t n) {
	struct sorted *x = pd_xcalloc(n, sizeof(*x));
	for (size_t k = 0; k < n; k++) {
		x[k].in = &in[k];
	}
	pd_parallel(n, sort_one, x);
	bool bad = false;
	for (size_t k = 0; k < n; k++) {
		bad |= x[k].bad;
	}
	if (bad) {
		free_sorted(x, n);
		return NULL;
	}
	return x;
}

// Sorted inputs are merged in parts, one per CPU: part t holds the
// stacks from splitter t - 1 (the least of the part, none for the first)
// up to splitter t, taken at even steps from the largest input; each
// input's lines in a part are found by bisection.
struct parts {
	struct merged *mg;  // np
	struct view *views; // n per part: each input's lines in it
	bool *ok;
	size_t np, n;
	struct input *in;
};

// The first of x's lines not before s[0, len).
static size_t lower_bound(const struct sorted *x, const char *s, size_t len) {
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pd_strkey *k = &x->lines[mid];
		if (cmp_stacks((const char *)k->s, k->len, s, len) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static void merge_part(void *ctx, size_t t) {
	struct parts *ps = ctx;
	ps->ok[t] = merge(&ps->mg[t], ps->in, ps->n, ps->views + t * ps->n,
		NULL);
}

static bool merge_sorted(struct parts *ps, struct input *in, size_t n,
		const struct sorted *x) {
	size_t big = 0, np = pd_cpus();
	for (size_t k = 1; k < n; k++) {
		big = x[k].n > x[big].n ? k : big;
	}
	np = x[big].n / 4096 < np ? x[big].n / 4096 + 1 : np;
	*ps = (struct parts){pd_xcalloc(np, sizeof(*ps->mg)),
		pd_xcalloc(np * n, sizeof(*ps->views)),
		pd_xcalloc(np, sizeof(*ps->ok)), np, n, in};
	for (size_t k = 0; k < n; k++) {
		size_t from = 0;
		for (size_t t = 0; t < np; t++) {
			size_t to = x[k].n;
			if (t + 1 < np) {
				const struct pd_strkey *s =
					&x[big].lines[x[big].n / np * (t + 1)];
				to = lower_bound(&x[k], (const char *)s->s, s->len);
			}
			ps->views[t * n + k] = (struct view){x[k].lines, from, to};
			from = to;
		}
	}
	pd_parallel(np, merge_part, ps);
	bool ok = true;
	for (size_t t = 0; t < np; t++) {
		ok &= ps->ok[t];
	}
	return ok;
}

static void free_merged(struct merged *mg) {
	free(mg->s);
	free(mg->off);
	free(mg->len);
	free(mg->counts);
	pd_strbuf_finish(&mg->copies);
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

// Writes the lines of mg[0, nmg) in turn.
static enum pd_status write_merged(FILE *f, const struct merged *mg,
		size_t nmg, size_t n, size_t nbase, bool normalize,
		const uint64_t *totals) {
	struct pd_diff_scale scale;
	pd_diff_scale_init(&scale, totals, n, nbase);
	unsigned __int128 sum[2] = {0, 0};
	for (size_t t = 0; (normalize || !scale.identity) && t < nmg; t++) {
		for (size_t i = 0; i < mg[t].lines; i++) {
			uint64_t c[2];
			pd_diff_scale_line(&scale, mg[t].counts + i * n, c);
			sum[0] += c[0];
			sum[1] += c[1];
		}
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
	for (size_t t = 0; t < nmg; t++) {
		const struct merged *m = &mg[t];
		for (size_t i = 0; i < m->lines && !w->failed; i++) {
			uint64_t c[2];
			pd_diff_scale_line(&scale, m->counts + i * n, c);
			if (normalize) {
				c[0] = pd_diff_scale_u64(c[0], (uint64_t)sum[1],
					(uint64_t)sum[0]);
			}
			put_line(w, m->s[i] ? m->s[i] : m->copies.s + m->off[i],
				m->len[i], c);
		}
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
	struct sorted *sorted = NULL;
	struct parts ps = {0};
	enum pd_status st;
	if (ok && merge(&mg, in, n, NULL, totals)) {
		st = write_merged(f, &mg, 1, n, nbase, normalize, totals);
	} else if (ok && mg.unsorted && (sorted = sort_inputs(in, n))
			&& merge_sorted(&ps, in, n, sorted)) {
		for (size_t k = 0; k < n; k++) {
			totals[k] = sorted[k].total;
		}
		st = write_merged(f, ps.mg, ps.np, n, nbase, normalize, totals);
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
	for (size_t t = 0; t < ps.np; t++) {
		free_merged(&ps.mg[t]);
	}
	free(ps.mg);
	free(ps.views);
	free(ps.ok);
	free_sorted(sorted, n);
	free_merged(&mg);
	free(in);
	free(totals);
	return st;
}
