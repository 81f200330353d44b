// SPDX-License-Identifier: MIT
// Folded-stack profile: each stack is one text (its whole line) in the
// shared stack table, so it sorts and merges as pd-collapse's lines do.
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "folded-read.h"
#include "stacks.h"
#include "texts.h"
#include "alloc.h"
#include "strbuf.h"

struct pd_profile {
	struct pd_texts *texts;
	struct pd_stacks *stacks;
};

struct pd_profile *pd_profile_create(size_t ncols) {
	struct pd_profile *p = pd_xcalloc(1, sizeof(*p));
	p->texts = pd_texts_create();
	p->stacks = pd_stacks_create(ncols);
	return p;
}

void pd_profile_destroy(struct pd_profile *p) {
	if (!p) {
		return;
	}
	pd_texts_destroy(p->texts);
	pd_stacks_destroy(p->stacks);
	free(p);
}

size_t pd_profile_cols(const struct pd_profile *p) {
	return pd_stacks_cols(p->stacks);
}

void pd_profile_add(struct pd_profile *p, const char *stack, size_t len,
		const uint64_t *counts) {
	// A stack is one text: stack numbers follow text numbers.
	uint32_t id = pd_texts_id(p->texts, stack, len);
	if (id < pd_stacks_size(p->stacks)) {
		for (size_t k = 0; k < pd_stacks_cols(p->stacks); k++) {
			pd_stacks_bump(p->stacks, id, k, counts[k]);
		}
	} else {
		pd_stacks_push(p->stacks, &id, 1, counts);
	}
}

static bool overflowed(const struct pd_profile *p) {
	return pd_stacks_overflowed(p->stacks);
}

size_t pd_profile_size(const struct pd_profile *p) {
	return pd_stacks_size(p->stacks);
}

const char *pd_profile_stack(const struct pd_profile *p, uint32_t i,
		size_t *len) {
	return pd_texts_get(p->texts, i, len); // stack i is text i
}

const uint64_t *pd_profile_counts(const struct pd_profile *p, uint32_t i) {
	return pd_stacks_weights(p->stacks, i);
}

uint32_t *pd_profile_sorted(const struct pd_profile *p) {
	return pd_stacks_sorted(p->stacks, p->texts);
}

void pd_profile_write(FILE *f, const struct pd_profile *p) {
	uint32_t *v = pd_profile_sorted(p);
	size_t ncols = pd_profile_cols(p);
	struct pd_strbuf b = {0};
	for (size_t i = 0; i < pd_profile_size(p); i++) {
		size_t len;
		const char *s = pd_profile_stack(p, v[i], &len);
		const uint64_t *c = pd_profile_counts(p, v[i]);
		pd_strbuf_add(&b, s, len);
		for (size_t k = 0; k < ncols; k++) {
			pd_strbuf_addc(&b, ' ');
			pd_strbuf_add_u64(&b, c[k]);
		}
		pd_strbuf_addc(&b, '\n');
		if (b.len >= 1 << 16) {
			fwrite(b.s, 1, b.len, f);
			b.len = 0;
		}
	}
	fwrite(b.s, 1, b.len, f);
	pd_strbuf_finish(&b);
	free(v);
}

struct load_ctx {
	struct pd_profile *p;
	size_t col;
	uint64_t *counts;
};

static void load_line(void *ctx, const char *stack, size_t len,
		const uint64_t *c, size_t n) {
	struct load_ctx *l = ctx;
	l->counts[l->col] = c[0];
	pd_profile_add(l->p, stack, len, l->counts);
}

enum pd_status pd_profile_load(struct pd_profile *p, const char *path,
		size_t col, unsigned flags) {
	struct load_ctx l = {p, col,
		pd_xcalloc(pd_profile_cols(p), sizeof(*l.counts))};
	size_t ncounts = 1;
	enum pd_status st = pd_folded_read(path, flags, &ncounts, load_line, &l);
	free(l.counts);
	return st;
}

bool pd_profile_totals(const struct pd_profile *p, uint64_t *total) {
	bool fits = !overflowed(p);
	size_t ncols = pd_profile_cols(p);
	memset(total, 0, ncols * sizeof(*total));
	for (uint32_t i = 0; i < pd_profile_size(p); i++) {
		const uint64_t *c = pd_profile_counts(p, i);
		for (size_t k = 0; k < ncols; k++) {
			fits &= total[k] <= UINT64_MAX - c[k];
			total[k] = total[k] > UINT64_MAX - c[k] ? UINT64_MAX
				: total[k] + c[k];
		}
	}
	return fits;
}

void pd_profile_normalize(struct pd_profile *p, size_t col, size_t to) {
	size_t ncols = pd_profile_cols(p);
	uint64_t *t = pd_xcalloc(ncols, sizeof(*t));
	pd_profile_totals(p, t);
	uint64_t from = t[col], want = t[to];
	free(t);
	if (from == 0 || from == want) {
		return;
	}
	// 128-bit products: count * total can exceed 64 bits.
	for (uint32_t i = 0; i < pd_profile_size(p); i++) {
		uint64_t *c = pd_stacks_weights_mut(p->stacks, i);
		unsigned __int128 v = c[col];
		v = (v * want + from / 2) / from;
		c[col] = v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
	}
}
