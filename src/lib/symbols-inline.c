// SPDX-License-Identifier: MIT
// Inline frames: the DWARF scopes (subprogram, inlined subroutines) that
// hold an address. The scopes directly inside a compilation unit or a
// scope are indexed by address the first time a lookup passes through it,
// so a lookup costs a binary search per level instead of a walk over all
// the DIEs of the unit (thousands of functions in template-heavy C++) and
// of the function (thousands of inlined blocks in glibc's vfprintf).
#include "symbols.h"

#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "symbols-internal.h"
#include "alloc.h"
#include "hash.h"

// A range of code of a scope, with its place (order) in the order the
// walk finds the scopes.
struct sub_range {
	Dwarf_Addr lo, hi;
	Dwarf_Addr reach; // the largest hi of this and all earlier ranges
	uint32_t order;
	Dwarf_Die die;
};

// The scopes directly inside one DIE (a unit or a scope): those below it
// with no scope between, through blocks and namespaces.
struct scope_index {
	struct sub_range *v;
	size_t n;
};

struct scopes {
	struct pd_map64 by_die; // DIE offset + 1 -> position in v
	struct scope_index *v;
	size_t n, cap;
	// The module's units by their own ranges, made on the first address
	// that .debug_aranges places in none (unit_of).
	struct scope_index units;
	Dwarf_Addr units_bias;
	bool units_made;
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

// Collects the code ranges of the scopes directly inside parent, in DIE
// order. Functions nest in namespaces (C++, Rust), so those are entered;
// so are blocks: gcc's block ranges can miss code of the calls inlined in
// them (addr2line does not rely on them either).
static void collect(Dwarf_Die *parent, struct scope_index *ci, size_t *cap,
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

// Sorts ci's ranges by start and sets their reach.
static void sort_ranges(struct scope_index *ci) {
	if (ci->n) {
		qsort(ci->v, ci->n, sizeof(*ci->v), cmp_range);
	}
	for (size_t i = 0; i < ci->n; i++) {
		Dwarf_Addr prev = i ? ci->v[i - 1].reach : 0;
		ci->v[i].reach = ci->v[i].hi > prev ? ci->v[i].hi : prev;
	}
}

static struct scopes *scopes_of(struct pd_dso *d) {
	if (!d->scopes) {
		d->scopes = pd_xcalloc(1, sizeof(*d->scopes));
	}
	return d->scopes;
}

static struct scope_index *scope_index(struct pd_dso *d, Dwarf_Die *die) {
	struct scopes *sc = scopes_of(d);
	uint64_t key = dwarf_dieoffset(die) + 1;
	const uint64_t *known = pd_map64_find(&sc->by_die, key);
	if (known) {
		return &sc->v[*known];
	}
	pd_xgrow(&sc->v, &sc->cap, sc->n + 1, sizeof(*sc->v));
	struct scope_index *ci = &sc->v[sc->n];
	size_t cap = 0;
	uint32_t order = 0;
	*ci = (struct scope_index){NULL, 0};
	collect(die, ci, &cap, &order);
	sort_ranges(ci);
	pd_map64_insert(&sc->by_die, key, sc->n++);
	return ci;
}

// The scope (first in DIE order) whose code holds pc.
static bool find_scope(const struct scope_index *ci, Dwarf_Addr pc,
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

// Indexes the units of d's DWARF by the ranges their DIEs give: the
// ranges of code each holds, in unit order.
static void index_units(struct pd_dso *d, struct scopes *sc) {
	sc->units_made = true;
	Dwarf *dw = dwfl_module_getdwarf(d->mod, &sc->units_bias);
	struct scope_index *ci = &sc->units;
	size_t cap = 0;
	uint32_t order = 0;
	Dwarf_CU *cu = NULL;
	Dwarf_Die die;
	uint8_t type;
	while (dw && dwarf_get_units(dw, cu, &cu, NULL, &type, &die, NULL) == 0) {
		if (type != DW_UT_compile && type != DW_UT_partial) {
			continue; // type units hold no code; split units: not read
		}
		Dwarf_Addr base, lo, hi;
		for (ptrdiff_t off = 0; (off = dwarf_ranges(&die, off, &base, &lo,
				&hi)) > 0;) {
			if (lo < hi) {
				pd_xgrow(&ci->v, &cap, ci->n + 1, sizeof(*ci->v));
				ci->v[ci->n++] = (struct sub_range){lo, hi, 0, order, die};
			}
		}
		order++;
	}
	sort_ranges(ci);
}

// The unit holding module address a, by the units' own ranges, for the
// modules whose .debug_aranges does not list it: clang writes none by
// default, Go never, and libdw 0.188 looks an address up there alone.
static bool unit_of(struct pd_dso *d, Dwarf_Addr a, Dwarf_Die *out,
		Dwarf_Addr *bias) {
	struct scopes *sc = scopes_of(d);
	if (!sc->units_made) {
		index_units(d, sc);
	}
	*bias = sc->units_bias;
	return find_scope(&sc->units, a - sc->units_bias, out);
}

void pd_symbols_free_scopes(struct pd_dso *d) {
	struct scopes *sc = d->scopes;
	if (!sc) {
		return;
	}
	free(sc->units.v);
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->v[i].v);
	}
	free(sc->v);
	pd_map64_free(&sc->by_die);
	free(sc);
	d->scopes = NULL;
}

size_t pd_symbols_inline_chain(struct pd_symbols *s, struct pd_dso *d,
		Dwarf_Addr a, const char **names, size_t max, const char **outer) {
	Dwarf_Addr bias;
	Dwarf_Die unit, *cu = dwfl_module_addrdie(d->mod, a, &bias);
	*outer = NULL;
	if (!cu && unit_of(d, a, &unit, &bias)) {
		cu = &unit;
	}
	if (!cu) {
		return 0;
	}
	d->has_debuginfo = true;
	// The scopes holding the address, outermost first.
	Dwarf_Die path[64];
	size_t n = 0, k = 0;
	for (Dwarf_Die *in = cu; n < 64
			&& find_scope(scope_index(d, in), a - bias, &path[n]);) {
		in = &path[n++];
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
