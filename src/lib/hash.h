// SPDX-License-Identifier: MIT
// Hashing and pd's two hash-table shapes: pd_map64 (64-bit keys to
// 64-bit values) and pd_index (a caller's entries by hash).
#ifndef PD_HASH_H
#define PD_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

uint64_t pd_hash(const void *p, size_t n, uint64_t seed);
// A hash of long keys (a folded line's stack), several times as fast
// as pd_hash on them: 32 bytes a step in two lanes of 64x64->128-bit
// multiplies folded to 64 bits. Not pd_hash's values, which colours and
// caches keep. A word equal to one of its multipliers zeroes a product,
// so that keys made to hold them collide: for keys from a file, give it
// a seed nobody knows (pd_hash_seed).
uint64_t pd_hash_long(const void *p, size_t n, uint64_t seed);
// A random seed (getrandom; else from the time and an address).
uint64_t pd_hash_seed(void);

// tests/pdhash.py mirrors pd_hash and pd_hash_u64, and inverts them, to
// make keys that would share a slot without the secret (pd_hash_secret):
// change it with them.
static inline uint64_t pd_hash_u64(uint64_t x) {
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

// A random value of this process's (pd_hash_seed, set before main): the
// seed of pd_hash for tables of names and stacks that come from a file.
extern uint64_t pd_hash_secret;

// The hash of a key a file chose (an address, a sample id, a pid), for a
// table's slot. pd_hash_u64 can be inverted: a file could name keys that
// all land in one slot and make each insertion walk all the others. With
// a secret it cannot know which.
static inline uint64_t pd_hash_key(uint64_t x) {
	return pd_hash_u64(x ^ pd_hash_secret);
}

// An open-addressing map from nonzero 64-bit keys to 64-bit values;
// zero-initialise, free with pd_map64_free.
struct pd_map64 {
	uint64_t *keys; // 0: empty slot
	uint64_t *vals;
	size_t slots, n;
};

// The value stored for key, or NULL.
static inline uint64_t *pd_map64_find(const struct pd_map64 *m, uint64_t key) {
	if (!m->slots) {
		return NULL;
	}
	size_t j = pd_hash_key(key) & (m->slots - 1);
	for (; m->keys[j]; j = (j + 1) & (m->slots - 1)) {
		if (m->keys[j] == key) {
			return &m->vals[j];
		}
	}
	return NULL;
}
// Stores val for key, which must not be there yet.
void pd_map64_insert(struct pd_map64 *m, uint64_t key, uint64_t val);
void pd_map64_free(struct pd_map64 *m);

// An open-addressing index of the entries of a caller's table (numbered
// from 0) by their hashes; the caller compares keys. Zero-initialise, free
// with pd_index_free. Find or add:
//	size_t j = pd_index_slot(x, h);
//	for (uint32_t e; (e = pd_index_probe(x, h, &j)); j = pd_index_next(x, j))
//		if (equal(e - 1)) return e - 1;
//	return pd_index_add(x, j, h); // the new entry's number
// A slot holds the entry number + 1 and the top half of its hash, so that
// a probe reads one word per candidate. An entry's home slot comes from
// the top bits of its hash, which its slot keeps: the index grows from its
// slots alone, with no copy of the hashes.
struct pd_index {
	uint64_t *slots; // hash >> 32 << 32 | entry number + 1; 0: empty
	size_t nslots, n;
	unsigned shift;  // 64 - log2(nslots)
};

static inline size_t pd_index_slot(struct pd_index *x, uint64_t h) {
	if (!x->nslots) {
		x->nslots = 1024;
		x->shift = 64 - 10;
		x->slots = pd_xcalloc(x->nslots, sizeof(*x->slots));
	}
	return (size_t)(h >> x->shift);
}
static inline size_t pd_index_next(const struct pd_index *x, size_t j) {
	return (j + 1) & (x->nslots - 1);
}
// From slot *j on, the next entry whose hash may be h: its number + 1, or
// 0 at the empty slot that ends the search (*j is left there).
static inline uint32_t pd_index_probe(const struct pd_index *x, uint64_t h,
		size_t *j) {
	for (;; *j = pd_index_next(x, *j)) {
		uint64_t e = x->slots[*j];
		if (!e || e >> 32 == h >> 32) {
			return (uint32_t)e;
		}
	}
}
uint32_t pd_index_add(struct pd_index *x, size_t j, uint64_t h);
// Makes an empty index room for n entries before it grows.
void pd_index_reserve(struct pd_index *x, size_t n);
void pd_index_free(struct pd_index *x);

#endif
