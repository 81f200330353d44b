// SPDX-License-Identifier: MIT
// Hashing, pd_map64 and pd_index.
#include "hash.h"

#include <err.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "bytes.h"
#include "status.h"

// FNV-1a over 8-byte words, finished with a mixer: fast enough for keys of
// a few dozen bytes and good enough for open addressing.
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

// The high and low halves of a * b, xored.
static uint64_t fold(uint64_t a, uint64_t b) {
	unsigned __int128 p = (unsigned __int128)a * b;
	return (uint64_t)p ^ (uint64_t)(p >> 64);
}

uint64_t pd_hash_long(const void *p, size_t n, uint64_t seed) {
	const unsigned char *s = p;
	// The multipliers' one half comes from the seed.
	uint64_t k0 = 0x9e3779b97f4a7c15ULL ^ seed,
		k1 = 0xc2b2ae3d27d4eb4fULL ^ pd_hash_u64(seed),
		k2 = 0x165667b19e3779f9ULL ^ pd_hash_u64(seed + 1),
		k3 = 0xd6e8feb86659fd93ULL ^ pd_hash_u64(seed + 2);
	uint64_t a = k0 ^ n, b = k1;
	if (n >= 32) {
		size_t left = n;
		do {
			a = fold(pd_get_u64(s) ^ k2, pd_get_u64(s + 8) ^ a);
			b = fold(pd_get_u64(s + 16) ^ k3, pd_get_u64(s + 24) ^ b);
			s += 32;
			left -= 32;
		} while (left >= 32);
		// The last 32 bytes, overlapping those hashed.
		s = (const unsigned char *)p + n - 32;
		a ^= fold(pd_get_u64(s) ^ k1, pd_get_u64(s + 8) ^ k2);
		b ^= fold(pd_get_u64(s + 16) ^ k0, pd_get_u64(s + 24) ^ k3);
	} else if (n >= 16) { // the first and last 16 bytes, overlapping
		a = fold(pd_get_u64(s) ^ k2, pd_get_u64(s + 8) ^ a);
		b = fold(pd_get_u64(s + n - 16) ^ k3, pd_get_u64(s + n - 8) ^ b);
	} else if (n >= 8) { // the first and last 8 bytes
		a = fold(pd_get_u64(s) ^ k2, pd_get_u64(s + n - 8) ^ a);
	} else {
		uint64_t w = 0;
		for (size_t i = 0; i < n; i++) {
			w = w << 8 | s[i];
		}
		a = fold(w ^ k2, a);
	}
	return fold(a ^ k3, b ^ k0);
}

uint64_t pd_hash_seed(void) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	// Fuzzing builds (tests/fuzz/run.sh) hash alike in every process: an
	// input kept for what it did to a table does it again when rerun.
	return 0x5bd1e9955bd1e995ULL;
#else
	uint64_t seed;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed)) {
		return seed;
	}
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return pd_hash_u64((uint64_t)t.tv_nsec ^ (uint64_t)t.tv_sec << 32
		^ (uint64_t)(uintptr_t)&seed);
#endif
}

uint64_t pd_hash_secret;

__attribute__((constructor)) static void init_secret(void) {
	pd_hash_secret = pd_hash_seed();
}

static void map64_put(struct pd_map64 *m, uint64_t key, uint64_t val) {
	size_t j = pd_hash_key(key) & (m->slots - 1);
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
		m->keys = pd_dense_alloc(m->slots * sizeof(*m->keys));
		m->vals = pd_dense_alloc(m->slots * sizeof(*m->vals));
		for (size_t i = 0; i < old.slots; i++) {
			if (old.keys[i]) {
				map64_put(m, old.keys[i], old.vals[i]);
			}
		}
		pd_huge_free(old.keys, old.slots * sizeof(*old.keys));
		pd_huge_free(old.vals, old.slots * sizeof(*old.vals));
	}
	map64_put(m, key, val);
	m->n++;
}

void pd_map64_free(struct pd_map64 *m) {
	pd_huge_free(m->keys, m->slots * sizeof(*m->keys));
	pd_huge_free(m->vals, m->slots * sizeof(*m->vals));
	*m = (struct pd_map64){0};
}

uint32_t pd_index_add(struct pd_index *x, size_t j, uint64_t h) {
	uint32_t e = (uint32_t)x->n;
	x->slots[j] = h >> 32 << 32 | (e + 1);
	// Entry numbers fit in 31 bits: callers mark ids with the top one
	// (PD_STACK_NAMED). So the slots, whose homes come from the 32 hash
	// bits a slot keeps, stay within 2^32.
	if (++x->n > (size_t)1 << 31) {
		errx(PD_ENOMEM, "out of memory: more than 2^31 entries in one "
			"index");
	}
	// Grown past three quarters full, not half: a probe reads 8 bytes a
	// slot, so the few more slots it reads cost less than the memory.
	// A stack table of 68k stacks takes 1 MiB, not 2 (2026-12-07).
	if (x->n * 4 > x->nslots * 3) {
		// Doubled: each slot's hash bits give its new home. The
		// slots go in their order, so each lands at or after the
		// last one placed from its old cluster.
		uint64_t *old = x->slots;
		size_t nold = x->nslots;
		x->nslots *= 2;
		x->shift--;
		x->slots = pd_dense_alloc(x->nslots * sizeof(*x->slots));
		// Start after an empty slot: a cluster wrapping past the end
		// is then moved whole, in its order.
		size_t start = 0;
		while (old[start]) {
			start++;
		}
		for (size_t k = 0; k < nold; k++) {
			uint64_t v = old[(start + k) & (nold - 1)];
			if (!v) {
				continue;
			}
			size_t i = (size_t)((v >> 32 << 32) >> x->shift);
			while (x->slots[i]) {
				i = (i + 1) & (x->nslots - 1);
			}
			x->slots[i] = v;
		}
		pd_huge_free(old, nold * sizeof(*old));
	}
	return e;
}

void pd_index_reserve(struct pd_index *x, size_t n) {
	if (x->n) {
		return;
	}
	unsigned bits = 10;
	while (bits < 32 && ((size_t)3 << bits) < 4 * n) {
		bits++;
	}
	pd_huge_free(x->slots, x->nslots * sizeof(*x->slots));
	x->nslots = (size_t)1 << bits;
	x->shift = 64 - bits;
	// Not pd_dense_alloc: n may count lines that turn out the same,
	// and a sparse table's untouched pages need not be resident.
	x->slots = pd_huge_alloc(x->nslots * sizeof(*x->slots));
}

void pd_index_free(struct pd_index *x) {
	pd_huge_free(x->slots, x->nslots * sizeof(*x->slots));
	*x = (struct pd_index){0};
}
