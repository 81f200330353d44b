// SPDX-License-Identifier: MIT
// Allocation that cannot fail, and string arenas.
#include "alloc.h"

#include <err.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

// A capacity of at least need elements of size: cap doubled (from 8).
static size_t grown(size_t cap, size_t need, size_t size) {
	size_t n = cap ? cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size) {
			errx(PD_ENOMEM, "out of memory");
		}
		n *= 2;
	}
	return n;
}

void pd_xgrow_slow(void *p, size_t *cap, size_t need, size_t size) {
	size_t n = grown(*cap, need, size);
	void **pp = p;
	*pp = pd_xrealloc(*pp, n * size);
	*cap = n;
}

// Gives advice on the whole pages inside p[0, n); returns the end of the
// last of them, or p if there is none.
static char *advise_pages(void *p, size_t n, int advice) {
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t to = ((uintptr_t)p + n) & ~(page - 1);
	if (from >= to) {
		return p;
	}
	madvise((void *)from, to - from, advice);
	return (char *)p + (to - (uintptr_t)p);
}

char *pd_give_back(void *p, size_t n) {
	return advise_pages(p, n, MADV_DONTNEED);
}

void pd_free_big(void *p, size_t n) {
	if (p && n >= ((size_t)1 << 20)) {
		pd_give_back(p, n);
	}
	free(p);
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
	size_t mapped; // bytes mapped for it, or 0: malloc's
	_Alignas(max_align_t) char data[];
};

#define HUGE_PAGE ((size_t)2 << 20)

// Memory from this size up is mapped in huge pages; with AddressSanitizer
// none is, so that it checks every access (it watches malloc's memory).
#if defined(__SANITIZE_ADDRESS__)
#define HUGE_MIN SIZE_MAX
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HUGE_MIN SIZE_MAX
#endif
#endif
#ifndef HUGE_MIN
#define HUGE_MIN HUGE_PAGE
#endif

// n bytes rounded up to whole huge pages, or 0 if that overflows.
static size_t huge_size(size_t n) {
	size_t r = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	return r < n ? 0 : r;
}

// A mapping of size (whole huge pages) at a huge page's boundary, asked
// to be backed by huge pages.
static void *map_huge(size_t size) {
	if (size == 0 || size > SIZE_MAX - HUGE_PAGE) {
		errx(PD_ENOMEM, "out of memory");
	}
	char *m = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		errx(PD_ENOMEM, "out of memory");
	}
	size_t head = (HUGE_PAGE - ((uintptr_t)m & (HUGE_PAGE - 1)))
		& (HUGE_PAGE - 1);
	if (head) {
		munmap(m, head);
	}
	munmap(m + head + size, HUGE_PAGE - head);
	madvise(m + head, size, MADV_HUGEPAGE);
	return m + head;
}

void *pd_huge_alloc(size_t n) {
	return n >= HUGE_MIN ? map_huge(huge_size(n)) : pd_xcalloc(1, n);
}

void *pd_huge_malloc(size_t n) {
	return n >= HUGE_MIN ? map_huge(huge_size(n)) : pd_xmalloc(n);
}

// Faults in the whole pages inside p[0, n) with one call. On this
// project's 2-vCPU VMs a page's first write costs ~10 us as a fault and
// 0.7-4.2 us this way (2026-12-07). An older kernel without
// MADV_POPULATE_WRITE refuses it, and the pages fault as before.
static void populate(void *p, size_t n) {
	advise_pages(p, n, MADV_POPULATE_WRITE);
}

// Below this a table's pages are left to fault one by one.
#define DENSE_MIN ((size_t)64 << 10)

void *pd_dense_alloc(size_t n) {
	if (n >= HUGE_MIN) {
		void *p = map_huge(huge_size(n));
		populate(p, n);
		return p;
	}
	if (n < DENSE_MIN) {
		return pd_xcalloc(1, n);
	}
	void *p = pd_xmalloc(n);
	populate(p, n);
	return memset(p, 0, n);
}

void pd_huge_free(void *p, size_t n) {
	if (p && n >= HUGE_MIN) {
		munmap(p, huge_size(n));
	} else {
		pd_free_big(p, n);
	}
}

void pd_huge_grow_slow(void *p, size_t *cap, size_t need, size_t size) {
	size_t n = grown(*cap, need, size);
	void **pp = p;
	size_t old = *cap * size, new = n * size;
	if (new < HUGE_MIN) {
		*pp = pd_xrealloc(*pp, new);
	} else if (old < HUGE_MIN) {
		void *q = map_huge(huge_size(new));
		if (old) {
			memcpy(q, *pp, old);
		}
		free(*pp);
		*pp = q;
	} else {
		// Moved by its page tables, not copied; where it lands need
		// not be a huge page's boundary, but the pages keep the
		// advice.
		void *q = mremap(*pp, huge_size(old), huge_size(new),
			MREMAP_MAYMOVE);
		if (q == MAP_FAILED) {
			errx(PD_ENOMEM, "out of memory");
		}
		*pp = q;
	}
	*cap = n;
}

// An arena block for n bytes in huge pages: block bytes mapped, its
// header among them, or more for a larger n.
static struct pd_arena_block *map_block(size_t n, size_t block) {
	if (n > SIZE_MAX - sizeof(struct pd_arena_block)) {
		errx(PD_ENOMEM, "out of memory");
	}
	size_t need = sizeof(struct pd_arena_block) + n;
	size_t size = huge_size(need > block ? need : block);
	struct pd_arena_block *b = map_huge(size);
	b->mapped = size;
	b->cap = size - sizeof(*b);
	return b;
}

void *pd_arena_alloc(struct pd_arena *a, size_t n) {
	enum { ALIGN = 8 }; // pointers, 64-bit values
	struct pd_arena_block *b = a->blocks;
	size_t at = b ? (b->used + ALIGN - 1) & ~(size_t)(ALIGN - 1) : 0;
	if (!b || at > b->cap || b->cap - at < n) {
		size_t block = a->block ? a->block : (size_t)1 << 16;
		if (block >= HUGE_MIN) {
			b = map_block(n, block);
		} else {
			size_t cap = n > block ? n : block;
			b = pd_xmalloc(sizeof(*b) + cap);
			b->mapped = 0;
			b->cap = cap;
		}
		b->used = 0;
		b->next = a->blocks;
		a->blocks = b;
		at = 0;
	}
	b->used = at + n;
	return b->data + at;
}

void pd_arena_adopt(struct pd_arena *a, void *p, size_t n) {
	if (!p || n < 2 * sizeof(struct pd_arena_block)) {
		pd_huge_free(p, n);
		return;
	}
	// As pd_huge_free would take it back: whole huge pages mapped, or
	// malloc's.
	struct pd_arena_block *b = p;
	b->mapped = n >= HUGE_MIN ? huge_size(n) : 0;
	b->cap = (b->mapped ? b->mapped : n) - sizeof(*b);
	b->used = 0;
	b->next = a->blocks;
	a->blocks = b;
}

char *pd_arena_strdup(struct pd_arena *a, const char *s, size_t len) {
	struct pd_arena_block *b = a->blocks;
	char *d;
	if (b && b->cap - b->used > len) {
		// Strings need no alignment.
		d = b->data + b->used;
		b->used += len + 1;
	} else {
		d = pd_arena_alloc(a, len + 1);
	}
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

void pd_arena_finish(struct pd_arena *a) {
	for (struct pd_arena_block *b = a->blocks, *next; b; b = next) {
		next = b->next;
		if (b->mapped) {
			munmap(b, b->mapped);
		} else {
			free(b);
		}
	}
	a->blocks = NULL;
}

struct pd_block *pd_block_new(size_t cap) {
	struct pd_block *b = pd_xmalloc(sizeof(*b) + cap);
	b->used = b->users = 0;
	b->cap = cap;
	b->refs = 1;
	return b;
}

void pd_block_unref(struct pd_block *b) {
	if (b && --b->refs == 0) {
		free(b);
	}
}
