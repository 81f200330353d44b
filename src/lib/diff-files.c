// SPDX-License-Identifier: MIT
// pd-diff's output straight from folded files: mapped and, when every file
// is sorted by stack (pd-collapse's output is), merged line by line in one
// pass that checks each line as the folded reader would, with no stack
// hashed or sorted. When a file is not sorted, the files are read in
// parts, a thread per part (the first where it is in memory, mapped or
// standard input read; the later ones copied a chunk at a time into a
// buffer each, see struct chunks), into a hash table of their distinct
// stacks, which are then sorted (strsort.c) on threads. When a line is
// malformed, the stack table (profile.c) takes over: its reader says
// what is wrong.
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "alloc.h"
#include "diff.h"
#include "file-map.h"
#include "folded-read.h"
#include "hash.h"
#include "parallel.h"
#include "prefetch.h"
#include "profile.h"
#include "strbuf.h"
#include "strsort.h"

// A build for fuzzing (-DPD_DIFF_SMALL, tests/fuzz/fuzz-diff.c) makes
// parts, chunks and the head checked for order a few bytes, so that their
// edges fall inside its inputs.
#ifdef PD_DIFF_SMALL
#define TUNED(size, small) ((size_t)(small))
#else
#define TUNED(size, small) (size)
#endif

// Copies of stacks from parts or inputs this large go into arena blocks
// of huge pages (a page fault per 2 MiB, not per 4 KiB: on a real
// profile whose second input has half its stacks new, 16 MB of them,
// that is 5 ms of the run's 45).
#define BIG_INPUT ((size_t)8 << 20)
#define BIG_BLOCK ((size_t)2 << 20)

// The least bytes worth a part (a thread) of its own.
#define PART_MIN TUNED((size_t)1 << 20, 64)

// The byte order of stacks, a prefix first (as pd_texts_cmp).
static int cmp_stacks(const char *a, size_t na, const char *b, size_t nb) {
	int d = memcmp(a, b, na < nb ? na : nb);
	return d ? d : (na > nb) - (na < nb);
}

static bool blank(char c) {
	return c == ' ' || c == '\t';
}

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

// Bytes copied at once from a mapped file: 256 KiB stay in a core's L2
// cache while their lines are read (41 MB read in 8.4 ms here, against
// 9.3-10.0 with 1 MiB; pd-diff on the shuffled bench pair 5 ms less CPU).
#define CHUNK TUNED((size_t)256 << 10, 64)

// The later inputs, when mapped (and no more than KEEP_FDS of them, whose
// descriptors stay open), are not read through their mappings but copied
// a chunk at a time (pd_file_pread) into a buffer used again and again:
// no page of their mappings is touched, and only a chunk of them is in
// memory. The first input is read through its mapping, which stays: the
// lines refer to its stacks. buf[i] holds byte base + i of the file;
// [base, got) is read, up to to; [searched, got) is what the last chunk
// added.
struct chunks {
	const struct pd_file *in;
	char *buf;
	size_t cap, base, got, to, searched;
};

#define KEEP_FDS 64

// Reads the next chunk, the bytes from offset keep on kept (moved to the
// front when the buffer is full, which may move it); false at the end,
// or if the file cannot be read (*bad: the table's reader says why).
static bool more(struct chunks *r, size_t keep, bool *bad) {
	if (r->got == r->to) {
		return false;
	}
	size_t want = r->to - r->got < CHUNK ? r->to - r->got : CHUNK;
	if (r->got - r->base + want > r->cap) {
		if (keep > r->base && r->got > keep) {
			memmove(r->buf, r->buf + (keep - r->base), r->got - keep);
		}
		r->base = keep;
		pd_huge_grow(&r->buf, &r->cap, r->got - r->base + want, 1);
	}
	if (!pd_file_pread(r->in, r->buf + (r->got - r->base), want, r->got)) {
		*bad = true;
		return false;
	}
	r->searched = r->got;
	r->got += want;
	return true;
}

// The end of the whole lines read, from p on, where p is the end of the
// whole lines before the last chunk (or the start): only what that chunk
// added is searched for their last newline, so a long line costs one
// pass however many chunks it takes.
static const char *whole(const struct chunks *r, const char *p) {
	const char *end = r->buf + (r->got - r->base);
	if (r->got == r->to) {
		return end;
	}
	const char *from = r->buf + (r->searched - r->base);
	from = from > p ? from : p;
	const char *nl = memrchr(from, '\n', (size_t)(end - from));
	return nl ? nl + 1 : p;
}

static size_t offset(const struct chunks *r, const char *p) {
	return r->base + (size_t)(p - r->buf);
}

static const char *at(const struct chunks *r, size_t off) {
	return r->buf + (off - r->base);
}

// A merge's stack: in the first input, or a copy.
struct span {
	const char *s;
	uint32_t len;
};

// The stacks pd-diff writes with their counts per input (n per row):
// spans[i] in row i in order (a merge's), or keys sorted, keys[i].val
// the row of keys[i].s.
struct lines {
	struct span *spans;
	struct pd_strkey *keys;
	uint64_t *counts;
	size_t n, scap, kcap, ccap;
};

// Adds a row of zero counts for a stack; returns it.
static size_t add_row(struct lines *l, size_t n) {
	size_t i = l->n++;
	pd_huge_grow(&l->counts, &l->ccap, l->n * n, sizeof(*l->counts));
	memset(l->counts + i * n, 0, n * sizeof(*l->counts));
	return i;
}

static void free_lines(struct lines *l) {
	pd_huge_free(l->spans, l->scap * sizeof(*l->spans));
	pd_huge_free(l->keys, l->kcap * sizeof(*l->keys));
	pd_huge_free(l->counts, l->ccap * sizeof(*l->counts));
}

// Sorted inputs: one cursor per input, line by line, checking as it goes:
// a line the folded reader would refuse, or a stack out of order, stops
// it (bad).
struct cursor {
	struct pd_window w;
	struct pd_prefetch *pf; // the first input's pages touched ahead
	struct chunks r; // a later input mapped: r.in set
	const char *p, *end;
	const char *s; // current stack, NULL at the end or when bad
	size_t len;
	uint64_t count, total;
	bool bad, unsorted; // unsorted: bad for that alone
};

// A line of an input, checked: false if the folded reader would refuse
// it or its stack comes before the last one.
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
	if (c->pf) {
		pd_prefetch_at(c->pf, (uint64_t)(c->p - c->w.buf));
	}
	pd_window_advance(&c->w, c->p, c->p);
	const char *s;
	size_t len;
	for (;;) {
		if (next_line(&c->p, c->end, &s, &len)) {
			c->bad = !parse(c, s, len);
			if (!c->bad) {
				return;
			}
			break;
		}
		if (!c->r.in) {
			break;
		}
		// Copied in chunks: the next, keeping the last stack (the
		// next line is compared with it).
		size_t p = offset(&c->r, c->p);
		size_t last = c->s ? offset(&c->r, c->s) : p;
		if (!more(&c->r, last, &c->bad)) {
			break;
		}
		c->s = c->s ? at(&c->r, last) : NULL;
		c->p = at(&c->r, p);
		c->end = whole(&c->r, c->p);
	}
	c->s = NULL;
}

// Bytes at the start of each input checked for order before the merge.
#define HEAD TUNED((size_t)64 << 10, 48)

// Whether the whole lines in the first HEAD bytes of f are in order (or
// one is malformed: the merge says so). When they are not, the merge
// would stop at its second line, but only after its setup (a thread
// started, a chunk of each later input copied into fresh memory: 5-9 ms
// of a 41 MB pair's 85 here). f's pages read are a few.
static bool head_sorted(const struct pd_file *f) {
	size_t n = f->size < HEAD ? f->size : HEAD;
	const char *p = f->buf, *nl = n ? memrchr(p, '\n', n) : NULL, *s;
	const char *last = NULL;
	size_t len, lastlen = 0;
	while (nl && next_line(&p, nl, &s, &len)) {
		size_t slen;
		uint64_t v;
		if (!split(s, len, &slen, &v)) {
			break;
		}
		if (last && cmp_stacks(last, lastlen, s, slen) > 0) {
			return false;
		}
		last = s;
		lastlen = slen;
	}
	return true;
}

// Each step takes the least stack among the cursors and every line equal
// to it (duplicates within an input add up). A stack is referred to in
// the first input, which stays mapped, or copied (into the arena
// copies) if it is not there: other inputs' pages go as they are read.
// False, with no lines, if an input turns out malformed or unsorted
// (*unsorted). totals: each input's.
static bool merge(struct lines *l, struct pd_arena *copies,
		struct pd_file *in, size_t n, uint64_t *totals, bool *unsorted) {
	struct cursor *c = pd_xcalloc(n, sizeof(*c));
	size_t *eq = pd_xcalloc(n, sizeof(*eq)); // cursors at the least
	bool ok = true;
	for (size_t k = 0; k < n; k++) {
		if (k > 0 && in[k].fd >= 0) {
			c[k].r = (struct chunks){.in = &in[k], .to = in[k].size};
			more(&c[k].r, 0, &c[k].bad);
			c[k].p = c[k].r.buf;
			c[k].end = c[k].p ? whole(&c[k].r, c[k].p) : NULL;
		} else {
			// A thread touches the first input's pages ahead, if it is
			// large (see prefetch.c); else a window maps them ahead.
			c[k].pf = k == 0 && in[k].mapped ? pd_prefetch_start(
				(const uint8_t *)in[k].buf, in[k].size) : NULL;
			// Pages of later inputs go a window behind: a merged
			// stack of theirs is a copy.
			c[k].w = pd_window(&in[k], 0, c[k].pf ? 0 : in[k].size,
				k > 0);
			c[k].p = in[k].buf;
			c[k].end = in[k].buf ? in[k].buf + in[k].size : NULL;
		}
		if (!c[k].bad) {
			next(&c[k]);
		}
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
		size_t mlen = c[least].len;
		if (mlen > UINT32_MAX) {
			ok = false; // a 4 GiB stack: let the table cope
			break;
		}
		size_t line = add_row(l, n);
		pd_huge_grow(&l->spans, &l->scap, l->n, sizeof(*l->spans));
		l->spans[line] = (struct span){least == 0 ? m
			: pd_arena_strdup(copies, m, mlen), (uint32_t)mlen};
		m = l->spans[line].s; // stays where it is as the cursors move
		for (size_t j = 0; j < neq; j++) {
			struct cursor *x = &c[eq[j]];
			uint64_t sum = 0;
			do {
				sum += x->count;
				next(x);
			} while (x->s && x->len == mlen
				&& memcmp(x->s, m, mlen) == 0);
			ok &= !x->bad;
			l->counts[line * n + eq[j]] = sum;
		}
	}
	*unsorted = false;
	for (size_t k = 0; k < n; k++) {
		*unsorted |= c[k].unsorted;
		totals[k] = c[k].total;
	}
	if (!ok) { // nothing of it is written
		free_lines(l);
		*l = (struct lines){0};
	}
	for (size_t k = 0; k < n; k++) {
		pd_prefetch_stop(c[k].pf);
		pd_huge_free(c[k].r.buf, c[k].r.cap);
	}
	free(eq);
	free(c);
	return ok;
}

// Inputs not sorted: their distinct stacks in a hash table, which the
// first input's lines fill and the others' look up, then sorted. Each
// input is read in parts, a thread per part: the first input's parts
// are hashed and then added to the table in turn; the other inputs'
// parts look their stacks up at once (the table does not change then),
// add their counts and copy the stacks it lacks, which are added after.
// The table refers to the first input's stacks where they are in memory
// (see read_chunks for why a mapped one is not copied). The others'
// bytes are copied a chunk at a time and go as they are read (when
// there are more than KEEP_FDS of them, they are read through their
// mappings, whose pages stay until the end).
struct table {
	struct pd_index index;
	struct lines l;
	size_t n;      // inputs: counts per row
	uint64_t seed; // of the lines' hashes
};

// A line of a part: a stack of the first input, or a copy of one the
// table lacks.
struct pline {
	const char *s;
	uint64_t h, count, chunk;
	size_t len;
};

// A part of an input, [from, to) from a line's start to the next one's
// (the later inputs' copied, see struct chunks).
struct part {
	const struct pd_file *in;
	size_t k, from, to;
	struct table *t;
	struct pline *lines;
	size_t n, cap;
	uint64_t total;
	struct pd_arena copies;
	size_t check; // lines kept when the lines' length is next checked
	bool bad;
};

// Lines shorter than this on average go to the stack table: their keys
// would take more than half of the input's size (and short lines are
// often many of a few stacks, which the table holds once).
#define KEY_LINE 64

// The row of stack s[0, len) with hash h in t, or SIZE_MAX.
static size_t find(const struct table *t, const char *s, size_t len,
		uint64_t h, size_t *j) {
	*j = (size_t)(h >> t->index.shift);
	for (uint32_t e; (e = pd_index_probe(&t->index, h, j));
			*j = pd_index_next(&t->index, *j)) {
		const struct pd_strkey *k = &t->l.keys[e - 1];
		if (k->len == len && memcmp(k->s, s, len) == 0) {
			return e - 1;
		}
	}
	return SIZE_MAX;
}

// Lines hashed and not yet looked up go in batches through three steps
// a batch apart, each fetching ahead (cache misses all) what the next
// needs: their slots, fetched as they are hashed; their keys and count
// rows; their keys' stacks; then they are looked up. A batch's misses
// thus have the time it takes to hash the next batch to arrive.
#define BATCH 16

struct look {
	const char *s;
	size_t len;
	uint64_t h, count;
};

// Adds a line's count to its row, or keeps it for add_part (copied if
// it is not the first input's).
static void keep(struct part *x, const struct look *b) {
	if (x->k > 0) {
		size_t j, row = find(x->t, b->s, b->len, b->h, &j);
		if (row != SIZE_MAX) {
			// Two parts of an input may share a stack.
			__atomic_fetch_add(&x->t->l.counts[row * x->t->n + x->k],
				b->count, __ATOMIC_RELAXED);
			return;
		}
	}
	pd_huge_grow(&x->lines, &x->cap, x->n + 1, sizeof(*x->lines));
	struct pline *l = &x->lines[x->n++];
	*l = (struct pline){.s = x->k > 0 ? pd_arena_strdup(&x->copies, b->s,
		b->len) : b->s, .h = b->h, .count = b->count,
		.chunk = pd_strkey_chunk((const unsigned char *)b->s, b->len),
		.len = b->len};
}

// The entry at h's home slot if its hash may be h, else 0.
static uint32_t at_home(const struct table *t, uint64_t h) {
	uint64_t e = t->index.slots[h >> t->index.shift];
	return e >> 32 == h >> 32 ? (uint32_t)e : 0;
}

static void fetch_keys(const struct part *x, const struct look *b, size_t n) {
	const struct table *t = x->t;
	for (size_t i = 0; i < n; i++) {
		uint32_t e = at_home(t, b[i].h);
		if (e) {
			__builtin_prefetch(&t->l.keys[e - 1]);
			__builtin_prefetch(&t->l.counts[(e - 1) * t->n + x->k],
				1);
		}
	}
}

static void fetch_stacks(const struct part *x, const struct look *b,
		size_t n) {
	const struct table *t = x->t;
	for (size_t i = 0; i < n; i++) {
		uint32_t e = at_home(t, b[i].h);
		if (e) {
			__builtin_prefetch(t->l.keys[e - 1].s);
		}
	}
}

// Batches in flight: the one being hashed and the two before it.
#define STAGES 3

struct batches {
	struct look b[STAGES][BATCH];
	size_t n[STAGES];
	size_t at; // the batch being hashed
};

// Batch at is full (or the part ended): each batch takes its next step,
// and a new one starts.
static void step_batches(struct part *x, struct batches *q) {
	size_t at = q->at;
	if (x->k > 0) {
		fetch_keys(x, q->b[at % STAGES], q->n[at % STAGES]);
		if (at >= 1) {
			size_t i = (at - 1) % STAGES;
			fetch_stacks(x, q->b[i], q->n[i]);
		}
	}
	if (at >= 2) {
		size_t i = (at - 2) % STAGES;
		for (size_t j = 0; j < q->n[i]; j++) {
			keep(x, &q->b[i][j]);
		}
		q->n[i] = 0;
	}
	q->at++;
}

// Every batch's steps taken: no line waits in q.
static void drain(struct part *x, struct batches *q) {
	for (int k = 0; k < STAGES; k++) {
		step_batches(x, q);
	}
}

// Takes the lines of [p, end), which starts at byte off of the file: the
// first input's hashed (lines), the others' looked up, their counts
// added, the lines the table lacks copied. w: a window over the bytes,
// or NULL. False (x->bad) if a line is malformed or the lines are short.
static bool take(struct part *x, struct batches *q, struct pd_window *w,
		const char *p, const char *end, size_t off) {
	const char *from = p, *s;
	size_t len;
	while ((w ? pd_window_advance(w, p, p) : (void)0),
			next_line(&p, end, &s, &len)) {
		size_t slen;
		uint64_t v;
		if (!split(s, len, &slen, &v) || x->total > UINT64_MAX - v
				|| slen > UINT32_MAX) {
			x->bad = true;
			return false;
		}
		x->total += v;
		size_t *nb = &q->n[q->at % STAGES];
		struct look *l = &q->b[q->at % STAGES][*nb];
		*l = (struct look){s, slen, pd_hash_long(s, slen, x->t->seed),
			v};
		if (x->k > 0) {
			__builtin_prefetch(&x->t->index.slots[l->h
				>> x->t->index.shift]);
		}
		if (++*nb == BATCH) {
			step_batches(x, q);
		}
		if (x->n >= x->check) {
			if (x->n * KEY_LINE > off + (size_t)(p - from) - x->from) {
				x->bad = true;
				return false;
			}
			x->check += 65536;
		}
	}
	return true;
}

// Reads a later input's part chunk by chunk (struct chunks) into a
// buffer used again and again, each chunk's whole lines taken as they
// arrive (in a core's cache still). The first input is read through its
// mapping: the table refers to its stacks until the output is written.
// (A copy of it in huge pages was faster on this project's test machine
// while the host still backed the memory, 65 against 75 ms on the
// shuffled 41 MB bench pair; but fresh memory the host has taken back
// costs ~3 ms per MB to clear there, and the copy then took 0.22 s
// against 0.10 mapped: bench/README, "Fresh memory".)
static void read_chunks(struct part *x, struct batches *q) {
	struct chunks r = {.in = x->in, .base = x->from, .got = x->from,
		.to = x->to};
	size_t taken = x->from;
	for (;;) {
		drain(x, q); // its lines may lie where the next chunk goes
		if (!more(&r, taken, &x->bad)) {
			break;
		}
		const char *p = at(&r, taken), *end = whole(&r, p);
		if (!take(x, q, NULL, p, end, taken)) {
			break;
		}
		taken = offset(&r, end);
	}
	pd_huge_free(r.buf, r.cap);
}

// Reads a part: its lines taken (take), from where they are or (later
// inputs mapped, their descriptors kept) from copies.
static void read_part(void *ctx, size_t i) {
	struct part *x = &((struct part *)ctx)[i];
	struct batches q = {0};
	if (x->k == 0) { // lines of ~256 bytes
		pd_huge_grow(&x->lines, &x->cap, (x->to - x->from) / 256 + 16,
			sizeof(*x->lines));
	}
	if (x->k > 0 && x->in->fd >= 0) {
		read_chunks(x, &q);
	} else {
		struct pd_window w = pd_window(x->in, x->from, x->to, false);
		take(x, &q, &w, x->in->buf + x->from, x->in->buf + x->to,
			x->from);
	}
	if (!x->bad) {
		drain(x, &q); // the last batches' steps
	}
}

// Adds a part's lines to the table (its counts to rows there already).
static void add_part(struct table *t, struct part *x) {
	for (size_t i = 0; i < x->n; i++) {
		const struct pline *pl = &x->lines[i];
		if (i + BATCH < x->n) {
			__builtin_prefetch(&t->index.slots[pl[BATCH].h
				>> t->index.shift]);
		}
		const char *s = pl->s;
		size_t j, row = find(t, s, pl->len, pl->h, &j);
		if (row == SIZE_MAX) {
			row = add_row(&t->l, t->n);
			pd_huge_grow(&t->l.keys, &t->l.kcap, t->l.n,
				sizeof(*t->l.keys));
			// Rows are entries of the index: 32-bit.
			t->l.keys[row] = (struct pd_strkey){(const unsigned char *)s,
				(uint32_t)pl->len, (uint32_t)row, pl->chunk};
			pd_index_add(&t->index, j, pl->h);
		}
		t->l.counts[row * t->n + x->k] += pl->count;
	}
}

// Splits inputs [from, to) into parts, each about a thread's share.
static struct part *parts_of(struct pd_file *in, size_t from, size_t to,
		struct table *t, size_t *np) {
	size_t cpus = pd_cpus(), n = 0, cap = 0;
	struct part *x = NULL;
	for (size_t k = from; k < to; k++) {
		size_t each = in[k].size / cpus + 1, at = 0;
		each = each < PART_MIN ? PART_MIN : each;
		while (at < in[k].size) {
			size_t end = in[k].size - at <= each ? in[k].size : at + each;
			const char *nl = memchr(in[k].buf + end - 1, '\n',
				in[k].size - (end - 1));
			end = nl ? (size_t)(nl - in[k].buf) + 1 : in[k].size;
			pd_xgrow(&x, &cap, n + 1, sizeof(*x));
			x[n++] = (struct part){.in = &in[k], .k = k, .from = at,
				.to = end, .t = t, .copies = {.block = end - at
					>= BIG_INPUT ? BIG_BLOCK : 0}, .check = 65536};
			at = end;
		}
	}
	*np = n;
	return x;
}

// Reads parts [0, np) on threads; false if one is bad. totals: each
// input's, added to.
static bool read_parts(struct part *x, size_t np, uint64_t *totals) {
	pd_parallel(np, read_part, x);
	bool ok = true;
	for (size_t i = 0; i < np; i++) {
		uint64_t *tot = &totals[x[i].k];
		ok &= !x[i].bad && *tot <= UINT64_MAX - x[i].total;
		*tot += ok ? x[i].total : 0;
	}
	return ok;
}

static void free_parts(struct part *x, size_t np) {
	for (size_t i = 0; i < np; i++) {
		pd_huge_free(x[i].lines, x[i].cap * sizeof(*x[i].lines));
		pd_arena_finish(&x[i].copies);
	}
	free(x);
}

// The lines of unsorted inputs, sorted; false if an input is malformed
// or its lines are short. Stacks copied from inputs after the first are
// in the parts *later (*nlater of them), freed by the caller.
static bool hash_sort(struct lines *l, struct pd_file *in, size_t n,
		uint64_t *totals, struct part **later, size_t *nlater) {
	// Hashes nobody can make collide: the input may be anyone's.
	struct table t = {.n = n, .seed = pd_hash_seed()};
	size_t np;
	memset(totals, 0, n * sizeof(*totals));
	struct part *first = parts_of(in, 0, 1, &t, &np);
	bool ok = read_parts(first, np, totals);
	size_t lines = 0;
	for (size_t i = 0; i < np; i++) {
		lines += first[i].n;
	}
	// Room for the first input's lines and a quarter more, the table's
	// arrays too (the rows are at most the lines).
	lines += lines / 4;
	pd_index_reserve(&t.index, lines);
	pd_huge_grow(&t.l.keys, &t.l.kcap, lines, sizeof(*t.l.keys));
	pd_huge_grow(&t.l.counts, &t.l.ccap, lines * n, sizeof(*t.l.counts));
	for (size_t i = 0; ok && i < np; i++) {
		add_part(&t, &first[i]);
	}
	*later = parts_of(in, 1, n, &t, nlater);
	// The first parts' lines, done with, hold the later parts' copies:
	// their pages are in memory already (on a shuffled 41 MB pair, 8 MB
	// fewer pages faulted in).
	for (size_t i = 0; i < np && i < *nlater; i++) {
		pd_arena_adopt(&(*later)[i].copies, first[i].lines,
			first[i].cap * sizeof(*first[i].lines));
		first[i].lines = NULL;
	}
	free_parts(first, np);
	ok = ok && read_parts(*later, *nlater, totals);
	for (size_t i = 0; ok && i < *nlater; i++) {
		add_part(&t, &(*later)[i]);
		pd_huge_free((*later)[i].lines,
			(*later)[i].cap * sizeof(*(*later)[i].lines));
		(*later)[i].lines = NULL;
	}
	pd_index_free(&t.index);
	if (ok) {
		pd_strsort_parallel(t.l.keys, t.l.n);
	}
	*l = t.l;
	return ok;
}

// Lines go out with writev, the stacks straight from where they are
// (the first input, in memory, or the copies of the others'): no copy
// of them in between.
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

// Writes the lines l, n counts each.
static enum pd_status write_lines(FILE *f, const struct lines *l, size_t n,
		size_t nbase, bool normalize, const uint64_t *totals) {
	struct pd_diff_scale scale;
	pd_diff_scale_init(&scale, totals, n, nbase);
	unsigned __int128 sum[2] = {0, 0};
	for (size_t i = 0; (normalize || !scale.identity) && i < l->n; i++) {
		uint64_t c[2];
		pd_diff_scale_line(&scale, l->counts + i * n, c);
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
	for (size_t i = 0; i < l->n && !w->failed; i++) {
		const char *s;
		size_t len, row = i;
		if (l->spans) {
			const struct span *x = &l->spans[i];
			s = x->s;
			len = x->len;
		} else {
			const struct pd_strkey *k = &l->keys[i];
			s = (const char *)k->s;
			len = k->len;
			row = k->val;
			if (i + BATCH < l->n) { // rows are in no order
				__builtin_prefetch(l->counts
					+ k[BATCH].val * n);
			}
		}
		uint64_t c[2];
		pd_diff_scale_line(&scale, l->counts + row * n, c);
		if (normalize) {
			c[0] = pd_diff_scale_u64(c[0], (uint64_t)sum[1],
				(uint64_t)sum[0]);
		}
		put_line(w, s, len, c);
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

static enum pd_status write_table(FILE *f, const struct pd_file *in, size_t n,
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
	struct pd_file *in = pd_xcalloc(n, sizeof(*in));
	uint64_t *totals = pd_xcalloc(n, sizeof(*totals));
	bool ok = true;
	for (size_t k = 0; k < n; k++) {
		if (ok) {
			ok = pd_file_open(paths[k], &in[k],
				k > 0 && n - 1 <= KEEP_FDS);
		} else {
			in[k] = (struct pd_file){.path = paths[k], .fd = -1};
		}
	}
	struct lines l = {0};
	size_t rest = 0; // the later inputs' bytes, which merge may copy
	for (size_t k = 1; k < n; k++) {
		rest += in[k].size;
	}
	struct pd_arena copies = {.block = rest >= BIG_INPUT ? BIG_BLOCK : 0};
	struct part *later = NULL;
	size_t nlater = 0;
	bool unsorted = false;
	for (size_t k = 0; ok && k < n; k++) {
		unsorted |= !head_sorted(&in[k]);
	}
	enum pd_status st;
	if (ok && !unsorted && merge(&l, &copies, in, n, totals, &unsorted)) {
		st = write_lines(f, &l, n, nbase, normalize, totals);
	} else if (ok && unsorted
			&& hash_sort(&l, in, n, totals, &later, &nlater)) {
		st = write_lines(f, &l, n, nbase, normalize, totals);
	} else {
		// The reader reads the files again: the mappings go first.
		for (size_t k = 0; k < n; k++) {
			if (in[k].mapped) {
				pd_file_close(&in[k]);
				in[k].mapped = false;
				in[k].buf = NULL;
			}
		}
		st = write_table(f, in, n, nbase, normalize);
	}
	for (size_t k = 0; k < n; k++) {
		pd_file_close(&in[k]);
	}
	free_parts(later, nlater);
	free_lines(&l);
	pd_arena_finish(&copies);
	free(in);
	free(totals);
	return st;
}
