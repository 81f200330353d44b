// SPDX-License-Identifier: MIT
// Folded-stack profile: an insertion-ordered table of stacks with a hash index.
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "folded-read.h"
#include "util.h"


struct pd_profile {
	struct pd_profile_entry *entries;
	size_t n, cap;
	uint32_t *index; // entry number + 1; 0 = empty slot
	uint64_t *hashes;
	size_t slots;    // power of two
	struct pd_arena strings;
	bool overflowed;   // a count saturated at UINT64_MAX
};

struct pd_profile *pd_profile_create(void) {
	struct pd_profile *p = pd_xcalloc(1, sizeof(*p));
	p->slots = 1024;
	p->index = pd_xcalloc(p->slots, sizeof(*p->index));
	return p;
}

void pd_profile_destroy(struct pd_profile *p) {
	if (!p) {
		return;
	}
	pd_arena_finish(&p->strings);
	free(p->entries);
	free(p->hashes);
	free(p->index);
	free(p);
}

void pd_profile_add(struct pd_profile *p, const char *stack, size_t len,
		uint64_t count0, uint64_t count1) {
	uint64_t h = pd_hash(stack, len, 0);
	size_t j = h & (p->slots - 1);
	for (; p->index[j]; j = (j + 1) & (p->slots - 1)) {
		struct pd_profile_entry *e = &p->entries[p->index[j] - 1];
		if (p->hashes[p->index[j] - 1] == h && e->len == len
				&& memcmp(e->stack, stack, len) == 0) {
			// Saturate rather than wrap; callers check overflowed.
			if (e->count[0] + count0 < count0
					|| e->count[1] + count1 < count1) {
				p->overflowed = true;
			}
			e->count[0] = e->count[0] + count0 < count0 ? UINT64_MAX
				: e->count[0] + count0;
			e->count[1] = e->count[1] + count1 < count1 ? UINT64_MAX
				: e->count[1] + count1;
			return;
		}
	}
	size_t cap = p->cap;
	pd_xgrow(&p->entries, &p->cap, p->n + 1, sizeof(*p->entries));
	pd_xgrow(&p->hashes, &cap, p->n + 1, sizeof(*p->hashes));
	p->entries[p->n] = (struct pd_profile_entry){
		.stack = pd_arena_strdup(&p->strings, stack, len),
		.len = len,
		.count = {count0, count1},
	};
	p->hashes[p->n] = h;
	p->index[j] = (uint32_t)++p->n;
	if (p->n * 2 > p->slots) {
		pd_index_grow(&p->index, &p->slots, p->hashes, p->n);
	}
}

bool pd_profile_overflowed(const struct pd_profile *p) {
	return p->overflowed;
}

size_t pd_profile_size(const struct pd_profile *p) {
	return p->n;
}

const struct pd_profile_entry *pd_profile_entries(const struct pd_profile *p) {
	return p->entries;
}

static int cmp_entry(const void *a, const void *b) {
	const struct pd_profile_entry *x = *(const struct pd_profile_entry **)a;
	const struct pd_profile_entry *y = *(const struct pd_profile_entry **)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->stack, y->stack, n);
	if (c != 0) {
		return c;
	}
	return (x->len > y->len) - (x->len < y->len);
}

const struct pd_profile_entry **pd_profile_sorted(const struct pd_profile *p) {
	const struct pd_profile_entry **v = pd_xmalloc((p->n + 1) * sizeof(*v));
	for (size_t i = 0; i < p->n; i++) {
		v[i] = &p->entries[i];
	}
	qsort(v, p->n, sizeof(*v), cmp_entry);
	return v;
}

void pd_profile_write(FILE *f, const struct pd_profile *p, int ncounts) {
	const struct pd_profile_entry **v = pd_profile_sorted(p);
	for (size_t i = 0; i < p->n; i++) {
		fwrite(v[i]->stack, 1, v[i]->len, f);
		if (ncounts == 2) {
			fprintf(f, " %llu %llu\n",
				(unsigned long long)v[i]->count[0],
				(unsigned long long)v[i]->count[1]);
		} else {
			fprintf(f, " %llu\n", (unsigned long long)v[i]->count[0]);
		}
	}
	free(v);
}

struct load_ctx {
	struct pd_profile *p;
	int slot;
};

static void load_line(void *ctx, const char *stack, size_t len, uint64_t c0,
		uint64_t c1) {
	struct load_ctx *l = ctx;
	pd_profile_add(l->p, stack, len, l->slot ? 0 : c0, l->slot ? c0 : 0);
}

enum pd_status pd_profile_load(struct pd_profile *p, const char *path,
		int slot, unsigned flags) {
	struct load_ctx l = {p, slot};
	int ncounts = 1;
	return pd_folded_read(path, flags, &ncounts, load_line, &l);
}

bool pd_profile_totals(const struct pd_profile *p, uint64_t total[2]) {
	bool fits = !p->overflowed;
	total[0] = total[1] = 0;
	for (size_t i = 0; i < p->n; i++) {
		for (int k = 0; k < 2; k++) {
			uint64_t c = p->entries[i].count[k];
			fits &= total[k] <= UINT64_MAX - c;
			total[k] = total[k] > UINT64_MAX - c ? UINT64_MAX : total[k] + c;
		}
	}
	return fits;
}

void pd_profile_normalize(struct pd_profile *p) {
	uint64_t t[2];
	pd_profile_totals(p, t);
	if (t[0] == 0 || t[0] == t[1]) {
		return;
	}
	// 128-bit products: count * total can exceed 64 bits.
	for (size_t i = 0; i < p->n; i++) {
		unsigned __int128 c = p->entries[i].count[0];
		c = (c * t[1] + t[0] / 2) / t[0];
		p->entries[i].count[0] = c > UINT64_MAX ? UINT64_MAX : (uint64_t)c;
	}
}
