// SPDX-License-Identifier: MIT
// Flame graph tree: folded stacks merged by common prefix, with counts.
#include "flame.h"

#include <stdlib.h>
#include <string.h>

#include "stacks.h"
#include "texts.h"
#include "alloc.h"
#include "bytes.h"
#include "hash.h"
#include "strbuf.h"

struct pd_flame {
	bool reverse, chart;
	struct pd_flame_node *nodes;
	size_t n, cap;
	struct pd_map64 children; // (parent << 32 | name) -> node
	struct pd_texts *names;   // name 0 is "all"
	uint32_t *frames;      // scratch: frame boundaries of one stack
	size_t frames_cap;
	// The previous stack and its nodes (path[k] for frame k - 1, path[0]
	// the root): sorted input shares long prefixes, found without lookups.
	struct pd_strbuf prev;
	size_t prev_frames;
	uint32_t *path;
	size_t path_cap;
	bool built;            // by pd_flame_build: totals already known
	// pd_flame_collect's stacks (frame names' ids in the tree's order:
	// leaf first with reverse; two columns), the ids of the previous one
	// in its text's order, and scratch for reversing them.
	struct pd_stacks *stacks;
	uint32_t *ids, *rev;
	size_t ids_cap, rev_cap;
	uint64_t max_delta;    // largest |self[1] - self[0]|
	uint32_t *recent;      // 2^RECENT_BITS: a name's id + 1, 0 = empty
};

// Names recur: a table of recent ones, found by a frame's length and its
// first and last 8 bytes, is asked before the names' index, which hashes
// every byte of it.
#define RECENT_BITS 14

struct pd_flame *pd_flame_create(bool reverse, bool chart) {
	struct pd_flame *f = pd_xcalloc(1, sizeof(*f));
	f->reverse = reverse;
	f->chart = chart;
	f->names = pd_texts_create();
	pd_texts_id(f->names, "all", 3);
	f->recent = pd_xcalloc((size_t)1 << RECENT_BITS, sizeof(*f->recent));
	pd_xgrow(&f->nodes, &f->cap, 1, sizeof(*f->nodes));
	f->nodes[f->n++] = (struct pd_flame_node){0};
	return f;
}

void pd_flame_destroy(struct pd_flame *f) {
	if (!f) {
		return;
	}
	free(f->nodes);
	pd_map64_free(&f->children);
	pd_texts_destroy(f->names);
	free(f->frames);
	pd_strbuf_finish(&f->prev);
	free(f->path);
	pd_stacks_destroy(f->stacks);
	free(f->ids);
	free(f->rev);
	free(f->recent);
	free(f);
}

static uint32_t intern(struct pd_flame *f, const char *s, uint32_t len) {
	uint64_t a = 0, b = 0;
	if (len >= 8) {
		a = pd_get_u64(s);
		b = pd_get_u64(s + len - 8);
	} else {
		memcpy(&a, s, len);
	}
	// Two multiplies side by side, then one: pd_hash_u64(a ^
	// pd_hash_u64(b ^ len)) chains four, and pd-svg's least times were
	// 2-4% longer with it (2026-12-07). Two names in one slot cost a
	// lookup in the index, never a wrong name.
	uint64_t h = (a * 0x9e3779b97f4a7c15ULL ^ b * 0xc2b2ae3d27d4eb4fULL
		^ len) * 0x165667b19e3779f9ULL;
	uint32_t *slot = &f->recent[h >> (64 - RECENT_BITS)];
	if (*slot) {
		size_t n;
		const char *t = pd_texts_get(f->names, *slot - 1, &n);
		if (n == len && memcmp(t, s, len) == 0) {
			return *slot - 1;
		}
	}
	uint32_t id = pd_texts_id(f->names, s, len);
	*slot = id + 1;
	return id;
}

static uint32_t new_node(struct pd_flame *f, uint32_t parent, uint32_t name) {
	uint32_t id = (uint32_t)f->n++;
	pd_xgrow(&f->nodes, &f->cap, f->n, sizeof(*f->nodes));
	struct pd_flame_node *p = &f->nodes[parent];
	f->nodes[id] = (struct pd_flame_node){
		.name = name,
		.parent = parent,
		.depth = p->depth + 1,
	};
	if (p->last) {
		f->nodes[p->last].next = id;
	} else {
		p->child = id;
	}
	p->last = id;
	return id;
}

static uint32_t child(struct pd_flame *f, uint32_t parent, uint32_t name) {
	if (f->chart) {
		uint32_t last = f->nodes[parent].last;
		if (last && f->nodes[last].name == name) {
			return last;
		}
		return new_node(f, parent, name);
	}
	// Never 0 (pd_map64's empty key), even for a frame named "all",
	// which shares the root's name 0.
	uint64_t key = (uint64_t)(parent + 1) << 32 | name;
	const uint64_t *known = pd_map64_find(&f->children, key);
	if (known) {
		return (uint32_t)*known;
	}
	uint32_t id = new_node(f, parent, name);
	pd_map64_insert(&f->children, key, id);
	return id;
}

// Splits stack into frames: frame k is stack[frames[k] .. frames[k+1]-1).
static size_t split(struct pd_flame *f, const char *stack, size_t len) {
	size_t nf = 0;
	pd_xgrow(&f->frames, &f->frames_cap, 1, sizeof(*f->frames));
	f->frames[nf++] = 0;
	for (const char *p = stack, *end = stack + len;
			(p = memchr(p, ';', (size_t)(end - p))); p++) {
		pd_xgrow(&f->frames, &f->frames_cap, nf + 2, sizeof(*f->frames));
		f->frames[nf++] = (uint32_t)(p - stack) + 1;
	}
	pd_xgrow(&f->frames, &f->frames_cap, nf + 1, sizeof(*f->frames));
	f->frames[nf] = (uint32_t)len + 1;
	return nf;
}

// Number of leading frames of the text stack (split) that the text of the
// previous stack has too.
static size_t common_frames(struct pd_flame *f, const char *stack,
		size_t len, size_t nf) {
	if (f->prev_frames == 0) {
		return 0;
	}
	const char *prev = f->prev.s;
	size_t l = pd_common_prefix(prev, stack,
		len < f->prev.len ? len : f->prev.len);
	size_t k = 0;
	while (k < nf && k < f->prev_frames) {
		size_t end = f->frames[k + 1] - 1;
		if (end > l || (end < f->prev.len && prev[end] != ';')) {
			break;
		}
		k++;
	}
	return k;
}

// The same, where the previous stack's nodes can be taken over.
static size_t shared_frames(struct pd_flame *f, const char *stack,
		size_t len, size_t nf) {
	return f->chart || f->reverse ? 0 : common_frames(f, stack, len, nf);
}

void pd_flame_add(struct pd_flame *f, const char *stack, size_t len,
		uint64_t c0, uint64_t c1) {
	size_t nf = split(f, stack, len);
	size_t k = shared_frames(f, stack, len, nf);
	pd_xgrow(&f->path, &f->path_cap, nf + 1, sizeof(*f->path));
	f->path[0] = 0;
	// Only the leaf is counted here; pd_flame_finish sums the totals.
	for (; k < nf; k++) {
		size_t i = f->reverse ? nf - 1 - k : k;
		uint32_t b = f->frames[i], e = f->frames[i + 1] - 1;
		f->path[k + 1] = child(f, f->path[k], intern(f, stack + b, e - b));
	}
	struct pd_flame_node *leaf = &f->nodes[f->path[nf]];
	leaf->self[0] += c0;
	leaf->self[1] += c1;
	f->prev.len = 0;
	pd_strbuf_add(&f->prev, stack, len);
	f->prev_frames = nf;
}

void pd_flame_collect(struct pd_flame *f, const char *stack, size_t len,
		const uint64_t *c) {
	if (!f->stacks) {
		f->stacks = pd_stacks_create(2);
	}
	size_t nf = split(f, stack, len);
	// Sorted input shares long prefixes: their names are known already.
	size_t k = common_frames(f, stack, len, nf);
	pd_xgrow(&f->ids, &f->ids_cap, nf, sizeof(*f->ids));
	for (; k < nf; k++) {
		uint32_t b = f->frames[k], e = f->frames[k + 1] - 1;
		f->ids[k] = intern(f, stack + b, e - b);
	}
	const uint32_t *ids = f->ids;
	if (f->reverse) {
		pd_xgrow(&f->rev, &f->rev_cap, nf, sizeof(*f->rev));
		for (k = 0; k < nf; k++) {
			f->rev[k] = f->ids[nf - 1 - k];
		}
		ids = f->rev;
	}
	pd_stacks_add(f->stacks, ids, nf, c);
	f->prev.len = 0;
	pd_strbuf_add(&f->prev, stack, len);
	f->prev_frames = nf;
}

void pd_flame_line(void *ctx, const char *stack, size_t len,
		const uint64_t *c, size_t n) {
	struct pd_flame *f = ctx;
	uint64_t cc[2] = {c[0], n > 1 ? c[1] : 0};
	if (f->chart) {
		pd_flame_add(f, stack, len, cc[0], cc[1]);
	} else {
		pd_flame_collect(f, stack, len, cc);
	}
}

bool pd_flame_totals(const struct pd_flame *f, uint64_t *total) {
	total[0] = total[1] = 0;
	if (!f->stacks) {
		return true;
	}
	bool fits = !pd_stacks_overflowed(f->stacks);
	for (uint32_t i = 0; i < pd_stacks_size(f->stacks); i++) {
		const uint64_t *c = pd_stacks_weights(f->stacks, i);
		for (size_t k = 0; k < 2; k++) {
			fits &= total[k] <= UINT64_MAX - c[k];
			total[k] = total[k] > UINT64_MAX - c[k] ? UINT64_MAX
				: total[k] + c[k];
		}
	}
	return fits;
}

// A stack being placed by pd_flame_build: its next frame is ids[off].
struct cursor {
	uint32_t entry;
	uint32_t off;
};

#define ENDED UINT32_MAX

// Children of one node while they are being grouped.
struct group {
	uint32_t name, node;
	size_t start, fill, count;
};

struct build {
	struct pd_flame *f;
	const struct pd_stacks *st;
	struct cursor *cur, *tmp;
	uint32_t *gid;      // group of each cursor
	uint32_t *group_of; // per name: group number + 1, 0 = none yet
	struct group *groups;
	size_t ngroups, groups_cap;
};

// Cursors in a node's group are far apart in memory (a stack each): the
// frame PREFETCH cursors on is asked for early.
#define PREFETCH 8

// Sorts cur[lo, hi) by the frame at each cursor, grouped by name, and
// advances the cursors past it.
static void group_frames(struct build *b, size_t lo, size_t hi) {
	b->ngroups = 0;
	for (size_t i = lo; i < hi; i++) {
		struct cursor *c = &b->cur[i];
		size_t n;
		if (i + PREFETCH < hi) {
			const struct cursor *ahead = &b->cur[i + PREFETCH];
			__builtin_prefetch(pd_stacks_ids(b->st, ahead->entry, &n)
				+ ahead->off);
		}
		const uint32_t *ids = pd_stacks_ids(b->st, c->entry, &n);
		uint32_t name = ids[c->off];
		if (!b->group_of[name]) {
			pd_xgrow(&b->groups, &b->groups_cap, b->ngroups + 1,
				sizeof(*b->groups));
			b->groups[b->ngroups++] = (struct group){.name = name};
			b->group_of[name] = (uint32_t)b->ngroups;
		}
		b->gid[i] = b->group_of[name] - 1;
		b->groups[b->gid[i]].count++;
		c->off = c->off + 1 < n ? c->off + 1 : ENDED;
	}
	size_t start = lo;
	for (size_t g = 0; g < b->ngroups; g++) {
		b->groups[g].start = b->groups[g].fill = start;
		start += b->groups[g].count;
		b->group_of[b->groups[g].name] = 0;
	}
	for (size_t i = lo; i < hi; i++) {
		b->tmp[b->groups[b->gid[i]].fill++] = b->cur[i];
	}
	memcpy(b->cur + lo, b->tmp + lo, (hi - lo) * sizeof(*b->cur));
}

void pd_flame_build(struct pd_flame *f, int col, pd_flame_keep_fn *keep,
		void *ctx) {
	const struct pd_stacks *st = f->stacks;
	size_t n = st ? pd_stacks_size(st) : 0;
	struct build b = {
		.f = f,
		.st = st,
		.cur = pd_xmalloc((n + 1) * sizeof(*b.cur)),
		.tmp = pd_xmalloc((n + 1) * sizeof(*b.tmp)),
		.gid = pd_xmalloc((n + 1) * sizeof(*b.gid)),
		.group_of = pd_xcalloc(pd_texts_count(f->names) + 1,
			sizeof(*b.group_of)),
	};
	f->built = true;
	for (size_t i = 0; i < n; i++) {
		const uint64_t *c = pd_stacks_weights(st, (uint32_t)i);
		uint64_t d = c[1] > c[0] ? c[1] - c[0] : c[0] - c[1];
		f->max_delta = d > f->max_delta ? d : f->max_delta;
		f->nodes[0].total[0] += c[0];
		f->nodes[0].total[1] += c[1];
		b.cur[i] = (struct cursor){(uint32_t)i, 0};
	}
	// Work items: a kept node and its cursors with frames left.
	struct work {
		uint32_t node;
		size_t lo, hi;
	} *work = NULL;
	size_t nwork = 0, work_cap = 0;
	if (n > 0 && keep(ctx, f->nodes[0].total[col])) {
		pd_xgrow(&work, &work_cap, 1, sizeof(*work));
		work[nwork++] = (struct work){0, 0, n};
	}
	while (nwork > 0) {
		struct work w = work[--nwork];
		group_frames(&b, w.lo, w.hi);
		for (size_t g = 0; g < b.ngroups; g++) {
			struct group *gr = &b.groups[g];
			uint32_t node = new_node(f, w.node, gr->name);
			struct pd_flame_node *nd = &f->nodes[node];
			// Ended stacks give self counts; the rest move to the front.
			size_t j = gr->start;
			for (size_t i = gr->start; i < gr->start + gr->count; i++) {
				struct cursor c = b.cur[i];
				const uint64_t *cnt =
					pd_stacks_weights(st, c.entry);
				nd->total[0] += cnt[0];
				nd->total[1] += cnt[1];
				if (c.off == ENDED) {
					nd->self[0] += cnt[0];
					nd->self[1] += cnt[1];
				} else {
					b.cur[i] = b.cur[j];
					b.cur[j++] = c;
				}
			}
			if (j > gr->start && keep(ctx, nd->total[col])) {
				pd_xgrow(&work, &work_cap, nwork + 1, sizeof(*work));
				work[nwork++] = (struct work){node, gr->start, j};
			}
		}
	}
	free(work);
	free(b.cur);
	free(b.tmp);
	free(b.gid);
	free(b.group_of);
	free(b.groups);
	pd_stacks_destroy(f->stacks); // only the tree is read from now on
	f->stacks = NULL;
}

uint64_t pd_flame_max_delta(const struct pd_flame *f) {
	return f->max_delta;
}

struct sort_ctx {
	const struct pd_flame *f;
	enum pd_flame_sort by;
	int col;
};

static int cmp_node(const void *a, const void *b, void *ctx) {
	const struct sort_ctx *sc = ctx;
	const struct pd_flame *f = sc->f;
	const struct pd_flame_node *x = &f->nodes[*(const uint32_t *)a];
	const struct pd_flame_node *y = &f->nodes[*(const uint32_t *)b];
	if (sc->by == PD_FLAME_SORT_WEIGHT) {
		uint64_t wx = x->total[sc->col], wy = y->total[sc->col];
		if (wx != wy) {
			return wx > wy ? -1 : 1;
		}
	}
	size_t lx, ly;
	const char *nx = pd_texts_get(f->names, x->name, &lx);
	const char *ny = pd_texts_get(f->names, y->name, &ly);
	int c = memcmp(nx, ny, lx < ly ? lx : ly);
	if (c != 0) {
		return c;
	}
	return (lx > ly) - (lx < ly);
}

void pd_flame_finish(struct pd_flame *f, enum pd_flame_sort by, int col) {
	// A child always has a higher number than its parent.
	for (size_t i = f->n; !f->built && i-- > 0;) {
		struct pd_flame_node *n = &f->nodes[i];
		n->total[0] += n->self[0];
		n->total[1] += n->self[1];
		if (i > 0) {
			f->nodes[n->parent].total[0] += n->total[0];
			f->nodes[n->parent].total[1] += n->total[1];
		}
		uint64_t d = n->self[1] > n->self[0] ? n->self[1] - n->self[0]
			: n->self[0] - n->self[1];
		f->max_delta = d > f->max_delta ? d : f->max_delta;
	}
	if (f->chart) {
		return;
	}
	struct sort_ctx sc = {f, by, col};
	uint32_t *kids = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct pd_flame_node *p = &f->nodes[i];
		size_t k = 0;
		for (uint32_t c = p->child; c; c = f->nodes[c].next) {
			pd_xgrow(&kids, &cap, k + 1, sizeof(*kids));
			kids[k++] = c;
		}
		if (k < 2) {
			continue;
		}
		qsort_r(kids, k, sizeof(*kids), cmp_node, &sc);
		p->child = kids[0];
		for (size_t j = 0; j + 1 < k; j++) {
			f->nodes[kids[j]].next = kids[j + 1];
		}
		f->nodes[kids[k - 1]].next = 0;
		p->last = kids[k - 1];
	}
	free(kids);
}

size_t pd_flame_size(const struct pd_flame *f) {
	return f->n;
}

const struct pd_flame_node *pd_flame_nodes(const struct pd_flame *f) {
	return f->nodes;
}

size_t pd_flame_names(const struct pd_flame *f) {
	return pd_texts_count(f->names);
}

const char *pd_flame_name(const struct pd_flame *f, uint32_t id, size_t *len) {
	return pd_texts_get(f->names, id, len);
}
