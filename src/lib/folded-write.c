// SPDX-License-Identifier: MIT
// Folded text from the stack table: each location's frames rendered once
// as pieces of text without ';', lines sorted as strings of piece codes
// (multikey quicksort), equal lines merged, then written.
#include "folded-write.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"
#include "parallel.h"
#include "status.h"
#include "strbuf.h"
#include "strsort.h"

// Lines are compared as bytes: their texts joined by ';'. With no ';'
// inside a piece, a line is its sequence of pieces, and two lines are
// ordered at the first piece where they differ, by that piece followed by
// what comes after it in its line: ';' or the end of the line. So every
// piece gets two codes, in the order of the bytes "piece;" and "piece"
// followed by the end (before any byte), and lines sort as strings of
// codes; 0 ends a line.

// A piece's text, by text id.
struct text {
	const char *s;
	size_t len;
};

// A resolved frame's pieces, cached by name (struct pieces' names).
#define NAME_CACHE 4096

struct name_slot {
	uint64_t key; // name << 2 | mark, 0: empty
	uint32_t first, n; // the pieces' run in v
};

// The pieces of each location a stack holds, of each root and of each
// module's unresolved frames, made on first use.
struct pieces {
	struct pd_texts *t;
	uint32_t *v;      // text ids, a run per location or root
	size_t n, cap;
	// By location: its run's offset in v + 1 (0: none yet) and length,
	// side by side (one cache line to read them).
	struct run {
		uint32_t first, len;
	} *runs;
	struct pd_index roots;
	struct root *root;
	size_t roots_cap;
	struct pd_map64 unresolved; // module + 1 -> offset in v
	// Resolved frames' pieces by their name's address and mark, a cache
	// of NAME_CACHE slots. A name keeps its address, and its text, while
	// the symbols live (most are interned, the rest sit in the symbol
	// caches' and kallsyms' buffers), so a name met again (at the next
	// address of its function) is neither hashed nor compared.
	struct name_slot *names;
	struct pd_map64 named;      // PD_STACK_NAMED number + 1 -> offset in v
	struct pd_strbuf b;
};

// A distinct root (comm, pid, tid) and its run.
struct root {
	uint32_t key[3];
	uint32_t first, len;
};

// Interns the pieces of s[0, len) split at ';'; returns their run's offset.
static uint32_t split(struct pieces *p, const char *s, size_t len,
		uint32_t *n) {
	size_t start = p->n;
	for (;;) {
		const char *semi = memchr(s, ';', len);
		size_t m = semi ? (size_t)(semi - s) : len;
		pd_xgrow(&p->v, &p->cap, p->n + 1, sizeof(*p->v));
		p->v[p->n++] = pd_texts_id(p->t, s, m);
		if (!semi) {
			break;
		}
		s += m + 1;
		len -= m + 1;
	}
	*n += (uint32_t)(p->n - start);
	return (uint32_t)start;
}

static void render_unresolved(struct pd_strbuf *b, const struct pd_location *x,
		const struct pd_folded_options *o) {
	const struct pd_dso_ident *d = x->dso ? pd_dso_ident(x->dso) : NULL;
	const char *mod = d ? d->base : "unknown";
	if (d && d->kind == PD_DSO_KERNEL) {
		mod = "[kernel.kallsyms]";
	}
	b->len = 0;
	pd_strbuf_addc(b, '[');
	pd_strbuf_adds(b, mod);
	if (o->addrs) {
		pd_strbuf_printf(b, " <%llx>", (unsigned long long)x->addr);
	}
	pd_strbuf_addc(b, ']');
}

// The mark of frame i of a resolved location: 0 none, 1 _[i], 2 _[k],
// 3 _[j].
static unsigned frame_mark(const struct pd_location *x,
		const struct pd_location_frames *f, uint32_t i,
		const struct pd_folded_options *o) {
	enum pd_dso_kind kind = pd_dso_ident(x->dso)->kind;
	if (i < 64 && (f->inlined >> i & 1) && o->inline_marks) {
		return 1;
	} else if (kind == PD_DSO_KERNEL && o->kernel) {
		return 2;
	} else if (kind == PD_DSO_JIT && o->jit) {
		return 3;
	}
	return 0;
}

// A frame's name with its mark (frame_mark's), unless the name has it.
static void render_frame(struct pd_strbuf *b, const char *name, unsigned mark) {
	static const char *const marks[] = {NULL, "_[i]", "_[k]", "_[j]"};
	b->len = 0;
	pd_strbuf_adds(b, name);
	if (marks[mark] && !strstr(name, marks[mark])) {
		pd_strbuf_adds(b, marks[mark]);
	}
}

// The run of location li, made if new.
static void location_pieces(struct pieces *p, struct pd_locations *l,
		uint32_t li, const struct pd_folded_options *o) {
	const struct pd_location *x = pd_locations_at(l, li);
	const struct pd_location_frames *f = pd_locations_frames(l, li);
	uint32_t n = 0, first;
	if (!f->n) {
		// One text per module unless addresses are shown.
		uint64_t key = (uintptr_t)x->dso + 1;
		const uint64_t *known = o->addrs ? NULL
			: pd_map64_find(&p->unresolved, key);
		if (known) {
			p->runs[li] = (struct run){(uint32_t)(*known >> 32) + 1,
				(uint32_t)*known};
			return;
		}
		render_unresolved(&p->b, x, o);
		first = split(p, p->b.s, p->b.len, &n);
		if (!o->addrs) {
			pd_map64_insert(&p->unresolved, key,
				(uint64_t)first << 32 | n);
		}
	} else {
		first = (uint32_t)p->n;
		for (uint32_t i = 0; i < f->n; i++) {
			unsigned mark = frame_mark(x, f, i, o);
			uint64_t key = (uint64_t)(uintptr_t)f->names[i] << 2 | mark;
			struct name_slot *e = &p->names[pd_hash_u64(key)
				& (NAME_CACHE - 1)];
			if (e->key == key) {
				pd_xgrow(&p->v, &p->cap, p->n + e->n, sizeof(*p->v));
				memcpy(p->v + p->n, p->v + e->first,
					e->n * sizeof(*p->v));
				p->n += e->n;
				n += e->n;
				continue;
			}
			render_frame(&p->b, f->names[i], mark);
			uint32_t m = 0, at = split(p, p->b.s, p->b.len, &m);
			*e = (struct name_slot){key, at, m};
			n += m;
		}
	}
	p->runs[li] = (struct run){first + 1, n};
}

// Root k (hash h) from slot *j on, or NULL with *j at the empty slot
// that ends the search.
static const struct root *root_probe(const struct pieces *p, const uint32_t *k,
		uint64_t h, size_t *j) {
	for (uint32_t e; (e = pd_index_probe(&p->roots, h, j));
			*j = pd_index_next(&p->roots, *j)) {
		if (memcmp(p->root[e - 1].key, k, sizeof(p->root->key)) == 0) {
			return &p->root[e - 1];
		}
	}
	return NULL;
}

// The pieces of root k, or NULL if not rendered yet: a lookup only.
static const struct root *root_find(const struct pieces *p, const uint32_t *k) {
	if (!p->roots.nslots) {
		return NULL;
	}
	uint64_t h = pd_hash(k, 3 * sizeof(*k), pd_hash_secret);
	size_t j = (size_t)(h >> p->roots.shift);
	return root_probe(p, k, h, &j);
}

// The pieces of root k, rendered if new.
static const struct root *root_pieces(struct pieces *p, const uint32_t *k,
		const char *const *comms, const struct pd_folded_options *o) {
	uint64_t h = pd_hash(k, 3 * sizeof(*k), pd_hash_secret);
	size_t j = pd_index_slot(&p->roots, h);
	const struct root *known = root_probe(p, k, h, &j);
	if (known) {
		return known;
	}
	uint32_t id = pd_index_add(&p->roots, j, h);
	pd_xgrow(&p->root, &p->roots_cap, (size_t)id + 1, sizeof(*p->root));
	struct root *r = &p->root[id];
	memcpy(r->key, k, sizeof(r->key));
	struct pd_strbuf *b = &p->b;
	b->len = 0;
	pd_strbuf_add(b, "", 0); // b->s is never NULL, even for an empty comm
	for (const char *c = comms[k[0]]; *c; c++) {
		pd_strbuf_addc(b, *c == ' ' ? '_' : *c == ';' ? ':' : *c);
	}
	if (o->tid) {
		pd_strbuf_printf(b, "-%u/%u", k[1], k[2]);
	} else if (o->pid) {
		pd_strbuf_printf(b, "-%u", k[1]);
	}
	r->len = 0;
	r->first = split(p, b->s, b->len, &r->len);
	return r;
}

// ---- codes ----

// code[2 id + follows] for every piece: from 1 up in the bytes' order;
// key[c - 1] gives back the piece of code c (key >> 1). The keys are
// sorted as strings (strsort.c): each text copied with ';' after it, key
// 2 id its text alone and 2 id + 1 the text with its ';' (an end sorts
// before any byte, as a prefix does).
static void make_codes(const struct text *text, size_t ntexts,
		uint32_t **code, uint32_t **key) {
	// Keys' lengths and numbers are 32-bit.
	bool fits = ntexts < (size_t)1 << 31;
	size_t bytes = 0;
	for (size_t i = 0; fits && i < ntexts; i++) {
		fits = text[i].len < UINT32_MAX;
		bytes += text[i].len + 1;
	}
	if (!fits) {
		errx(PD_ENOMEM, "out of memory: a text of 4 GiB or more in the "
			"output, or 2^31 distinct texts");
	}
	unsigned char *buf = pd_xmalloc(bytes + 1), *w = buf;
	struct pd_strkey *a = pd_xmalloc((2 * ntexts + 1) * sizeof(*a));
	for (size_t i = 0; i < ntexts; i++) {
		uint32_t len = (uint32_t)text[i].len;
		memcpy(w, text[i].s, len);
		w[len] = ';';
		a[2 * i] = (struct pd_strkey){w, len, (uint32_t)(2 * i),
			pd_strkey_chunk(w, len)};
		a[2 * i + 1] = (struct pd_strkey){w, len + 1,
			(uint32_t)(2 * i + 1), pd_strkey_chunk(w, len + 1)};
		w += len + 1;
	}
	pd_strsort(a, 2 * ntexts);
	uint32_t *k = pd_xmalloc((2 * ntexts + 1) * sizeof(*k));
	uint32_t *c = pd_xmalloc((2 * ntexts + 1) * sizeof(*c));
	for (size_t i = 0; i < 2 * ntexts; i++) {
		k[i] = a[i].val;
		c[k[i]] = (uint32_t)i + 1;
	}
	free(a);
	free(buf);
	*code = c;
	*key = k;
}

// ---- lines ----

// Every line's codes, back to back: 16 bits each when the codes fit (a
// profile with fewer than 32k distinct frame names), else 32.
struct codes {
	uint16_t *u16;
	uint32_t *u32;
};

static uint32_t code_at(const struct codes *c, size_t i) {
	return c->u16 ? c->u16[i] : c->u32[i];
}

static void code_set(struct codes *c, size_t i, uint32_t x) {
	if (c->u16) {
		c->u16[i] = (uint16_t)x;
	} else {
		c->u32[i] = x;
	}
}

// A line: its codes from codes[off] to the 0 that ends them, and its
// stack (for the weight).
struct line {
	uint32_t off, stack;
};

static uint32_t at(const struct codes *codes, const struct line *l,
		size_t d) {
	return code_at(codes, l->off + d);
}

static void swap(struct line *a, size_t i, size_t j) {
	struct line x = a[i];
	a[i] = a[j];
	a[j] = x;
}

static int cmp_from(const struct codes *codes, const struct line *a,
		const struct line *b, size_t d) {
	for (;; d++) {
		uint32_t x = at(codes, a, d), y = at(codes, b, d);
		if (x != y || x == 0) {
			return (x > y) - (x < y);
		}
	}
}

// One partition of lines a[0, n) that agree on their first d codes,
// around the median of three codes at d: a[0, *plt) less, a[*plt, *pgt)
// equal (the same lines if the code returned is 0, their end), a[*pgt, n)
// greater.
static uint32_t partition_lines(const struct codes *codes, struct line *a,
		size_t n, size_t d, size_t *plt, size_t *pgt) {
	uint32_t p0 = at(codes, &a[0], d), p1 = at(codes, &a[n / 2], d),
		p2 = at(codes, &a[n - 1], d);
	uint32_t v = p0 < p1 ? (p1 < p2 ? p1 : p0 < p2 ? p2 : p0)
		: (p0 < p2 ? p0 : p1 < p2 ? p2 : p1);
	// a[0, lt) < v, a[lt, i) == v, a[gt, n) > v
	size_t lt = 0, i = 0, gt = n;
	while (i < gt) {
		uint32_t c = at(codes, &a[i], d);
		if (c < v) {
			swap(a, lt++, i++);
		} else if (c > v) {
			swap(a, i, --gt);
		} else {
			i++;
		}
	}
	*plt = lt;
	*pgt = gt;
	return v;
}

// Multikey quicksort of lines that agree on their first d codes: lines
// share long prefixes (their roots and callers), which it reads about
// once per line, where a comparison sort reads them at every comparison.
static void sort_lines(const struct codes *codes, struct line *a, size_t n,
		size_t d) {
	while (n > 1) {
		if (n < 12) {
			for (size_t i = 1; i < n; i++) {
				for (size_t j = i; j > 0 && cmp_from(codes, &a[j - 1],
						&a[j], d) > 0; j--) {
					swap(a, j - 1, j);
				}
			}
			return;
		}
		size_t lt, gt;
		uint32_t v = partition_lines(codes, a, n, d, &lt, &gt);
		sort_lines(codes, a, lt, d);
		sort_lines(codes, a + gt, n - gt, d);
		if (v == 0) {
			return; // equal lines
		}
		a += lt;
		n = gt - lt;
		d++;
	}
}

// The sort on threads (pd_tasks_run): a part larger than limit is
// partitioned once and its parts queued, smaller ones sorted whole.
struct lines_part {
	struct line *a;
	size_t n, d;
};

struct lines_sort {
	const struct codes *codes;
	size_t limit;
};

static void sort_step(struct pd_tasks *q, void *task, void *ctx) {
	const struct lines_sort *x = ctx;
	struct lines_part t = *(struct lines_part *)task;
	if (t.n <= x->limit || t.n < 12) {
		sort_lines(x->codes, t.a, t.n, t.d);
		return;
	}
	size_t lt, gt;
	uint32_t v = partition_lines(x->codes, t.a, t.n, t.d, &lt, &gt);
	// Lines equal to v = 0 have all ended: the same line, in order.
	struct lines_part parts[3] = {{t.a, lt, t.d},
		{t.a + lt, v ? gt - lt : 0, t.d + 1},
		{t.a + gt, t.n - gt, t.d}};
	size_t k = 0;
	for (int i = 0; i < 3; i++) {
		if (parts[i].n > 1) {
			parts[k++] = parts[i];
		}
	}
	pd_tasks_push(q, parts, k);
}

// Sorts the lines, on threads when there are enough of them.
static void sort_all(const struct codes *codes, struct line *a, size_t n) {
	size_t cpus = pd_cpus();
	if (cpus == 1 || n < 16384) {
		sort_lines(codes, a, n, 0);
		return;
	}
	// Eight parts or more per thread, so that they end about together.
	struct lines_sort x = {codes, n / (8 * cpus)};
	pd_tasks_run(&(struct lines_part){a, n, 0}, sizeof(struct lines_part),
		sort_step, &x);
}

// Output in blocks of OUT_BLOCK bytes; a line is appended whole (the
// block grows for a line longer than it). Writing is at the end of a run,
// where memory peaks: a larger block costs its size in peak RSS and saves
// nothing measurable.
#define OUT_BLOCK ((size_t)1 << 18)

// Sorted lines share long prefixes (their roots and callers): a line's
// pieces shared with the line before are copied from its bytes in one
// go, not piece by piece. The last line written stays in buf for that.
struct out {
	FILE *f;
	char *buf;
	size_t used, cap;
	size_t last;      // where the last line starts in buf
	size_t last_off;  // its codes' offset
	// ends[i]: the last line's bytes through piece i and the ';' after
	// it, for its nends pieces.
	size_t *ends;
	size_t nends, ends_cap;
};

// Writes the line whose codes start at codes[off] (0-terminated) with its
// count.
static void out_line(struct out *o, const struct text *text,
		const uint32_t *key, const struct codes *codes, size_t off,
		uint64_t count) {
	// Equal codes are equal pieces followed by ';' (the lines differ, so
	// neither ends within what they share).
	size_t k = 0;
	while (k < o->nends && code_at(codes, off + k) != 0
			&& code_at(codes, off + k) == code_at(codes, o->last_off + k)) {
		k++;
	}
	size_t shared = k ? o->ends[k - 1] : 0;
	size_t need = shared + 22, n = k; // " count\n"; pieces
	for (size_t p = off + k; code_at(codes, p); p++, n++) {
		need += text[key[code_at(codes, p) - 1] >> 1].len + 1;
	}
	if (o->cap - o->used < need) {
		// All but the last line out; it moves to the start.
		fwrite(o->buf, 1, o->last, o->f);
		o->used -= o->last;
		memmove(o->buf, o->buf + o->last, o->used);
		o->last = 0;
		if (o->cap - o->used < need) {
			o->cap = o->used + need;
			o->buf = pd_xrealloc(o->buf, o->cap);
		}
	}
	pd_xgrow(&o->ends, &o->ends_cap, n + 1, sizeof(*o->ends));
	char *line = o->buf + o->used;
	memcpy(line, o->buf + o->last, shared);
	char *w = line + shared;
	for (size_t p = off + k, i = k; code_at(codes, p); p++, i++) {
		const struct text *x = &text[key[code_at(codes, p) - 1] >> 1];
		memcpy(w, x->s, x->len);
		w += x->len;
		*w++ = ';';
		o->ends[i] = (size_t)(w - line);
	}
	if (n) {
		w--;
	}
	o->nends = n;
	o->last = o->used;
	o->last_off = off;
	*w++ = ' ';
	char digits[20];
	size_t d = 0;
	do {
		digits[d++] = (char)('0' + count % 10);
		count /= 10;
	} while (count);
	while (d) {
		*w++ = digits[--d];
	}
	*w++ = '\n';
	o->used = (size_t)(w - o->buf);
}

// The run of stack id (a location or a named pseudo-frame) in p->v and
// its length in *n, or NULL if not rendered yet: a lookup only.
static const uint32_t *run_at(const struct pieces *p, uint32_t id,
		uint32_t *n) {
	if (id & PD_STACK_NAMED) {
		const uint64_t *known = pd_map64_find(&p->named,
			(uint64_t)(id & ~PD_STACK_NAMED) + 1);
		*n = known ? (uint32_t)*known : 0;
		return known ? p->v + (*known >> 32) : NULL;
	}
	*n = p->runs[id].len;
	return p->runs[id].first ? p->v + p->runs[id].first - 1 : NULL;
}

// The run of stack id, made if new; its length in *n.
static const uint32_t *run_of(struct pieces *p, struct pd_locations *l,
		uint32_t id, const struct pd_folded_options *o, uint32_t *n) {
	const uint32_t *v = run_at(p, id, n);
	if (v) {
		return v;
	}
	if (id & PD_STACK_NAMED) {
		const char *name = o->named[id & ~PD_STACK_NAMED];
		uint32_t m = 0, first = split(p, name, strlen(name), &m);
		pd_map64_insert(&p->named, (uint64_t)(id & ~PD_STACK_NAMED) + 1,
			(uint64_t)first << 32 | m);
	} else {
		location_pieces(p, l, id, o);
	}
	return run_at(p, id, n);
}

// Renders the pieces of every root and location the stacks hold, and
// places each stack's line in the codes (lines[i]: stack i, from codes
// off on); returns the number of codes the lines take (pieces and ends).
static size_t render_all(struct pieces *p, const struct pd_stacks *s,
		struct pd_locations *l, const char *const *comms,
		const struct pd_folded_options *o, struct line *lines) {
	size_t total = 0;
	for (uint32_t i = 0; i < pd_stacks_size(s); i++) {
		size_t len;
		const uint32_t *k = pd_stacks_ids(s, i, &len);
		lines[i] = (struct line){(uint32_t)total, i};
		total += root_pieces(p, k, comms, o)->len + 1;
		for (size_t j = PD_STACK_ROOT; j < len; j++) {
			uint32_t n;
			run_of(p, l, k[j], o, &n);
			total += n;
		}
	}
	return total;
}

// Stores the codes of run v[0, n) from codes[w] on; returns where they
// end. last: the line ends with the run.
static size_t put_codes(struct codes *codes, size_t w, const uint32_t *code,
		const uint32_t *v, uint32_t n, bool last) {
	for (uint32_t i = 0; i < n; i++) {
		code_set(codes, w++, code[2 * v[i] + !(last && i + 1 == n)]);
	}
	return w;
}

// Stores the codes of stacks [from, to) in blocks of FILL_BLOCK, a
// thread per block. Every piece is rendered already (render_all): the
// threads only look them up in p, which they share read-only.
#define FILL_BLOCK 4096
// Waves of 256k ids, 1 MiB: the least pd_stacks_release_ids gives back at
// a time. They are given back between waves, when no other thread runs
// (given back as each block was filled, runs were ~5% slower).
#define FILL_WAVE ((size_t)1 << 18)

struct fill {
	const struct pieces *p;
	const struct pd_stacks *s;
	const uint32_t *code;
	struct codes *codes;
	const struct line *lines;
	size_t from, to;
};

static void fill_block(void *ctx, size_t b) {
	const struct fill *f = ctx;
	size_t from = f->from + b * FILL_BLOCK;
	size_t to = f->to - from < FILL_BLOCK ? f->to : from + FILL_BLOCK;
	for (size_t i = from; i < to; i++) {
		size_t len, w = f->lines[i].off;
		const uint32_t *k = pd_stacks_ids(f->s, (uint32_t)i, &len);
		const struct root *r = root_find(f->p, k);
		if (!r) {
			errx(PD_ESOFTWARE, "folded writer: a root not rendered");
		}
		w = put_codes(f->codes, w, f->code, f->p->v + r->first, r->len,
			len == PD_STACK_ROOT);
		for (size_t j = len; j-- > PD_STACK_ROOT;) {
			uint32_t n;
			const uint32_t *v = run_at(f->p, k[j], &n);
			if (!v) {
				errx(PD_ESOFTWARE, "folded writer: a frame not "
					"rendered");
			}
			w = put_codes(f->codes, w, f->code, v, n,
				j == PD_STACK_ROOT);
		}
		code_set(f->codes, w, 0);
	}
}

bool pd_folded_write(FILE *out, struct pd_stacks *s, size_t col,
		struct pd_locations *l, const char *const *comms,
		const struct pd_folded_options *o) {
	// User code first: kernel symbols may still be loading on their own
	// thread (pd_symbols_prefetch_kernel).
	pd_locations_resolve_files(l);
	pd_stacks_release_ids(s, 0); // the table's index goes now
	size_t nlocs = pd_locations_count(l), nstacks = pd_stacks_size(s);
	struct pieces p = {
		.t = pd_texts_create(),
		.runs = pd_dense_alloc((nlocs + 1) * sizeof(*p.runs)),
		.names = pd_xcalloc(NAME_CACHE, sizeof(*p.names)),
	};
	struct line *lines = pd_huge_alloc((nstacks + 1) * sizeof(*lines));
	size_t ncodes = render_all(&p, s, l, comms, o, lines);
	if (ncodes > UINT32_MAX) { // lines[].off would not hold them
		errx(PD_ENOMEM, "out of memory: more than 2^32 frames in the "
			"output's lines");
	}
	size_t ntexts = pd_texts_count(p.t);
	struct text *text = pd_xmalloc((ntexts + 1) * sizeof(*text));
	for (size_t i = 0; i < ntexts; i++) {
		text[i].s = pd_texts_get(p.t, (uint32_t)i, &text[i].len);
	}
	uint32_t *code, *key;
	make_codes(text, ntexts, &code, &key);
	// Codes run from 1 to 2 ntexts, 0 ending a line.
	struct codes codes = {0};
	if (2 * ntexts <= UINT16_MAX) {
		codes.u16 = pd_huge_alloc((ncodes + 1) * sizeof(*codes.u16));
	} else {
		codes.u32 = pd_huge_alloc((ncodes + 1) * sizeof(*codes.u32));
	}
	// The codes replace the ids, a wave of about FILL_WAVE ids at a
	// time: peak memory holds the larger of the two, not both.
	struct fill f = {&p, s, code, &codes, lines, 0, 0};
	for (; f.from < nstacks; f.from = f.to) {
		size_t ids = 0, len;
		for (f.to = f.from; f.to < nstacks && ids < FILL_WAVE; f.to++) {
			pd_stacks_ids(s, (uint32_t)f.to, &len);
			ids += len;
		}
		pd_parallel((f.to - f.from + FILL_BLOCK - 1) / FILL_BLOCK,
			fill_block, &f);
		pd_stacks_release_ids(s, (uint32_t)f.to);
	}
	sort_all(&codes, lines, nstacks);
	bool fits = true;
	struct out wr = {.f = out, .buf = pd_xmalloc(OUT_BLOCK),
		.cap = OUT_BLOCK};
	for (size_t i = 0; i < nstacks;) {
		uint64_t count = pd_stacks_weights(s, lines[i].stack)[col];
		size_t j = i + 1;
		for (; j < nstacks && cmp_from(&codes, &lines[i], &lines[j], 0)
				== 0; j++) {
			uint64_t more = pd_stacks_weights(s, lines[j].stack)[col];
			fits &= count + more >= more;
			count = count + more < more ? UINT64_MAX : count + more;
		}
		// Rounded once a line's stacks are added up, not stack by
		// stack: stacks at other addresses of the same frames would
		// each lose up to half a unit.
		uint64_t u = o->unit;
		if (u > 1) {
			count = count / u + (count % u >= u - u / 2);
		}
		if (count > 0 || u <= 1) {
			out_line(&wr, text, key, &codes, lines[i].off, count);
		}
		i = j;
	}
	fwrite(wr.buf, 1, wr.used, out);
	free(wr.buf);
	free(wr.ends);
	pd_huge_free(lines, (nstacks + 1) * sizeof(*lines));
	pd_huge_free(codes.u16, (ncodes + 1) * sizeof(*codes.u16));
	pd_huge_free(codes.u32, (ncodes + 1) * sizeof(*codes.u32));
	free(code);
	free(key);
	free(text);
	pd_strbuf_finish(&p.b);
	pd_map64_free(&p.unresolved);
	free(p.names);
	pd_map64_free(&p.named);
	pd_index_free(&p.roots);
	free(p.root);
	pd_huge_free(p.runs, (nlocs + 1) * sizeof(*p.runs));
	free(p.v);
	pd_texts_destroy(p.t);
	return fits;
}
