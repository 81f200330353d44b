// SPDX-License-Identifier: MIT
// Multikey quicksort on 8-byte chunks. Each key carries the chunk at the
// depth its part is sorted at: partitions at one depth move keys in
// contiguous memory, and a string is fetched again only when its part
// goes a chunk deeper (once per 8 shared bytes, not once per
// comparison, where the strings' random places in memory made the
// fetches most of the sort's time).
#include "strsort.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "parallel.h"

// Fewer strings than this are sorted on the caller's thread.
#define PARALLEL_MIN 16384

// Keys ahead whose strings deeper() fetches.
#define AHEAD 16

// Bytes [d, d + 8) of s[0, len), big-endian, zeros past its end.
static uint64_t chunk_at(const unsigned char *s, size_t len, size_t d) {
	uint64_t v = 0;
	if (len >= d + 8) {
		memcpy(&v, s + d, 8);
		return __builtin_bswap64(v);
	}
	for (size_t k = 0; k < 8; k++) {
		v = v << 8 | (d + k < len ? s[d + k] : 0);
	}
	return v;
}

uint64_t pd_strkey_chunk(const unsigned char *s, size_t len) {
	return chunk_at(s, len, 0);
}

// a before b, both equal in their first d bytes, their chunks at d.
// Different chunks order the strings (a string's end reads as zeros,
// and a zero byte beyond it makes the longer string the greater).
static int cmp_from(const struct pd_strkey *a, const struct pd_strkey *b,
		size_t d) {
	if (a->chunk != b->chunk) {
		return a->chunk < b->chunk ? -1 : 1;
	}
	size_t la = a->len - d, lb = b->len - d;
	int c = memcmp(a->s + d, b->s + d, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

static void swap(struct pd_strkey *a, size_t i, size_t j) {
	struct pd_strkey t = a[i];
	a[i] = a[j];
	a[j] = t;
}

// Partitions at one depth before qsort takes over: twice the depth a
// balanced sort needs.
static unsigned budget_for(size_t n) {
	unsigned b = 2;
	while (n >>= 1) {
		b += 2;
	}
	return b;
}

static int cmp_qsort(const void *x, const void *y, void *d) {
	return cmp_from(x, y, *(const size_t *)d);
}

// Puts the strings of a[0, n) (all of length d to d + 8) in order of
// length: one pass per length, so many equal strings cost no more than
// other strings.
static void order_ended(struct pd_strkey *a, size_t n, size_t d) {
	size_t e = 0;
	for (size_t l = d; l <= d + 8 && e < n; l++) {
		for (size_t k = e; k < n; k++) {
			if (a[k].len == l) {
				swap(a, e++, k);
			}
		}
	}
}

// Bytes shared by a and b from d on, counted in whole 8-byte steps, up
// to most.
static size_t shared_from(const struct pd_strkey *a, const struct pd_strkey *b,
		size_t d, size_t most) {
	size_t n = 0, la = a->len - d, lb = b->len - d;
	size_t m = la < lb ? la : lb;
	m = m < most ? m : most;
	while (n + 8 <= m && memcmp(a->s + d + n, b->s + d + n, 8) == 0) {
		n += 8;
	}
	return n;
}

// Sets the chunks of a[0, n), equal in their first d bytes, and returns
// the depth to sort them from: d, or past the bytes all of them share
// when their chunks at d are all the same (a long prefix shared by a
// part is then read once, not a partition per 8 bytes of it). The
// strings lie in random places: each is fetched AHEAD keys ahead of its
// read (a 240k-key sort on one thread: 41 ms, against 44-66 without).
static size_t deeper(struct pd_strkey *a, size_t n, size_t d) {
	bool same = true;
	for (size_t k = 0; k < n; k++) {
		if (k + AHEAD < n) {
			__builtin_prefetch(a[k + AHEAD].s + d);
		}
		a[k].chunk = chunk_at(a[k].s, a[k].len, d);
		same &= a[k].chunk == a[0].chunk;
	}
	if (!same || n < 12) {
		return d;
	}
	size_t skip = SIZE_MAX;
	for (size_t k = 1; k < n && skip > 0; k++) {
		// Past the least shared so far is no use reading.
		size_t m = shared_from(&a[0], &a[k], d, skip);
		skip = m < skip ? m : skip;
	}
	if (skip == 0 || skip == SIZE_MAX) {
		return d;
	}
	d += skip;
	for (size_t k = 0; k < n; k++) {
		a[k].chunk = chunk_at(a[k].s, a[k].len, d);
	}
	return d;
}

// One partition of a[0, n), equal in their first d bytes, chunks at d,
// around the median of three chunks: [0, lt) and [gt, n) stay at depth d
// with chunks less and greater; [lt, e) are strings that end within
// these 8 bytes, in order; [e, gt) go on at *dm, their chunks set there.
static void partition(struct pd_strkey *a, size_t n, size_t d, size_t *plt,
		size_t *pe, size_t *pgt, size_t *dm) {
	uint64_t x = a[0].chunk, y = a[n / 2].chunk, z = a[n - 1].chunk;
	uint64_t v = x < y ? (y < z ? y : x < z ? z : x)
		: (x < z ? x : y < z ? z : y);
	size_t lt = 0, i = 0, gt = n;
	while (i < gt) {
		if (a[i].chunk < v) {
			swap(a, lt++, i++);
		} else if (a[i].chunk > v) {
			swap(a, i, --gt);
		} else {
			i++;
		}
	}
	// In the middle part, strings that end within these 8 bytes are
	// prefixes of the others (the rest of their chunk is zeros, as is
	// the others'): first, shortest first.
	size_t e = lt;
	for (size_t k = lt; k < gt; k++) {
		if (a[k].len <= d + 8) {
			swap(a, e++, k);
		}
	}
	order_ended(a + lt, e - lt, d);
	*dm = deeper(a + e, gt - e, d + 8);
	*plt = lt;
	*pe = e;
	*pgt = gt;
}

// Sorts a[0, n): equal in their first d bytes, chunks at d. Recursion
// only into parts of at most half, so its depth stays under log2(n).
// Each partition that leaves a part at the same depth spends one of
// budget: when none is left (pivots that split badly, as crafted input
// can make them), qsort by comparisons from d sorts the part.
static void sort(struct pd_strkey *a, size_t n, size_t d, unsigned budget) {
	while (n > 1) {
		if (budget == 0 && n >= 12) {
			qsort_r(a, n, sizeof(*a), cmp_qsort, &d);
			return;
		}
		if (n < 12) {
			for (size_t i = 1; i < n; i++) {
				for (size_t j = i; j > 0
						&& cmp_from(&a[j - 1], &a[j], d) > 0; j--) {
					swap(a, j, j - 1);
				}
			}
			return;
		}
		size_t lt, e, gt, dm;
		partition(a, n, d, &lt, &e, &gt, &dm);
		// Three parts left: [0, lt) and [gt, n) at depth d, [e, gt) at
		// dm. Recurse into the two smaller, go on with the largest.
		// A part going deeper starts with a budget of its own.
		size_t nl = lt, nm = gt - e, nr = n - gt;
		budget--;
		if (nl >= nm && nl >= nr) {
			sort(a + e, nm, dm, budget_for(nm));
			sort(a + gt, nr, d, budget);
			n = nl;
		} else if (nm >= nr) {
			sort(a, nl, d, budget);
			sort(a + gt, nr, d, budget);
			a += e;
			n = nm;
			d = dm;
			budget = budget_for(nm);
		} else {
			sort(a, nl, d, budget);
			sort(a + e, nm, dm, budget_for(nm));
			a += gt;
			n = nr;
		}
	}
}

// A sort on threads: parts of it in a queue, each taken by the next
// thread free. A part larger than limit is partitioned once and its
// parts queued, so that from the first partition on every thread has
// work; smaller ones (or ones that need qsort or an insertion sort) are
// sorted by the thread that takes them.
struct task {
	struct pd_strkey *a;
	size_t n, d;
	unsigned budget;
};

static void step(struct pd_tasks *q, void *task, void *ctx) {
	struct task t = *(struct task *)task;
	if (t.n <= *(size_t *)ctx || t.n < 12 || t.budget == 0) {
		sort(t.a, t.n, t.d, t.budget);
		return;
	}
	size_t lt, e, gt, dm;
	partition(t.a, t.n, t.d, &lt, &e, &gt, &dm);
	// [lt, e) is in order already.
	struct task parts[3] = {{t.a, lt, t.d, t.budget - 1},
		{t.a + e, gt - e, dm, budget_for(gt - e)},
		{t.a + gt, t.n - gt, t.d, t.budget - 1}};
	size_t k = 0;
	for (int i = 0; i < 3; i++) {
		if (parts[i].n > 1) {
			parts[k++] = parts[i];
		}
	}
	pd_tasks_push(q, parts, k);
}

void pd_strsort(struct pd_strkey *a, size_t n) {
	sort(a, n, 0, budget_for(n));
}

void pd_strsort_parallel(struct pd_strkey *a, size_t n) {
	size_t cpus = pd_cpus();
	if (cpus == 1 || n < PARALLEL_MIN) {
		pd_strsort(a, n);
		return;
	}
	// Eight parts or more per thread, so that the threads end about
	// together.
	size_t limit = n / (8 * cpus);
	struct task all = {a, n, 0, budget_for(n)};
	pd_tasks_run(&all, sizeof(all), step, &limit);
}
