// SPDX-License-Identifier: MIT
// Interned texts numbered densely, and the byte order of folded lines.
#include "texts.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"

struct text {
	const char *s;
	size_t len;
};

struct pd_texts {
	struct pd_index index;
	struct pd_arena arena;
	struct text *v; // by id
	size_t cap;
};

struct pd_texts *pd_texts_create(void) {
	return pd_xcalloc(1, sizeof(struct pd_texts));
}

void pd_texts_destroy(struct pd_texts *t) {
	if (!t) {
		return;
	}
	pd_index_free(&t->index);
	pd_arena_finish(&t->arena);
	free(t->v);
	free(t);
}

uint32_t pd_texts_id(struct pd_texts *t, const char *s, size_t len) {
	uint64_t h = pd_hash(s, len, pd_hash_secret);
	size_t j = pd_index_slot(&t->index, h);
	for (uint32_t e; (e = pd_index_probe(&t->index, h, &j));
			j = pd_index_next(&t->index, j)) {
		const struct text *x = &t->v[e - 1];
		if (x->len == len
				&& memcmp(x->s, s, len) == 0) {
			return e - 1;
		}
	}
	uint32_t id = pd_index_add(&t->index, j, h);
	pd_xgrow(&t->v, &t->cap, (size_t)id + 1, sizeof(*t->v));
	t->v[id] = (struct text){pd_arena_strdup(&t->arena, s, len), len};
	return id;
}

const char *pd_texts_intern(struct pd_texts *t, const char *s, size_t len) {
	uint32_t id = pd_texts_id(t, s, len); // may move t->v
	return t->v[id].s;
}

const char *pd_texts_get(const struct pd_texts *t, uint32_t id, size_t *len) {
	*len = t->v[id].len;
	return t->v[id].s;
}

size_t pd_texts_count(const struct pd_texts *t) {
	return t->index.n;
}

// The next byte of the line made of texts seq[*i..n) joined by ';' from
// byte *o of seq[*i]; -1 at its end.
static int line_byte(const struct pd_texts *t, const uint32_t *seq, size_t n,
		size_t *i, size_t *o) {
	if (*i >= n) {
		return -1;
	}
	const struct text *x = &t->v[seq[*i]];
	if (*o < x->len) {
		return (unsigned char)x->s[(*o)++];
	}
	*o = 0;
	return ++*i < n ? ';' : -1;
}

// Lines share leading texts (a common stack root), skipped by id; where
// texts differ, often late in long C++ names, they are memcmp'd, and
// only where one is a prefix of the other compared byte by byte.
int pd_texts_cmp(const struct pd_texts *t, const uint32_t *a, size_t na,
		const uint32_t *b, size_t nb) {
	size_t i = 0;
	while (i < na && i < nb && a[i] == b[i]) {
		i++;
	}
	if (i == na && i == nb) {
		return 0;
	}
	size_t ia = i, ib = i, oa = 0, ob = 0;
	if (i < na && i < nb) {
		const struct text *x = &t->v[a[i]], *y = &t->v[b[i]];
		size_t la = x->len, lb = y->len;
		int d = memcmp(x->s, y->s, la < lb ? la : lb);
		if (d != 0) {
			return d < 0 ? -1 : 1;
		}
		oa = ob = la < lb ? la : lb;
	}
	for (;;) {
		int x = line_byte(t, a, na, &ia, &oa);
		int y = line_byte(t, b, nb, &ib, &ob);
		if (x != y) {
			return x < y ? -1 : 1;
		}
		if (x < 0) {
			return 0; // equal lines from different texts ("a;b" + "c")
		}
	}
}
