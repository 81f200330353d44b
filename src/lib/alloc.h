// SPDX-License-Identifier: MIT
// Allocation that cannot fail: out of memory ends the program (status 71).
#ifndef PD_ALLOC_H
#define PD_ALLOC_H

#include <stddef.h>
#include <stdint.h>

// On out-of-memory these print a message and exit with status 71.
void *pd_xmalloc(size_t n);
void *pd_xcalloc(size_t n, size_t size);
void *pd_xrealloc(void *p, size_t n);
// pd_xgrow's growing part.
void pd_xgrow_slow(void *p, size_t *cap, size_t need, size_t size);
// Grows *p (holding *cap elements of size) to hold at least need elements.
static inline void pd_xgrow(void *p, size_t *cap, size_t need, size_t size) {
	if (need > *cap) {
		pd_xgrow_slow(p, cap, need, size);
	}
}
// Gives the whole pages inside p[0, n) back to the system: the memory stays
// the caller's (an allocation is freed as any other) and reads as zeros.
// Returns the end of the last page given back, or p if none was.
char *pd_give_back(void *p, size_t n);
// Frees p, an allocation of at least n bytes, giving its whole pages back
// to the system first when n is large: a heap that is never trimmed
// (pd-collapse's) keeps freed memory resident otherwise.
void pd_free_big(void *p, size_t n);
// Large arrays: n bytes (n >= 2 MiB) mapped for them alone at a 2 MiB
// boundary, in huge pages where the system has them (a page fault and a
// TLB entry per 2 MiB rather than per 4 KiB); smaller ones from malloc.
// Zeroed. Freed by pd_huge_free with the same n. (With AddressSanitizer
// all come from malloc, which it checks.)
void *pd_huge_alloc(size_t n);
// As pd_huge_alloc, but not zeroed: for memory the caller fills whole (a
// file read into it). Freed by pd_huge_free with the same n.
void *pd_huge_malloc(size_t n);
// As pd_huge_alloc, for memory the caller is about to write all over (a
// hash table's slots, being filled): from 64 KiB up its pages are
// faulted in by one call rather than one fault each (where huge pages
// are had, one a 2 MiB page either way). Freed by pd_huge_free with the
// same n.
void *pd_dense_alloc(size_t n);
void pd_huge_free(void *p, size_t n);
// pd_huge_grow's growing part.
void pd_huge_grow_slow(void *p, size_t *cap, size_t need, size_t size);
// As pd_xgrow for an array of pd_huge_alloc's (not zeroed when grown).
static inline void pd_huge_grow(void *p, size_t *cap, size_t need,
		size_t size) {
	if (need > *cap) {
		pd_huge_grow_slow(p, cap, need, size);
	}
}
char *pd_xstrdup(const char *s);
char *pd_xstrndup(const char *s, size_t n);

// A buffer shared by counted references: pd_block_new gives the first,
// and the last pd_block_unref frees it.
struct pd_block {
	size_t used, cap, refs; // used: as its owner says
	size_t users;           // of the references, those a user counts
	uint8_t data[];
};
struct pd_block *pd_block_new(size_t cap);
static inline struct pd_block *pd_block_ref(struct pd_block *b) {
	b->refs++;
	return b;
}
void pd_block_unref(struct pd_block *b); // NULL is fine

// Strings copied into big blocks, all freed at once; zero-initialise.
// block: bytes a block holds, 0 for 64 KiB; from 2 MiB up, the bytes
// each block maps on its own (its header among them), in huge pages
// where the system has them (for arenas that take many MB: fewer page
// faults and TLB misses).
struct pd_arena {
	struct pd_arena_block *blocks;
	size_t block;
};
// Returns a NUL-terminated copy of s[0, len) owned by a.
char *pd_arena_strdup(struct pd_arena *a, const char *s, size_t len);
// Returns n bytes owned by a, aligned for any pointer or 64-bit value.
void *pd_arena_alloc(struct pd_arena *a, size_t n);
// Makes p, n bytes from pd_huge_alloc or pd_huge_grow that its owner is
// done with, the block a fills next (the one before is filled no
// further), freed with a's: pages already touched are used again rather
// than new ones faulted in (and zeroed).
void pd_arena_adopt(struct pd_arena *a, void *p, size_t n);
void pd_arena_finish(struct pd_arena *a);

#endif
