// SPDX-License-Identifier: MIT
// Allocation that cannot fail, a growable string buffer and hashing.
#include "util.h"

#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "status.h"

static void *check(void *p) {
	if (!p) {
		errx(PD_ENOMEM, "out of memory");
	}
	return p;
}

void pd_thread_helper(void) {
	// Linux keeps the nice value per thread. Failure only costs speed.
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
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

void pd_xgrow(void *p, size_t *cap, size_t need, size_t size) {
	if (need <= *cap) {
		return;
	}
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

void pd_strbuf_add(struct pd_strbuf *b, const char *s, size_t n) {
	pd_xgrow(&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void pd_strbuf_adds(struct pd_strbuf *b, const char *s) {
	pd_strbuf_add(b, s, strlen(s));
}

void pd_strbuf_addc(struct pd_strbuf *b, char c) {
	pd_strbuf_add(b, &c, 1);
}

void pd_strbuf_printf(struct pd_strbuf *b, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	pd_xgrow(&b->s, &b->cap, b->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void pd_strbuf_add_u64(struct pd_strbuf *b, uint64_t v) {
	char d[20];
	size_t n = 0;
	do {
		d[sizeof(d) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pd_strbuf_add(b, d + sizeof(d) - n, n);
}

void pd_strbuf_finish(struct pd_strbuf *b) {
	free(b->s);
	*b = (struct pd_strbuf){0};
}

// FNV-1a over 8-byte words, finished with a mixer: fast enough for keys of
// a few dozen bytes and good enough for open addressing.
static void map64_put(struct pd_map64 *m, uint64_t key, uint64_t val) {
	size_t j = pd_hash_u64(key) & (m->slots - 1);
	while (m->keys[j]) {
		j = (j + 1) & (m->slots - 1);
	}
	m->keys[j] = key;
	m->vals[j] = val;
}

void pd_map64_insert(struct pd_map64 *m, uint64_t key, uint64_t val) {
	if ((m->n + 1) * 2 > m->slots) {
		struct pd_map64 old = *m;
		m->slots = old.slots ? old.slots * 2 : 256;
		m->keys = pd_xcalloc(m->slots, sizeof(*m->keys));
		m->vals = pd_xcalloc(m->slots, sizeof(*m->vals));
		for (size_t i = 0; i < old.slots; i++) {
			if (old.keys[i]) {
				map64_put(m, old.keys[i], old.vals[i]);
			}
		}
		free(old.keys);
		free(old.vals);
	}
	map64_put(m, key, val);
	m->n++;
}

void pd_map64_free(struct pd_map64 *m) {
	free(m->keys);
	free(m->vals);
	*m = (struct pd_map64){0};
}

uint64_t pd_hash(const void *p, size_t n, uint64_t seed) {
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	if (n >= 32) {
		// Four independent lanes: long keys (deep stacks) hash at
		// several bytes a cycle instead of one multiply's latency.
		uint64_t l[4] = {h, h ^ 0x9e3779b97f4a7c15ULL,
			h ^ 0xc2b2ae3d27d4eb4fULL, h ^ 0x165667b19e3779f9ULL};
		do {
			for (int i = 0; i < 4; i++) {
				l[i] = (l[i] ^ pd_get_u64(s + 8 * i))
					* 0x100000001b3ULL;
				l[i] ^= l[i] >> 29;
			}
			s += 32;
			n -= 32;
		} while (n >= 32);
		h = pd_hash_u64(l[0]) ^ pd_hash_u64(l[1] + 1)
			^ pd_hash_u64(l[2] + 2) ^ pd_hash_u64(l[3] + 3);
	}
	while (n >= 8) {
		h = (h ^ pd_get_u64(s)) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	while (n--) {
		h = (h ^ *s++) * 0x100000001b3ULL;
	}
	return pd_hash_u64(h);
}

enum pd_status pd_stdout_close(void) {
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn("<stdout>");
		fclose(stdout);
		return PD_EIO;
	}
	if (fclose(stdout) != 0) {
		warn("<stdout>");
		return PD_EIO;
	}
	return PD_OK;
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

static void index_put(struct pd_index *x, uint32_t e) {
	uint64_t h = x->hashes[e];
	size_t j = h & (x->nslots - 1);
	while (x->slots[j]) {
		j = (j + 1) & (x->nslots - 1);
	}
	x->slots[j] = h >> 32 << 32 | (e + 1);
}

uint32_t pd_index_add(struct pd_index *x, size_t j, uint64_t h) {
	pd_xgrow(&x->hashes, &x->cap, x->n + 1, sizeof(*x->hashes));
	uint32_t e = (uint32_t)x->n;
	x->hashes[e] = h;
	x->slots[j] = h >> 32 << 32 | (e + 1);
	if (++x->n * 2 > x->nslots) {
		// Doubled and refilled from the stored hashes.
		free(x->slots);
		x->nslots *= 2;
		x->slots = pd_xcalloc(x->nslots, sizeof(*x->slots));
		for (size_t i = 0; i < x->n; i++) {
			index_put(x, (uint32_t)i);
		}
	}
	return e;
}

void pd_index_free(struct pd_index *x) {
	free(x->slots);
	free(x->hashes);
	*x = (struct pd_index){0};
}
