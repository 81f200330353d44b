// SPDX-License-Identifier: MIT
// JIT code's names from /tmp/perf-PID.map (perf's format: hex start, hex
// size, name per line), one table per process.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"
#include "strbuf.h"
#include "symbols-internal.h"
#include "texts.h"

static int cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

// The segment of b[0, m) that starts at x (which is one of them).
static size_t bound_at(const uint64_t *b, size_t m, uint64_t x) {
	size_t lo = 0, hi = m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b[mid] < x) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static size_t next_free(size_t *next, size_t k) {
	while (next[k] != k) {
		next[k] = next[next[k]];
		k = next[k];
	}
	return k;
}

// Turns v[0, *n) in file order (and frees it) into sorted, non-overlapping
// ranges where each address belongs to the last line that covers it: a map
// without
// timestamps (node --perf-basic-prof appends as code is recompiled) can
// tell no better. Later lines claim the segments between all range ends
// first (a union-find skips the claimed ones).
static struct jitsym *flatten(struct jitsym *v, size_t *n) {
	size_t nb = 0, m = 0;
	uint64_t *b = pd_xmalloc((2 * *n + 1) * sizeof(*b));
	for (size_t i = 0; i < *n; i++) {
		b[nb++] = v[i].start;
		b[nb++] = v[i].end;
	}
	qsort(b, nb, sizeof(*b), cmp_u64);
	for (size_t i = 0; i < nb; i++) {
		if (m == 0 || b[m - 1] != b[i]) {
			b[m++] = b[i];
		}
	}
	// Segment k is [b[k], b[k + 1]); owner[k] the line that has it.
	size_t *owner = pd_xmalloc((m + 1) * sizeof(*owner));
	size_t *next = pd_xmalloc((m + 1) * sizeof(*next));
	for (size_t k = 0; k <= m; k++) {
		owner[k] = SIZE_MAX;
		next[k] = k;
	}
	for (size_t i = *n; i-- > 0;) {
		size_t end = bound_at(b, m, v[i].end);
		for (size_t k = next_free(next, bound_at(b, m, v[i].start)); k < end;
				k = next_free(next, k + 1)) {
			owner[k] = i;
			next[k] = k + 1;
		}
	}
	struct jitsym *out = pd_xmalloc((m + 1) * sizeof(*out));
	size_t k2 = 0;
	for (size_t k = 0; k + 1 < m; k++) {
		if (owner[k] == SIZE_MAX) {
			continue;
		}
		const struct jitsym *e = &v[owner[k]];
		if (k2 && out[k2 - 1].end == b[k] && out[k2 - 1].name == e->name) {
			out[k2 - 1].end = b[k + 1];
		} else {
			out[k2++] = (struct jitsym){b[k], b[k + 1], e->name};
		}
	}
	*n = k2;
	free(v);
	free(next);
	free(owner);
	free(b);
	return out; // may be longer than v: a line can be cut in pieces
}

// The map of d's process, read once for all its DSOs (its anonymous
// memory and its memfds).
static struct jit_table *load_jit(struct pd_symbols *s, struct pd_dso *d) {
	uint64_t *known = pd_map64_find(&s->jit_of, (uint64_t)d->pid + 1);
	struct jit_table *t = known ? (struct jit_table *)(uintptr_t)*known
		: NULL;
	if (!d->loaded && t) {
		d->loaded = true;
		d->has_symtab = t->n > 0;
	}
	if (d->loaded) {
		return t;
	}
	d->loaded = true;
	t = pd_xcalloc(1, sizeof(*t));
	pd_map64_insert(&s->jit_of, (uint64_t)d->pid + 1, (uintptr_t)t);
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%s/tmp/perf-%u.map", s->o.symfs ? s->o.symfs : "",
		d->pid);
	FILE *f = fopen(b.s, "re");
	pd_strbuf_finish(&b);
	if (!f) {
		return t;
	}
	size_t cap = 0, linecap = 0;
	char *line = NULL;
	while (getline(&line, &linecap, f) > 0) {
		char *p = line, *end;
		unsigned long long start = strtoull(p, &end, 16);
		if (end == p || *end != ' ') {
			continue;
		}
		p = end + 1;
		unsigned long long size = strtoull(p, &end, 16);
		if (end == p || *end != ' ' || size == 0 || start + size < start) {
			continue;
		}
		char *name = end + 1;
		name[strcspn(name, "\n")] = '\0';
		pd_xgrow(&t->v, &cap, t->n + 1, sizeof(*t->v));
		t->v[t->n++] = (struct jitsym){start, start + size,
			pd_texts_intern(s->names, name, strlen(name))};
	}
	free(line);
	fclose(f);
	t->v = flatten(t->v, &t->n);
	d->has_symtab = t->n > 0;
	return t;
}

const char *pd_symbols_jit_lookup(struct pd_symbols *s, struct pd_dso *d,
		uint64_t addr) {
	struct jit_table *t = load_jit(s, d);
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].start <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo > 0 && addr < t->v[lo - 1].end ? t->v[lo - 1].name : NULL;
}

void pd_symbols_free_jit(struct pd_symbols *s) {
	for (size_t i = 0; i < s->jit_of.slots; i++) {
		if (s->jit_of.keys[i]) {
			struct jit_table *t = (struct jit_table *)(uintptr_t)
				s->jit_of.vals[i];
			free(t->v);
			free(t);
		}
	}
	pd_map64_free(&s->jit_of);
}
