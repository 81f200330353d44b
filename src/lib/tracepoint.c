// SPDX-License-Identifier: MIT
// Tracepoint payloads (PERF_SAMPLE_RAW) decoded by field name through the
// formats libtraceevent parsed; every field is checked against the
// payload's size before libtraceevent reads it.
#include "tracing.h"

#include <stdlib.h>
#include <string.h>

#include "tracing-internal.h"
#include "alloc.h"

void pd_tp_init(struct pd_tp *tp, struct pd_tracing *t, struct tep_event *ev) {
	tp->t = t;
	tp->ev = ev;
	for (int pass = 0; pass < 2; pass++) {
		struct tep_format_field *f = pass ? ev->format.fields
			: ev->format.common_fields;
		for (; f; f = f->next) {
			tp->fields = pd_xrealloc(tp->fields, (tp->nfields + 1)
				* sizeof(*tp->fields));
			tp->fields[tp->nfields++] = f;
			size_t end = f->offset < 0 || f->size < 0 ? SIZE_MAX
				: (size_t)f->offset + (size_t)f->size;
			tp->fixed_end = end > tp->fixed_end ? end : tp->fixed_end;
		}
	}
}

void pd_tp_finish(struct pd_tp *tp) {
	free(tp->fields);
	free(tp->state_vals);
	free(tp->state_names);
}

const char *pd_tp_system(const struct pd_tp *tp) {
	return tp->ev->system;
}

const char *pd_tp_name(const struct pd_tp *tp) {
	return tp->ev->name;
}

void pd_tp_list_fields(const struct pd_tp *tp, FILE *out) {
	for (const struct tep_format_field *f = tp->ev->format.fields; f;
			f = f->next) {
		fprintf(out, "\t%s\t%s\n", f->name ? f->name : "?",
			f->type ? f->type : "?");
	}
}

int pd_tp_field(const struct pd_tp *tp, const char *name) {
	for (size_t i = 0; i < tp->nfields; i++) {
		if (tp->fields[i]->name && strcmp(tp->fields[i]->name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

int pd_tp_nfields(const struct pd_tp *tp) {
	return (int)tp->nfields;
}

static bool is_array(const struct tep_format_field *f) {
	return f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_STRING
		| TEP_FIELD_IS_DYNAMIC);
}

bool pd_tp_field_is_number(const struct pd_tp *tp, int f) {
	const struct tep_format_field *fl = tp->fields[f];
	return !is_array(fl) && (fl->size == 1 || fl->size == 2
		|| fl->size == 4 || fl->size == 8);
}

// Whether the field's own bytes lie in raw[0, size).
static bool fits(const struct tep_format_field *f, size_t size) {
	return f->offset >= 0 && f->size > 0
		&& (size_t)f->offset <= size
		&& (size_t)f->size <= size - (size_t)f->offset;
}

bool pd_tp_number(const struct pd_tp *tp, int f, const uint8_t *raw,
		size_t size, uint64_t *v, bool *neg) {
	struct tep_format_field *fl = tp->fields[f];
	*neg = false;
	if (!pd_tp_field_is_number(tp, f) || !fits(fl, size)) {
		return false;
	}
	unsigned long long x = 0;
	if (tep_read_number_field(fl, raw, &x) != 0) {
		return false;
	}
	unsigned bits = 8 * (unsigned)fl->size;
	if ((fl->flags & TEP_FIELD_IS_SIGNED) && (x >> (bits - 1) & 1)) {
		*neg = true;
		if (bits < 64) {
			x |= ~0ULL << bits;
		}
	}
	*v = x;
	return true;
}

// The bytes of an array field: in place, or where a __data_loc word
// (low 16 bits offset, high 16 length; relative to the field's end with
// TEP_FIELD_IS_RELATIVE, as perf's evsel__rawptr) says.
static bool array_bytes(const struct pd_tp *tp,
		const struct tep_format_field *f, const uint8_t *raw, size_t size,
		const uint8_t **p, size_t *n) {
	if (!fits(f, size)) {
		return false;
	}
	if (!(f->flags & TEP_FIELD_IS_DYNAMIC)) {
		*p = raw + f->offset;
		*n = (size_t)f->size;
		return true;
	}
	if (f->size < 4) {
		return false;
	}
	uint32_t loc = (uint32_t)tep_read_number(tp->t->tep, raw + f->offset, 4);
	size_t off = loc & 0xffff, len = loc >> 16;
	if (f->flags & TEP_FIELD_IS_RELATIVE) {
		off += (size_t)f->offset + (size_t)f->size;
	}
	if (off > size || len > size - off) {
		return false;
	}
	*p = raw + off;
	*n = len;
	return true;
}

// Strings up to their NUL; other arrays as perf prints them.
static void add_array(struct pd_strbuf *b, const struct tep_format_field *f,
		const uint8_t *p, size_t n) {
	size_t len = strnlen((const char *)p, n);
	bool text = f->flags & TEP_FIELD_IS_STRING;
	for (size_t i = 0; text && i < len; i++) {
		text = p[i] >= 0x20 && p[i] < 0x7f;
	}
	if (text) {
		pd_strbuf_add(b, (const char *)p, len);
		return;
	}
	pd_strbuf_adds(b, "ARRAY[");
	for (size_t i = 0; i < n; i++) {
		pd_strbuf_printf(b, i ? ", %02x" : "%02x", p[i]);
	}
	pd_strbuf_addc(b, ']');
}

// libtraceevent asks it for the function holding an address the format
// prints with %pS/%ps: it notes the address and answers with a mark that
// pd_tp_text turns into PD_TP_SYMBOL (names come later, from pd's kernel
// symbols, which another thread may be loading now).
static char *note_symbol(void *arg, unsigned long long *addr, char **mod) {
	struct pd_tracing *t = arg;
	t->sym_hit = true;
	t->sym_addr = *addr;
	static char mark[] = {PD_TP_SYMBOL, '\0'};
	return mark;
}

void pd_tracing_set_resolver(struct pd_tracing *t) {
	t->resolver_set = tep_set_function_resolver(t->tep, note_symbol, t)
		== 0;
}

// Appends s with control characters as '_': texts from the file (field
// values, a format's state names) never split a folded line or carry
// pd's own marks (PD_TP_SYMBOL).
static void add_printable(struct pd_strbuf *b, const char *s) {
	for (size_t i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		pd_strbuf_addc(b, ch < 0x20 || ch == 0x7f ? '_' : (char)ch);
	}
}

bool pd_tp_text(struct pd_tracing *t, const struct pd_tp *tp, int f,
		const uint8_t *raw, size_t size, struct pd_strbuf *b) {
	struct tep_format_field *fl = tp->fields[f];
	if (is_array(fl)) {
		const uint8_t *p;
		size_t n;
		if (!array_bytes(tp, fl, raw, size, &p, &n)) {
			return false;
		}
		add_array(b, fl, p, n);
		return true;
	}
	// Printing one field through the format may read others (a "%*d"
	// width): all of them must be there.
	if (!pd_tp_field_is_number(tp, f) || !fits(fl, size)
			|| size < tp->fixed_end) {
		return false;
	}
	if (!t->resolver_set) {
		pd_tracing_set_resolver(t);
	}
	t->sym_hit = false;
	trace_seq_reset(&t->seq);
	tep_print_field_content(&t->seq, (void *)raw, (int)size, fl);
	trace_seq_terminate(&t->seq);
	const char *s = t->seq.buffer ? t->seq.buffer : "";
	if (t->sym_hit && strchr(s, PD_TP_SYMBOL)) {
		char mark[20];
		snprintf(mark, sizeof(mark), "%c%016llx%c", PD_TP_SYMBOL,
			(unsigned long long)t->sym_addr,
			strstr(s, "+0x") ? 'S' : 's');
		pd_strbuf_adds(b, mark);
		return true;
	}
	// A %c of a hostile byte: no control characters in frames.
	add_printable(b, s);
	return true;
}

bool pd_tp_symbol_addr(const char *s, size_t len, uint64_t *addr) {
	const char *m = memchr(s, PD_TP_SYMBOL, len);
	if (!m || (size_t)(s + len - m) < 18) {
		return false;
	}
	char hex[17];
	memcpy(hex, m + 1, 16);
	hex[16] = '\0';
	*addr = strtoull(hex, NULL, 16);
	return true;
}

void pd_tp_symbol_text(struct pd_strbuf *b, const char *s, size_t len,
		const char *name, uint64_t start) {
	uint64_t addr;
	const char *m = memchr(s, PD_TP_SYMBOL, len);
	if (!m || !pd_tp_symbol_addr(s, len, &addr)) {
		pd_strbuf_add(b, s, len);
		return;
	}
	pd_strbuf_add(b, s, (size_t)(m - s));
	if (!name) {
		pd_strbuf_printf(b, "0x%llx", (unsigned long long)addr);
	} else if (m[17] == 'S') {
		pd_strbuf_printf(b, "%s+0x%llx", name,
			(unsigned long long)(addr - start));
	} else {
		pd_strbuf_adds(b, name);
	}
	pd_strbuf_add(b, m + 18, len - (size_t)(m + 18 - s));
}

// ---- task states ----

// Whether expression a reads field f (fields are matched by name:
// libtraceevent fills in arg->field.field only when it first prints).
static bool reads(const struct tep_print_arg *a, const char *f, int depth) {
	if (!a || depth > 32) {
		return false;
	}
	switch (a->type) {
	case TEP_PRINT_FIELD:
		return a->field.name && strcmp(a->field.name, f) == 0;
	case TEP_PRINT_TYPE:
		return reads(a->typecast.item, f, depth + 1);
	case TEP_PRINT_OP:
		return reads(a->op.left, f, depth + 1)
			|| reads(a->op.right, f, depth + 1);
	default:
		return false;
	}
}

// The __print_flags or __print_symbolic argument in a that shows field f.
static const struct tep_print_arg *table_for(const struct tep_print_arg *a,
		const char *f, int depth) {
	if (!a || depth > 32) {
		return NULL;
	}
	switch (a->type) {
	case TEP_PRINT_FLAGS:
		return reads(a->flags.field, f, 0) ? a : NULL;
	case TEP_PRINT_SYMBOL:
		return reads(a->symbol.field, f, 0) ? a : NULL;
	case TEP_PRINT_TYPE:
		return table_for(a->typecast.item, f, depth + 1);
	case TEP_PRINT_OP: {
		const struct tep_print_arg *x = table_for(a->op.left, f, depth + 1);
		return x ? x : table_for(a->op.right, f, depth + 1);
	}
	default:
		return NULL;
	}
}

// Finds and reads the table for field f once.
static bool states(struct pd_tp *tp, int f) {
	if (tp->states_looked && tp->states_field == f) {
		return tp->nstates > 0;
	}
	tp->states_looked = true;
	tp->states_field = f;
	tp->nstates = 0;
	tp->state_mask = 0;
	const struct tep_print_arg *a = NULL;
	int n = 0;
	for (const struct tep_print_arg *x = tp->ev->print_fmt.args;
			x && !a && n < 1024; x = x->next, n++) {
		a = table_for(x, tp->fields[f]->name, 0);
	}
	if (!a) {
		return false;
	}
	tp->states_symbolic = a->type == TEP_PRINT_SYMBOL;
	tp->state_delim = !tp->states_symbolic && a->flags.delim
		? a->flags.delim : "|";
	const struct tep_print_flag_sym *list = tp->states_symbolic
		? a->symbol.symbols : a->flags.flags;
	for (const struct tep_print_flag_sym *s = list; s && tp->nstates < 256;
			s = s->next) {
		size_t i = tp->nstates++;
		tp->state_vals = pd_xrealloc(tp->state_vals,
			tp->nstates * sizeof(*tp->state_vals));
		tp->state_names = pd_xrealloc(tp->state_names,
			tp->nstates * sizeof(*tp->state_names));
		tp->state_vals[i] = s->value ? strtoull(s->value, NULL, 0) : 0;
		tp->state_names[i] = s->str ? s->str : "?";
		tp->state_mask |= tp->state_vals[i];
	}
	return tp->nstates > 0;
}

// The kernel prints prev_state as __print_flags(state & mask, "|", {bit,
// letter}...) where no bit means "R" (running: preempted or yielding),
// and "+" for a bit above the table (TASK_REPORT_MAX: preempted).
bool pd_tp_task_state(const struct pd_tp *ctp, int f, const uint8_t *raw,
		size_t size, struct pd_strbuf *b) {
	struct pd_tp *tp = (struct pd_tp *)ctp; // the table is a cache
	uint64_t v;
	bool neg;
	if (!pd_tp_number(tp, f, raw, size, &v, &neg)) {
		return false;
	}
	if (!states(tp, f)) {
		pd_strbuf_printf(b, "%llu", (unsigned long long)v);
		return true;
	}
	if (tp->states_symbolic) {
		for (size_t i = 0; i < tp->nstates; i++) {
			if (tp->state_vals[i] == v) {
				add_printable(b, tp->state_names[i]);
				return true;
			}
		}
		pd_strbuf_printf(b, "%llu", (unsigned long long)v);
		return true;
	}
	uint64_t bits = v & tp->state_mask;
	bool first = true;
	for (size_t i = 0; i < tp->nstates && bits; i++) {
		uint64_t fv = tp->state_vals[i];
		if (fv && (bits & fv) == fv) {
			if (!first) {
				add_printable(b, tp->state_delim);
			}
			add_printable(b, tp->state_names[i]);
			bits &= ~fv;
			first = false;
		}
	}
	if (first) {
		pd_strbuf_addc(b, 'R');
	}
	if (v & ~tp->state_mask) {
		pd_strbuf_addc(b, '+');
	}
	return true;
}
