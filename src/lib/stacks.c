// SPDX-License-Identifier: MIT
// Distinct stacks of ids with N weights each, found by hash.
#include "stacks.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "alloc.h"
#include "hash.h"
#include "strsort.h"

struct pd_stacks {
	size_t ncols;
	size_t n;          // stacks; those from index.n on are not indexed
	struct pd_index index;
	uint32_t *ids;     // all stacks' ids, back to back
	size_t ids_cap;
	uint32_t *offs;    // stack i's ids are ids[offs[i], offs[i + 1])
	uint64_t *weights; // ncols per stack
	size_t cap, wcap;
	char *released;     // ids below this were given back (or NULL)
	bool sealed;        // by pd_stacks_release_ids: no adds after
	bool overflowed;
};

struct pd_stacks *pd_stacks_create(size_t ncols) {
	struct pd_stacks *s = pd_xcalloc(1, sizeof(*s));
	s->ncols = ncols ? ncols : 1;
	pd_xgrow(&s->offs, &s->cap, 1, sizeof(*s->offs));
	s->offs[0] = 0;
	return s;
}

void pd_stacks_destroy(struct pd_stacks *s) {
	if (!s) {
		return;
	}
	pd_index_free(&s->index);
	pd_huge_free(s->ids, s->ids_cap * sizeof(*s->ids));
	free(s->offs);
	free(s->weights);
	free(s);
}

static void add_weight(struct pd_stacks *s, uint64_t *x, uint64_t w) {
	bool ok = *x + w >= w;
	*x = ok ? *x + w : UINT64_MAX;
	s->overflowed |= !ok;
}

static uint64_t hash_ids(const uint32_t *ids, size_t n) {
	return pd_hash(ids, n * sizeof(*ids), pd_hash_secret);
}

// Stores stack number s->n (ids[0, n), weights w); returns its number.
static uint32_t append(struct pd_stacks *s, const uint32_t *ids, size_t n,
		const uint64_t *w) {
	if (s->sealed) {
		errx(PD_ESOFTWARE, "stack added after the table was released");
	}
	uint32_t i = (uint32_t)s->n++;
	pd_xgrow(&s->offs, &s->cap, (size_t)i + 2, sizeof(*s->offs));
	pd_xgrow(&s->weights, &s->wcap, ((size_t)i + 1) * s->ncols,
		sizeof(*s->weights));
	size_t end = s->offs[i];
	if (n > UINT32_MAX - end) {
		errx(PD_ENOMEM, "out of memory: more than 2^32 stack frames");
	}
	pd_huge_grow(&s->ids, &s->ids_cap, end + n + 1, sizeof(*s->ids));
	if (n) {
		memcpy(s->ids + end, ids, n * sizeof(*ids));
	}
	s->offs[i + 1] = (uint32_t)(end + n);
	memcpy(s->weights + (size_t)i * s->ncols, w, s->ncols * sizeof(*w));
	return i;
}

uint32_t pd_stacks_push(struct pd_stacks *s, const uint32_t *ids, size_t n,
		const uint64_t *w) {
	return append(s, ids, n, w);
}

// Indexes the stacks pushed since the last add (all distinct).
static void index_pushed(struct pd_stacks *s) {
	while (s->index.n < s->n) {
		uint32_t i = (uint32_t)s->index.n;
		uint64_t h = hash_ids(s->ids + s->offs[i],
			s->offs[i + 1] - s->offs[i]);
		size_t j = pd_index_slot(&s->index, h);
		while (s->index.slots[j]) {
			j = pd_index_next(&s->index, j);
		}
		pd_index_add(&s->index, j, h);
	}
}

uint32_t pd_stacks_add(struct pd_stacks *s, const uint32_t *ids, size_t n,
		const uint64_t *w) {
	if (s->sealed) {
		errx(PD_ESOFTWARE, "stack added after the table was released");
	}
	index_pushed(s);
	uint64_t h = hash_ids(ids, n);
	size_t j = pd_index_slot(&s->index, h);
	for (uint32_t e; (e = pd_index_probe(&s->index, h, &j));
			j = pd_index_next(&s->index, j)) {
		uint32_t i = e - 1;
		if (s->offs[i + 1] - s->offs[i] == n && memcmp(
				s->ids + s->offs[i], ids, n * sizeof(*ids)) == 0) {
			for (size_t c = 0; c < s->ncols; c++) {
				add_weight(s, &s->weights[i * s->ncols + c], w[c]);
			}
			return i;
		}
	}
	pd_index_add(&s->index, j, h);
	return append(s, ids, n, w);
}

void pd_stacks_bump(struct pd_stacks *s, uint32_t i, size_t col, uint64_t w) {
	add_weight(s, &s->weights[(size_t)i * s->ncols + col], w);
}

void pd_stacks_release_ids(struct pd_stacks *s, uint32_t upto) {
	pd_index_free(&s->index);
	s->sealed = true;
	if (!s->ids || upto > s->n) {
		return;
	}
	// A call a megabyte at a time at most.
	char *from = s->released ? s->released : (char *)s->ids;
	char *to = (char *)(s->ids + s->offs[upto]);
	if (to > from && (size_t)(to - from) >= ((size_t)1 << 20)) {
		s->released = pd_give_back(from, (size_t)(to - from));
	}
}

size_t pd_stacks_size(const struct pd_stacks *s) {
	return s->n;
}

size_t pd_stacks_cols(const struct pd_stacks *s) {
	return s->ncols;
}

const uint32_t *pd_stacks_ids(const struct pd_stacks *s, uint32_t i,
		size_t *n) {
	*n = s->offs[i + 1] - s->offs[i];
	return s->ids + s->offs[i];
}

const uint64_t *pd_stacks_weights(const struct pd_stacks *s, uint32_t i) {
	return s->weights + (size_t)i * s->ncols;
}

uint64_t *pd_stacks_weights_mut(struct pd_stacks *s, uint32_t i) {
	return s->weights + (size_t)i * s->ncols;
}

bool pd_stacks_overflowed(const struct pd_stacks *s) {
	return s->overflowed;
}

// A stack's ids at hand, so that comparing two takes no lookups in the
// table; the sort moves pointers to them (glibc's qsort copies elements of
// other sizes with memcpy).
struct key {
	const uint32_t *ids;
	uint32_t n, stack;
	const char *first; // the first text and its length
	size_t len;
};

// Lines differ mostly in their first texts (a folded profile's stacks
// are one text each): compared here without going through the ids.
static int cmp_key(const void *x, const void *y, void *t) {
	const struct key *a = *(const struct key *const *)x;
	const struct key *b = *(const struct key *const *)y;
	if (a->n && b->n && a->ids[0] != b->ids[0]) {
		int d = memcmp(a->first, b->first, a->len < b->len ? a->len
			: b->len);
		if (d != 0) {
			return d;
		}
	}
	return pd_texts_cmp(t, a->ids, a->n, b->ids, b->n);
}

// The order of stacks that are one text each (or none), or NULL.
static uint32_t *sorted_strings(const struct pd_stacks *s,
		const struct pd_texts *t) {
	size_t n = pd_stacks_size(s);
	for (size_t i = 0; i < n; i++) {
		if (s->offs[i + 1] - s->offs[i] > 1) {
			return NULL;
		}
	}
	struct pd_strkey *v = pd_xmalloc((n + 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		const char *p = s->offs[i + 1] > s->offs[i]
			? pd_texts_get(t, s->ids[s->offs[i]], &len) : "";
		if (len > UINT32_MAX) { // the sort's lengths are 32-bit
			free(v);
			return NULL;
		}
		v[i] = (struct pd_strkey){(const unsigned char *)p,
			(uint32_t)len, (uint32_t)i,
			pd_strkey_chunk((const unsigned char *)p, len)};
	}
	pd_strsort(v, n);
	uint32_t *order = pd_xmalloc((n + 1) * sizeof(*order));
	for (size_t i = 0; i < n; i++) {
		order[i] = (uint32_t)v[i].val;
	}
	free(v);
	return order;
}

uint32_t *pd_stacks_sorted(const struct pd_stacks *s,
		const struct pd_texts *t) {
	uint32_t *order = sorted_strings(s, t);
	if (order) {
		return order;
	}
	size_t n = pd_stacks_size(s);
	struct key *keys = pd_xmalloc((n + 1) * sizeof(*keys));
	struct key **by = pd_xmalloc((n + 1) * sizeof(*by));
	for (size_t i = 0; i < n; i++) {
		struct key *k = &keys[i];
		*k = (struct key){s->ids + s->offs[i],
			s->offs[i + 1] - s->offs[i], (uint32_t)i, "", 0};
		if (k->n) {
			k->first = pd_texts_get(t, k->ids[0], &k->len);
		}
		by[i] = k;
	}
	qsort_r(by, n, sizeof(*by), cmp_key, (void *)t);
	order = pd_xmalloc((n + 1) * sizeof(*order));
	for (size_t i = 0; i < n; i++) {
		order[i] = by[i]->stack;
	}
	free(by);
	free(keys);
	return order;
}
