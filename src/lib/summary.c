// SPDX-License-Identifier: MIT
// pd-collapse's summary line and its --verbose detail.
#include "summary.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strbuf.h"

#define U(x) ((unsigned long long)(x))

struct dso_list {
	struct pd_dso **v;
	size_t n, cap;
};

static void add_unresolved(void *arg, struct pd_dso *d) {
	struct dso_list *l = arg;
	struct pd_dso_stats st;
	pd_dso_stats(d, &st);
	if (st.frames && st.unresolved) {
		pd_xgrow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = d;
	}
}

// By name, then in the order made (memfd modules of several processes
// share a name).
static int by_name(const void *a, const void *b) {
	const struct pd_dso_ident *x = pd_dso_ident(*(struct pd_dso *const *)a);
	const struct pd_dso_ident *y = pd_dso_ident(*(struct pd_dso *const *)b);
	int c = strcmp(x->name, y->name);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

// One line per module with unresolved addresses, in name order, so that
// the lines do not depend on the order modules were met in.
static void verbose_dsos(struct pd_symbols *syms, const char *name) {
	struct dso_list l = {0};
	pd_symbols_foreach(syms, add_unresolved, &l);
	if (l.n) {
		qsort(l.v, l.n, sizeof(*l.v), by_name);
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct pd_dso_ident *d = pd_dso_ident(l.v[i]);
		struct pd_dso_stats st;
		pd_dso_stats(l.v[i], &st);
		const char *why = "";
		if (d->kind == PD_DSO_FILE && !st.found) {
			why = st.build_id_differs ? " (the file there has another "
				"build id than the recorded one)" : " (file not found)";
		} else if (!st.has_symbols) {
			why = " (no symbols)";
		}
		warnx("%s: %s: %llu of %llu addresses unresolved%s", name,
			d->name, U(st.unresolved), U(st.frames), why);
	}
	free(l.v);
}

// Separates the parts of the summary line.
static struct pd_strbuf *sep(struct pd_strbuf *b) {
	if (b->len) {
		pd_strbuf_adds(b, ", ");
	}
	return b;
}

void pd_summary_print(const struct pd_summary *s, const char *name,
		struct pd_symbols *syms, bool verbose) {
	const struct pd_sample_stack_stats *u = s->unwind;
	const struct pd_location_stats *f = s->frames;
	struct pd_strbuf b = {0};
	if (s->counts) {
		pd_strbuf_adds(&b, s->counts);
	}
	if (s->off_at_end) {
		pd_strbuf_printf(sep(&b), "%llu threads still off CPU at the end, "
			"charged up to it", U(s->off_at_end));
	}
	if (s->lost) {
		pd_strbuf_printf(sep(&b), "%llu events lost", U(s->lost));
	}
	if (s->lost_samples) {
		pd_strbuf_printf(sep(&b), "%llu samples lost", U(s->lost_samples));
	}
	if (s->no_stack) {
		pd_strbuf_printf(sep(&b), "%llu of %llu samples had no usable "
			"stack", U(s->no_stack), U(s->samples));
	}
	if (u->truncated) {
		pd_strbuf_printf(sep(&b), "%llu of %llu unwound stacks cut short",
			U(u->truncated), U(u->unwound));
	}
	if (u->fp_frames) {
		pd_strbuf_printf(sep(&b), "%llu frames found by frame pointers "
			"in code without unwind info", U(u->fp_frames));
	}
	if (f->unresolved) {
		pd_strbuf_printf(sep(&b), "%llu of %llu distinct addresses "
			"unresolved", U(f->unresolved), U(f->frames));
	}
	if (s->field_bad) {
		pd_strbuf_printf(sep(&b), "%llu samples without a --field value "
			"(shown as NAME=?)", U(s->field_bad));
	}
	if (s->weight_bad) {
		pd_strbuf_printf(sep(&b), "%llu samples without a usable --weight "
			"value left out", U(s->weight_bad));
	}
	if (s->unknown) {
		pd_strbuf_printf(sep(&b), "%llu records of unknown type skipped",
			U(s->unknown));
	}
	if (s->overflowed) {
		pd_strbuf_adds(sep(&b), "counts over 2^64 - 1 were capped there");
	}
	if (b.len) {
		bool more = !verbose && (f->unresolved || u->truncated);
		warnx("%s: %s%s", name, b.s, more ? " (see --verbose)" : "");
	}
	pd_strbuf_finish(&b);
	if (!verbose) {
		return;
	}
	for (int e = 1; e < PD_UNWIND_NEND; e++) {
		if (u->unwind_ends[e]) {
			warnx("%s: %llu unwinds stopped: %s", name,
				U(u->unwind_ends[e]),
				pd_unwind_end_name((enum pd_unwind_end)e));
		}
	}
	verbose_dsos(syms, name);
	if (f->unmapped) {
		warnx("%s: %llu addresses outside any mapping", name,
			U(f->unmapped));
	}
}
