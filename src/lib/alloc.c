// SPDX-License-Identifier: MIT
// Allocation that cannot fail, and string arenas.
#include "alloc.h"

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

static void *check(void *p) {
	if (!p) {
		errx(PD_ENOMEM, "out of memory");
	}
	return p;
}

void *pd_xmalloc(size_t n) {
	return check(malloc(n ? n : 1));
}

void *pd_xcalloc(size_t n, size_t size) {
	return check(calloc(n ? n : 1, size ? size : 1));
}

void *pd_xrealloc(void *p, size_t n) {
	return check(realloc(p, n ? n : 1));
}

void pd_xgrow_slow(void *p, size_t *cap, size_t need, size_t size) {
	size_t n = *cap ? *cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size) {
			errx(PD_ENOMEM, "out of memory");
		}
		n *= 2;
	}
	void **pp = p;
	*pp = pd_xrealloc(*pp, n * size);
	*cap = n;
}

char *pd_xstrdup(const char *s) {
	return check(strdup(s));
}

char *pd_xstrndup(const char *s, size_t n) {
	return check(strndup(s, n));
}

struct pd_arena_block {
	struct pd_arena_block *next;
	size_t used, cap;
	char data[];
};

char *pd_arena_strdup(struct pd_arena *a, const char *s, size_t len) {
	enum { BLOCK = 1 << 16 };
	struct pd_arena_block *b = a->blocks;
	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > BLOCK ? len + 1 : BLOCK;
		b = pd_xmalloc(sizeof(*b) + cap);
		b->used = 0;
		b->cap = cap;
		b->next = a->blocks;
		a->blocks = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, len);
	d[len] = '\0';
	b->used += len + 1;
	return d;
}

void pd_arena_finish(struct pd_arena *a) {
	for (struct pd_arena_block *b = a->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	a->blocks = NULL;
}
