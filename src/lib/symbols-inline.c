// SPDX-License-Identifier: MIT
// Inline frames: the DWARF scopes (subprogram, inlined subroutines) that
// hold an address. Each compilation unit's functions are indexed by
// address the first time one of its addresses is looked up, so a lookup
// costs a binary search and a walk down one function's DIEs instead of a
// walk over the whole unit (which, for template-heavy C++, holds
// thousands of functions).
#include "symbols.h"

#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "symbols-internal.h"
#include "util.h"

// A range of code of a function, in DIE order (order) as it appears in
// a depth-first walk of the unit.
struct sub_range {
	Dwarf_Addr lo, hi;
	Dwarf_Addr reach; // the largest hi of this and all earlier ranges
	uint32_t order;
	Dwarf_Die die;
};

struct cu_index {
	Dwarf_Off cu;      // the unit's DIE offset; slot empty if no v
	struct sub_range *v;
	size_t n;
};

struct scopes {
	struct cu_index *slots;
	size_t nslots, n;
};

// A DWARF function name: the linkage name (demangled, so qualified) when
// the DIE or its abstract origin / specification has one, else DW_AT_name.
static const char *die_name(struct pd_symbols *s, Dwarf_Die *die) {
	Dwarf_Attribute at;
	const char *n = NULL;
	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &at)
			|| dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &at)) {
		n = dwarf_formstring(&at);
	}
	if (n && *n) {
		return pd_symbols_demangle(s, n);
	}
	if (dwarf_attr_integrate(die, DW_AT_name, &at)) {
		n = dwarf_formstring(&at);
	}
	return n && *n ? pd_symbols_tidy(s, n) : NULL;
}

// Appends to path the DIEs below parent whose code holds pc, outermost
// first. Functions nest in namespaces (C++, Rust), so those are entered;
// dwarf_getscopes does not enter them in elfutils 0.188.
static bool find_scopes(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *path,
		size_t *n, size_t max) {
	Dwarf_Die child;
	if (dwarf_child(parent, &child) != 0) {
		return false;
	}
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
			if (dwarf_haspc(&child, pc) != 1) {
				break;
			}
			if (*n < max) {
				path[(*n)++] = child;
			}
			find_scopes(&child, pc, path, n, max);
			return true;
		// gcc's block ranges can miss code of the calls inlined in them
		// (addr2line does not rely on them either): look inside anyway.
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
		case DW_TAG_namespace:
		case DW_TAG_module:
			if (find_scopes(&child, pc, path, n, max)) {
				return true;
			}
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

// Collects the code ranges of the functions find_scopes would reach from
// the unit's DIE, in the order it would try them.
static void collect(Dwarf_Die *parent, struct cu_index *ci, size_t *cap,
		uint32_t *order) {
	Dwarf_Die child;
	if (dwarf_child(parent, &child) != 0) {
		return;
	}
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine: {
			uint32_t o = (*order)++;
			Dwarf_Addr base, lo, hi;
			ptrdiff_t off = 0;
			while ((off = dwarf_ranges(&child, off, &base, &lo, &hi)) > 0) {
				if (lo >= hi) {
					continue;
				}
				pd_xgrow(&ci->v, cap, ci->n + 1, sizeof(*ci->v));
				ci->v[ci->n++] = (struct sub_range){lo, hi, 0, o, child};
			}
			break;
		}
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
		case DW_TAG_namespace:
		case DW_TAG_module:
			collect(&child, ci, cap, order);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static int cmp_range(const void *a, const void *b) {
	const struct sub_range *x = a, *y = b;
	if (x->lo != y->lo) {
		return x->lo < y->lo ? -1 : 1;
	}
	return (x->order > y->order) - (x->order < y->order);
}

static struct cu_index *cu_index(struct pd_dso *d, Dwarf_Die *cu) {
	struct scopes *sc = d->scopes;
	if (!sc) {
		sc = d->scopes = pd_xcalloc(1, sizeof(*sc));
		sc->nslots = 64;
		sc->slots = pd_xcalloc(sc->nslots, sizeof(*sc->slots));
	}
	Dwarf_Off off = dwarf_dieoffset(cu);
	size_t mask = sc->nslots - 1, j = pd_hash_u64(off) & mask;
	for (; sc->slots[j].v; j = (j + 1) & mask) {
		if (sc->slots[j].cu == off) {
			return &sc->slots[j];
		}
	}
	if ((sc->n + 1) * 2 > sc->nslots) {
		struct scopes grown = {pd_xcalloc(sc->nslots * 2,
			sizeof(*sc->slots)), sc->nslots * 2, sc->n};
		for (size_t i = 0; i < sc->nslots; i++) {
			if (sc->slots[i].v) {
				size_t k = pd_hash_u64(sc->slots[i].cu)
					& (grown.nslots - 1);
				while (grown.slots[k].v) {
					k = (k + 1) & (grown.nslots - 1);
				}
				grown.slots[k] = sc->slots[i];
			}
		}
		free(sc->slots);
		*sc = grown;
		return cu_index(d, cu);
	}
	struct cu_index *ci = &sc->slots[j];
	size_t cap = 0;
	uint32_t order = 0;
	*ci = (struct cu_index){off, NULL, 0};
	collect(cu, ci, &cap, &order);
	qsort(ci->v, ci->n, sizeof(*ci->v), cmp_range);
	for (size_t i = 0; i < ci->n; i++) {
		Dwarf_Addr prev = i ? ci->v[i - 1].reach : 0;
		ci->v[i].reach = ci->v[i].hi > prev ? ci->v[i].hi : prev;
	}
	if (!ci->v) {
		ci->v = pd_xmalloc(sizeof(*ci->v)); // marks the slot used
	}
	sc->n++;
	return ci;
}

// The function (first in DIE order) whose code holds pc.
static bool find_function(const struct cu_index *ci, Dwarf_Addr pc,
		Dwarf_Die *out) {
	size_t lo = 0, hi = ci->n;
	while (lo < hi) { // the first range starting after pc
		size_t mid = lo + (hi - lo) / 2;
		if (ci->v[mid].lo <= pc) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	const struct sub_range *best = NULL;
	for (size_t k = lo; k-- > 0 && ci->v[k].reach > pc;) {
		const struct sub_range *r = &ci->v[k];
		if (pc < r->hi && (!best || r->order < best->order)) {
			best = r;
		}
	}
	if (best) {
		*out = best->die;
	}
	return best != NULL;
}

void pd_symbols_free_scopes(struct pd_dso *d) {
	struct scopes *sc = d->scopes;
	if (!sc) {
		return;
	}
	for (size_t i = 0; i < sc->nslots; i++) {
		free(sc->slots[i].v);
	}
	free(sc->slots);
	free(sc);
	d->scopes = NULL;
}

size_t pd_symbols_inline_chain(struct pd_symbols *s, struct pd_dso *d,
		Dwarf_Addr a, const char **names, size_t max, const char **outer) {
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(d->mod, a, &bias);
	*outer = NULL;
	if (!cu) {
		return 0;
	}
	d->has_debuginfo = true;
	Dwarf_Die path[64];
	size_t n = 0, k = 0;
	if (find_function(cu_index(d, cu), a - bias, &path[0])) {
		n = 1;
		find_scopes(&path[0], a - bias, path, &n, 64);
	}
	// The last subprogram on the path is the function the code is in;
	// the inlined subroutines after it are the calls inlined into it.
	size_t first = 0;
	for (size_t i = 0; i < n; i++) {
		if (dwarf_tag(&path[i]) == DW_TAG_subprogram) {
			first = i;
		}
	}
	if (n) {
		*outer = die_name(s, &path[first]);
	}
	for (size_t i = n; i-- > first + 1 && k < max;) {
		const char *name = die_name(s, &path[i]);
		names[k++] = name ? name : "[unknown]";
	}
	return k;
}
