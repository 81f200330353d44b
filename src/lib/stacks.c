// SPDX-License-Identifier: MIT
// Distinct stacks of ids with N weights each, found by hash.
#include "stacks.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct pd_stacks {
	size_t ncols;
	struct pd_index index;
	uint32_t *ids;     // all stacks' ids, back to back
	size_t ids_len, ids_cap;
	size_t *offs;      // where stack i's ids start; stack n's end
	uint32_t *lens;
	uint64_t *weights; // ncols per stack
	size_t cap, wcap;
	bool overflowed;
};

struct pd_stacks *pd_stacks_create(size_t ncols) {
	struct pd_stacks *s = pd_xcalloc(1, sizeof(*s));
	s->ncols = ncols ? ncols : 1;
	return s;
}

void pd_stacks_destroy(struct pd_stacks *s) {
	if (!s) {
		return;
	}
	pd_index_free(&s->index);
	free(s->ids);
	free(s->offs);
	free(s->lens);
	free(s->weights);
	free(s);
}

static void add_weight(struct pd_stacks *s, uint64_t *x, uint64_t w) {
	bool ok = *x + w >= w;
	*x = ok ? *x + w : UINT64_MAX;
	s->overflowed |= !ok;
}

uint32_t pd_stacks_add(struct pd_stacks *s, const uint32_t *ids, size_t n,
		const uint64_t *w) {
	uint64_t h = pd_hash(ids, n * sizeof(*ids), 0);
	size_t j = pd_index_slot(&s->index, h);
	for (uint32_t e; (e = s->index.slots[j]); j = pd_index_next(&s->index, j)) {
		uint32_t i = e - 1;
		if (s->index.hashes[i] == h && s->lens[i] == n && memcmp(
				s->ids + s->offs[i], ids, n * sizeof(*ids)) == 0) {
			for (size_t c = 0; c < s->ncols; c++) {
				add_weight(s, &s->weights[i * s->ncols + c], w[c]);
			}
			return i;
		}
	}
	uint32_t i = pd_index_add(&s->index, j, h);
	size_t cap = s->cap;
	pd_xgrow(&s->offs, &s->cap, (size_t)i + 1, sizeof(*s->offs));
	pd_xgrow(&s->lens, &cap, (size_t)i + 1, sizeof(*s->lens));
	pd_xgrow(&s->weights, &s->wcap, ((size_t)i + 1) * s->ncols,
		sizeof(*s->weights));
	pd_xgrow(&s->ids, &s->ids_cap, s->ids_len + n, sizeof(*s->ids));
	s->offs[i] = s->ids_len;
	s->lens[i] = (uint32_t)n;
	memcpy(s->ids + s->ids_len, ids, n * sizeof(*ids));
	s->ids_len += n;
	memcpy(s->weights + (size_t)i * s->ncols, w, s->ncols * sizeof(*w));
	return i;
}

void pd_stacks_bump(struct pd_stacks *s, uint32_t i, size_t col, uint64_t w) {
	add_weight(s, &s->weights[(size_t)i * s->ncols + col], w);
}

size_t pd_stacks_size(const struct pd_stacks *s) {
	return s->index.n;
}

size_t pd_stacks_cols(const struct pd_stacks *s) {
	return s->ncols;
}

const uint32_t *pd_stacks_ids(const struct pd_stacks *s, uint32_t i,
		size_t *n) {
	*n = s->lens[i];
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

struct sort_ctx {
	const struct pd_stacks *s;
	const struct pd_texts *t;
};

static int cmp_stack(const void *x, const void *y, void *arg) {
	const struct sort_ctx *c = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return pd_texts_cmp(c->t, c->s->ids + c->s->offs[a], c->s->lens[a],
		c->s->ids + c->s->offs[b], c->s->lens[b]);
}

uint32_t *pd_stacks_sorted(const struct pd_stacks *s,
		const struct pd_texts *t) {
	size_t n = pd_stacks_size(s);
	uint32_t *order = pd_xmalloc((n + 1) * sizeof(*order));
	for (size_t i = 0; i < n; i++) {
		order[i] = (uint32_t)i;
	}
	struct sort_ctx c = {s, t};
	qsort_r(order, n, sizeof(*order), cmp_stack, &c);
	return order;
}
