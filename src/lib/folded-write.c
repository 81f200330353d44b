// SPDX-License-Identifier: MIT
// Folded text from the stack table: each location's frames rendered once,
// lines merged and sorted as sequences of text numbers.
#include "folded-write.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strbuf.h"

// Appends one frame name with its annotation.
static void add_name(struct pd_strbuf *b, const char *name, const char *mark) {
	if (b->len) {
		pd_strbuf_addc(b, ';');
	}
	pd_strbuf_adds(b, name);
	if (mark && !strstr(name, mark)) {
		pd_strbuf_adds(b, mark);
	}
}

// The text of a location into b: its frames, outermost first.
static void render(struct pd_strbuf *b, const struct pd_location *x,
		const struct pd_location_frames *f,
		const struct pd_folded_options *o) {
	b->len = 0;
	const struct pd_dso_ident *d = x->dso ? pd_dso_ident(x->dso) : NULL;
	if (!f->n) {
		const char *mod = d ? d->base : "unknown";
		if (d && d->kind == PD_DSO_KERNEL) {
			mod = "[kernel.kallsyms]";
		}
		if (o->addrs) {
			pd_strbuf_printf(b, "[%s <%llx>]", mod,
				(unsigned long long)x->addr);
		} else {
			pd_strbuf_printf(b, "[%s]", mod);
		}
		return;
	}
	const char *mark = NULL;
	if (d->kind == PD_DSO_KERNEL && o->kernel) {
		mark = "_[k]";
	} else if (d->kind == PD_DSO_JIT && o->jit) {
		mark = "_[j]";
	}
	for (uint32_t i = 0; i < f->n; i++) {
		bool in = i < 64 && (f->inlined >> i & 1) && o->inline_marks;
		add_name(b, f->names[i], in ? "_[i]" : mark);
	}
}

static void render_root(struct pd_strbuf *b, const char *comm, uint32_t pid,
		uint32_t tid, const struct pd_folded_options *o) {
	b->len = 0;
	pd_strbuf_add(b, "", 0); // b->s is never NULL, even for an empty comm
	for (const char *p = comm; *p; p++) {
		pd_strbuf_addc(b, *p == ' ' ? '_' : *p == ';' ? ':' : *p);
	}
	if (o->tid) {
		pd_strbuf_printf(b, "-%u/%u", pid, tid);
	} else if (o->pid) {
		pd_strbuf_printf(b, "-%u", pid);
	}
}

static void write_line(struct pd_strbuf *b, const struct pd_texts *t,
		const uint32_t *seq, size_t n, uint64_t count) {
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *s = pd_texts_get(t, seq[i], &len);
		if (i) {
			pd_strbuf_addc(b, ';');
		}
		pd_strbuf_add(b, s, len);
	}
	pd_strbuf_addc(b, ' ');
	pd_strbuf_add_u64(b, count);
	pd_strbuf_addc(b, '\n');
}

// Output lines are merged and sorted as sequences of text numbers (the
// root and each location's frames), not as whole lines: with deep C++
// stacks a line is kilobytes long and hashing and comparing lines
// dominated.
bool pd_folded_write(FILE *out, const struct pd_stacks *s, size_t col,
		struct pd_locations *l, const char *const *comms,
		const struct pd_folded_options *o) {
	// User code first: kernel symbols may still be loading on their own
	// thread (pd_symbols_prefetch_kernel).
	pd_locations_resolve_files(l);
	struct pd_texts *t = pd_texts_create();
	size_t nlocs = pd_locations_count(l);
	uint32_t *text_of = pd_xmalloc((nlocs + 1) * sizeof(*text_of));
	memset(text_of, 0xff, (nlocs + 1) * sizeof(*text_of));
	struct pd_stacks *lines = pd_stacks_create(1);
	uint32_t *seq = NULL;
	size_t seq_cap = 0;
	struct pd_strbuf b = {0};
	for (uint32_t i = 0; i < pd_stacks_size(s); i++) {
		size_t len, n = 0;
		const uint32_t *k = pd_stacks_ids(s, i, &len);
		pd_xgrow(&seq, &seq_cap, len, sizeof(*seq));
		render_root(&b, comms[k[0]], k[1], k[2], o);
		seq[n++] = pd_texts_id(t, b.s, b.len);
		for (size_t j = len; j-- > PD_STACK_ROOT;) {
			uint32_t li = k[j];
			if (li & PD_STACK_NAMED) {
				const char *name = o->named[li & ~PD_STACK_NAMED];
				seq[n++] = pd_texts_id(t, name, strlen(name));
				continue;
			}
			if (text_of[li] == UINT32_MAX) {
				render(&b, pd_locations_at(l, li),
					pd_locations_frames(l, li), o);
				text_of[li] = pd_texts_id(t, b.s, b.len);
			}
			seq[n++] = text_of[li];
		}
		pd_stacks_add(lines, seq, n, pd_stacks_weights(s, i) + col);
	}
	bool fits = !pd_stacks_overflowed(lines);
	uint32_t *order = pd_stacks_sorted(lines, t);
	size_t nlines = pd_stacks_size(lines);
	b.len = 0;
	for (size_t i = 0; i < nlines;) {
		size_t n;
		const uint32_t *k = pd_stacks_ids(lines, order[i], &n);
		uint64_t count = *pd_stacks_weights(lines, order[i]);
		// Lines equal as text but not as texts are written once.
		size_t j = i + 1;
		for (; j < nlines; j++) {
			size_t m;
			const uint32_t *k2 = pd_stacks_ids(lines, order[j], &m);
			if (pd_texts_cmp(t, k, n, k2, m) != 0) {
				break;
			}
			uint64_t more = *pd_stacks_weights(lines, order[j]);
			fits &= count + more >= more;
			count = count + more < more ? UINT64_MAX : count + more;
		}
		write_line(&b, t, k, n, count);
		if (b.len >= 1 << 16) {
			fwrite(b.s, 1, b.len, out);
			b.len = 0;
		}
		i = j;
	}
	fwrite(b.s, 1, b.len, out);
	pd_strbuf_finish(&b);
	free(order);
	free(seq);
	pd_stacks_destroy(lines);
	free(text_of);
	pd_texts_destroy(t);
	return fits;
}
