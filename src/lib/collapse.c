// SPDX-License-Identifier: MIT
// pd-collapse's engine: event selection and one stack table per event;
// tracepoint fields as weights and leaf frames (collapse-time.c adds the
// off-CPU and wall-clock profiles).
#include "collapse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collapse-internal.h"
#include "summary.h"
#include "alloc.h"
#include "bytes.h"

static bool loading(void *syms) {
	return pd_symbols_loading(syms);
}

struct pd_collapse *pd_collapse_create(const struct pd_collapse_options *o,
		struct pd_symbols *syms, struct pd_maps *maps) {
	struct pd_collapse *c = pd_xcalloc(1, sizeof(*c));
	c->o = *o;
	c->syms = syms;
	c->maps = maps;
	c->locs = pd_locations_create(syms, o->out.addrs);
	c->stack = pd_sample_stack_create(c->locs, syms, o->max_stack);
	c->memo = pd_chain_memo_create();
	c->first_event = c->selected = -1;
	c->key = pd_xmalloc((PD_STACK_ROOT + PD_EXTRA_MAX + PD_STACK_MAX)
		* sizeof(*c->key));
	c->tracing = pd_tracing_create();
	c->named = pd_texts_create();
	c->extra_seqs = pd_stacks_create(1);
	pd_collapse_time_init(c);
	_Static_assert(PD_CHAIN_MEMO_SLOTS <= PD_ADDER_SLOTS,
		"a memo slot's number is an adder slot");
	_Static_assert(PD_STACK_ROOT + PD_EXTRA_MAX + PD_STACK_MAX
		<= PD_ADDER_IDS_MAX, "a stack fits the adder");
	if (!c->time) { // (whose stack numbers are used as they are made)
		c->adder = pd_adder_create(loading, syms);
	}
	return c;
}

void pd_collapse_cache_save(struct pd_collapse *c) {
	pd_sample_stack_cache_save(c->stack);
}

void pd_collapse_destroy(struct pd_collapse *c) {
	if (!c) {
		return;
	}
	pd_adder_destroy(c->adder); // before the tables it adds to
	pd_locations_destroy(c->locs);
	pd_sample_stack_destroy(c->stack);
	pd_chain_memo_destroy(c->memo);
	free(c->comms);
	pd_map64_free(&c->comm_of);
	for (size_t i = 0; i < c->nev; i++) {
		pd_stacks_destroy(c->ev[i]);
		free(c->uses[i].fields);
	}
	free(c->ev);
	free(c->ev_samples);
	free(c->uses);
	free(c->kinds);
	free(c->key);
	pd_collapse_time_finish(c);
	pd_stacks_destroy(c->extra_seqs);
	pd_texts_destroy(c->named);
	pd_tracing_destroy(c->tracing);
	pd_strbuf_finish(&c->text);
	pd_strbuf_finish(&c->state);
	pd_strbuf_finish(&c->field);
	free(c);
}

const struct pd_collapse_stats *pd_collapse_stats(struct pd_collapse *c) {
	c->st.overflowed |= c->selected >= 0 && (size_t)c->selected < c->nev
		&& c->ev[c->selected] && pd_stacks_overflowed(c->ev[c->selected]);
	return &c->st;
}

static uint32_t comm_index(struct pd_collapse *c, const char *comm) {
	for (size_t i = c->ncomms; i-- > 0;) {
		if (c->comms[i] == comm) {
			return (uint32_t)i;
		}
		if (c->ncomms - i > 64) {
			break;
		}
	}
	// Past the last 64: by name (a file may hold any number of comms).
	const uint64_t *known = pd_map64_find(&c->comm_of, (uintptr_t)comm);
	if (known) {
		return (uint32_t)(*known - 1);
	}
	pd_xgrow(&c->comms, &c->comms_cap, c->ncomms + 1, sizeof(*c->comms));
	c->comms[c->ncomms] = comm;
	pd_map64_insert(&c->comm_of, (uintptr_t)comm, c->ncomms + 1);
	return (uint32_t)c->ncomms++;
}

static struct pd_stacks *stacks_for(struct pd_collapse *c, int ev) {
	if ((size_t)ev >= c->nev) {
		size_t n = (size_t)ev + 1, old = c->nev;
		c->ev = pd_xrealloc(c->ev, n * sizeof(*c->ev));
		c->ev_samples = pd_xrealloc(c->ev_samples, n * sizeof(*c->ev_samples));
		c->uses = pd_xrealloc(c->uses, n * sizeof(*c->uses));
		c->kinds = pd_xrealloc(c->kinds, n * sizeof(*c->kinds));
		memset(c->ev + old, 0, (n - old) * sizeof(*c->ev));
		memset(c->ev_samples + old, 0, (n - old) * sizeof(*c->ev_samples));
		memset(c->uses + old, 0, (n - old) * sizeof(*c->uses));
		memset(c->kinds + old, 0, (n - old) * sizeof(*c->kinds));
		c->nev = n;
	}
	if (!c->ev[ev]) {
		c->ev[ev] = pd_stacks_create(1);
	}
	return c->ev[ev];
}

static void lost(void *arg, const struct pd_record *rec) {
	struct pd_collapse *c = arg;
	if (rec->type == PD_REC_LOST && rec->size >= 24) {
		c->st.lost += pd_get_u64(rec->data + 16);
	} else if (rec->type == PD_REC_LOST_SAMPLES && rec->size >= 16) {
		c->st.lost_samples += pd_get_u64(rec->data + 8);
	}
}

static bool want_event(struct pd_collapse *c, struct pd_perf *r, int ev) {
	if (c->first_event < 0) {
		c->first_event = ev;
	}
	if (!c->o.event) {
		return ev == c->first_event;
	}
	if (c->selected < 0 && pd_collapse_select(c, r) != PD_OK) {
		c->selected = -2; // unknown yet: fold all, choose at the end
	}
	return c->selected < 0 || ev == c->selected;
}

uint32_t pd_collapse_named(struct pd_collapse *c, const char *s, size_t len) {
	// Folded text has no escapes: ';' would split the frame.
	c->text.len = 0;
	for (size_t i = 0; i < len; i++) {
		pd_strbuf_addc(&c->text, s[i] == ';' ? ':' : s[i]);
	}
	return PD_STACK_NAMED | pd_texts_id(c->named, c->text.s, c->text.len);
}

uint32_t pd_collapse_fold(struct pd_collapse *c, struct pd_perf *r,
		const struct pd_sample *s, struct pd_stacks *st, const uint32_t *x,
		size_t nx, uint64_t weight) {
	struct pd_proc *proc = pd_maps_proc(c->maps, s->pid);
	int mode = s->misc & PD_MISC_CPUMODE_MASK;
	bool memo = true;
	if (nx) {
		// The pseudo-frames are part of what a remembered chain means.
		uint64_t zero = 0;
		uint32_t seq = pd_stacks_add(c->extra_seqs, x, nx, &zero);
		memo = seq < 1u << 24; // beyond, seq does not fit in the key
		if (memo) {
			mode |= (int)(seq + 1) << 3;
		}
	}
	struct pd_chain_key mk = {proc, pd_maps_comm(c->maps, s->pid, s->tid),
		mode};
	struct pd_chain_memo_slot *m = NULL;
	uint32_t stack;
	if (memo && s->ips && s->nr && s->nr <= PD_CHAIN_MEMO_MAX
			&& !pd_unwind_has_dump(s)) {
		m = pd_chain_memo_slot(c->memo, s);
		if (pd_chain_memo_hit(m, s, &mk, &stack)) {
			if (c->adder) {
				pd_adder_bump(c->adder, st, stack, weight);
			} else {
				pd_stacks_bump(st, stack, 0, weight);
			}
			return stack;
		}
	}
	uint32_t *key = c->key;
	key[0] = comm_index(c, mk.comm);
	key[1] = c->o.out.pid || c->o.out.tid ? s->pid : 0;
	key[2] = c->o.out.tid ? s->tid : 0;
	if (nx) {
		memcpy(key + PD_STACK_ROOT, x, nx * sizeof(*x));
	}
	size_t n = pd_sample_stack_get(c->stack, r, proc, s,
		key + PD_STACK_ROOT + nx);
	c->st.no_stack += n == 0;
	bool keep = m && n > 0;
	if (c->adder) {
		// The memo keeps its slot's number: the adder keeps the stack.
		stack = keep ? pd_chain_memo_index(c->memo, m) : PD_ADDER_SLOTS;
		pd_adder_add(c->adder, st, key, PD_STACK_ROOT + nx + n, weight,
			stack);
	} else {
		stack = pd_stacks_add(st, key, PD_STACK_ROOT + nx + n, &weight);
	}
	if (keep) {
		pd_chain_memo_store(m, s, &mk, stack);
	}
	return stack;
}

// ---- tracepoint fields ----

struct pd_collapse_use *pd_collapse_use(struct pd_collapse *c,
		struct pd_perf *r, int ev) {
	stacks_for(c, ev);
	struct pd_collapse_use *u = &c->uses[ev];
	if (u->done) {
		return u;
	}
	u->done = true;
	u->weight = -1;
	const struct pd_event *e = pd_perf_event(r, (size_t)ev);
	if (e->type != PD_TYPE_TRACEPOINT) {
		u->why = PD_USE_NOT_TRACEPOINT;
		return u;
	}
	u->tp = pd_tracing_tp(c->tracing, e->config);
	if (!u->tp) {
		u->why = PD_USE_NO_FORMAT;
		return u;
	}
	u->fields = pd_xcalloc(c->o.nfields + 1, sizeof(*u->fields));
	for (size_t i = 0; i < c->o.nfields; i++) {
		u->fields[i] = pd_tp_field(u->tp, c->o.fields[i]);
		if (u->fields[i] < 0) {
			u->why = PD_USE_NO_FIELD;
			u->missing = c->o.fields[i];
			return u;
		}
	}
	if (c->o.weight_field) {
		u->weight = pd_tp_field(u->tp, c->o.weight_field);
		if (u->weight < 0) {
			u->why = PD_USE_NO_FIELD;
			u->missing = c->o.weight_field;
		} else if (!pd_tp_field_is_number(u->tp, u->weight)) {
			u->why = PD_USE_NOT_NUMBER;
			u->missing = c->o.weight_field;
		}
	}
	return u;
}

size_t pd_collapse_field_frames(struct pd_collapse *c,
		const struct pd_collapse_use *u, const struct pd_sample *s,
		uint32_t *x) {
	size_t nx = 0;
	bool bad = false;
	struct pd_strbuf *b = &c->field;
	// Leaf first: the last field asked for is the leaf.
	for (size_t i = c->o.nfields; i-- > 0;) {
		b->len = 0;
		pd_strbuf_adds(b, c->o.fields[i]);
		pd_strbuf_addc(b, '=');
		if (!pd_tp_text(c->tracing, u->tp, u->fields[i], s->raw,
				s->raw_size, b)) {
			pd_strbuf_addc(b, '?');
			bad = true;
		}
		x[nx++] = pd_collapse_named(c, b->s, b->len);
	}
	c->st.field_bad += bad;
	return nx;
}

static void sample(void *arg, struct pd_perf *r, const struct pd_sample *s) {
	struct pd_collapse *c = arg;
	struct pd_stacks *st = stacks_for(c, s->event);
	c->ev_samples[s->event]++;
	if (c->time) {
		pd_collapse_time_sample(c, r, s);
		return;
	}
	if (!want_event(c, r, s->event)) {
		return;
	}
	c->st.samples++;
	uint64_t weight = c->o.period ? s->period : 1;
	uint32_t x[PD_EXTRA_MAX];
	size_t nx = 0;
	if (c->o.weight_field || c->o.nfields) {
		const struct pd_collapse_use *u = pd_collapse_use(c, r, s->event);
		if (u->why != PD_USE_OK) {
			return; // pd_collapse_check says why, if it is the one
		}
		bool neg;
		if (u->weight >= 0 && (!pd_tp_number(u->tp, u->weight, s->raw,
				s->raw_size, &weight, &neg) || neg)) {
			c->st.weight_bad++;
			return;
		}
		nx = pd_collapse_field_frames(c, u, s, x);
	}
	pd_collapse_fold(c, r, s, st, x, nx, weight);
}

static void progress(void *arg, struct pd_perf *r) {
	struct pd_collapse *c = arg;
	c->progress(c->progress_arg, r, c->st.samples);
}

static bool wants_tracing(const struct pd_collapse *c) {
	return c->o.weight_field || c->o.nfields || c->o.off_cpu
		|| c->o.on_off_cpu || c->o.list_events;
}

static void tracing_data(void *arg, const uint8_t *blob, size_t len,
		uint64_t off) {
	struct pd_collapse *c = arg;
	if (wants_tracing(c)) {
		pd_tracing_read(c->tracing, blob, len, off);
	}
}

enum pd_status pd_collapse_read(struct pd_collapse *c, struct pd_perf *r,
		struct pd_maps *maps,
		void (*progress_fn)(void *arg, struct pd_perf *r, uint64_t samples),
		void *arg) {
	c->progress = progress_fn;
	c->progress_arg = arg;
	pd_perf_set_tracing_callback(r, tracing_data, c);
	struct pd_dispatch_ops ops = {sample, lost,
		progress_fn ? progress : NULL,
		c->time ? pd_collapse_time_record : NULL};
	enum pd_status st = pd_dispatch(r, maps, &ops, c);
	if (c->adder) {
		pd_adder_wait(c->adder);
	}
	return st;
}

static bool name_matches(const char *name, const char *want) {
	if (strcmp(name, want) == 0) {
		return true;
	}
	// "cpu-clock" matches "cpu-clock:u" and "cpu-clock:ppp".
	size_t n = strlen(want);
	return strncmp(name, want, n) == 0 && name[n] == ':';
}

const char *pd_collapse_event_name(struct pd_collapse *c, struct pd_perf *r,
		size_t i) {
	const struct pd_event *e = pd_perf_event(r, i);
	// perf names a tracepoint without a name record "type2:0x..."-like:
	// the tracing data knows it as system:name.
	if (e->type == PD_TYPE_TRACEPOINT && strncmp(e->name, "type2:", 6) == 0) {
		struct pd_tp *tp = pd_tracing_tp(c->tracing, e->config);
		if (tp) {
			c->text.len = 0;
			pd_strbuf_printf(&c->text, "%s:%s", pd_tp_system(tp),
				pd_tp_name(tp));
			return c->text.s;
		}
	}
	return e->name;
}

bool pd_collapse_event_matches(struct pd_collapse *c, struct pd_perf *r,
		size_t i, const char *want) {
	return name_matches(pd_collapse_event_name(c, r, i), want);
}

enum pd_status pd_collapse_select(struct pd_collapse *c, struct pd_perf *r) {
	if (c->time) {
		return pd_collapse_time_select(c, r);
	}
	if (!c->o.event) {
		c->selected = c->first_event;
		return PD_OK;
	}
	for (size_t i = 0; i < pd_perf_nevents(r); i++) {
		if (pd_collapse_event_matches(c, r, i, c->o.event)) {
			c->selected = (int)i;
			return PD_OK;
		}
	}
	return PD_EUSAGE;
}

// The tracing data's problem for a feature that needs it, reported.
enum pd_status pd_collapse_tracing_problem(struct pd_collapse *c,
		struct pd_perf *r, bool tp_missing) {
	uint64_t off;
	const char *why = pd_tracing_problem(c->tracing, &off);
	if (!why && tp_missing) {
		why = pd_tracing_format_problem(c->tracing, &off);
	}
	if (why) {
		pd_perf_error(r, off, "%s", why);
		return PD_EDATA;
	}
	return PD_OK;
}

// Says why event ev cannot give --field or --weight=FIELD.
static enum pd_status check_fields(struct pd_collapse *c, struct pd_perf *r,
		int ev) {
	if (ev < 0 || (!c->o.weight_field && !c->o.nfields)) {
		return PD_OK;
	}
	const struct pd_collapse_use *u = pd_collapse_use(c, r, ev);
	enum pd_status st = pd_collapse_tracing_problem(c, r, !u->tp);
	if (st != PD_OK) {
		return st;
	}
	const char *name = pd_collapse_event_name(c, r, (size_t)ev);
	// The option at fault, as it was given.
	char opt[128];
	const char *f = u->missing ? u->missing : c->o.weight_field
		? c->o.weight_field : c->o.fields[0];
	snprintf(opt, sizeof(opt), f == c->o.weight_field ? "--weight=%s"
		: "--field %s", f);
	switch (u->why) {
	case PD_USE_OK:
		return PD_OK;
	case PD_USE_NOT_TRACEPOINT:
		warnx("%s: %s: %s is no tracepoint, it has no fields%s",
			pd_perf_name(r), opt, name, c->o.weight_field == f
			? " (expected 'samples', 'period' or a tracepoint field)" : "");
		return PD_EUSAGE;
	case PD_USE_NO_FORMAT:
		warnx("%s: %s: the recording has no format for this tracepoint",
			pd_perf_name(r), name);
		return PD_EDATA;
	case PD_USE_NO_FIELD:
		warnx("%s: %s: %s has no such field (see --list-events --verbose)",
			pd_perf_name(r), opt, name);
		return PD_EUSAGE;
	default:
		warnx("%s: %s: this field of %s is not a number", pd_perf_name(r),
			opt, name);
		return PD_EUSAGE;
	}
}

enum pd_status pd_collapse_check(struct pd_collapse *c, struct pd_perf *r) {
	if (c->time) {
		enum pd_status st = pd_collapse_time_check(c, r);
		return st != PD_OK ? st : check_fields(c, r, c->switch_ev);
	}
	return check_fields(c, r, c->selected);
}

// The texts of the pseudo-frames, kernel symbols named now (the loader
// thread is done with them): an array the caller frees with free_named.
static char **named_texts(struct pd_collapse *c) {
	size_t n = pd_texts_count(c->named);
	char **v = pd_xmalloc((n + 1) * sizeof(*v));
	struct pd_strbuf b = {0};
	pd_symbols_warm_finish(c->syms);
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *s = pd_texts_get(c->named, i, &len);
		uint64_t addr, start = 0;
		if (!pd_tp_symbol_addr(s, len, &addr)) {
			v[i] = pd_xstrndup(s, len);
			continue;
		}
		const char *name;
		if (!pd_tracing_kernel_symbol(c->tracing, addr, &name, &start)) {
			name = pd_symbols_kernel_symbol(c->syms, addr, &start);
		}
		b.len = 0;
		pd_tp_symbol_text(&b, s, len, name, start);
		v[i] = pd_xstrndup(b.s, b.len);
	}
	pd_strbuf_finish(&b);
	return v;
}

static void free_named(struct pd_collapse *c, char **v) {
	for (size_t i = 0; i < pd_texts_count(c->named); i++) {
		free(v[i]);
	}
	free(v);
}

void pd_collapse_write_table(struct pd_collapse *c, struct pd_stacks *s,
		uint64_t unit, FILE *out) {
	if (pd_stacks_size(s) == 0) {
		return; // (folded-write would hand fwrite a NULL buffer)
	}
	struct pd_folded_options o = c->o.out;
	o.unit = unit;
	char **named = named_texts(c);
	o.named = (const char *const *)named;
	pd_locations_seal(c->locs);
	if (!pd_folded_write(out, s, 0, c->locs, c->comms, &o)) {
		c->st.overflowed = true;
	}
	free_named(c, named);
}

void pd_collapse_write(struct pd_collapse *c, FILE *out) {
	if (c->time) {
		pd_collapse_time_write(c, out);
		return;
	}
	if (c->selected < 0 || (size_t)c->selected >= c->nev
			|| !c->ev[c->selected]) {
		// Nothing to write; the loader thread stops all the same, as
		// the summary reads what it wrote.
		pd_locations_resolve_files(c->locs);
		return;
	}
	pd_collapse_write_table(c, c->ev[c->selected], 1, out);
}

void pd_collapse_list_events(struct pd_collapse *c, struct pd_perf *r,
		FILE *out) {
	for (size_t i = 0; i < pd_perf_nevents(r); i++) {
		fprintf(out, "%s %llu\n", pd_collapse_event_name(c, r, i),
			(unsigned long long)(i < c->nev ? c->ev_samples[i] : 0));
		const struct pd_event *e = pd_perf_event(r, i);
		struct pd_tp *tp = e->type == PD_TYPE_TRACEPOINT
			? pd_tracing_tp(c->tracing, e->config) : NULL;
		if (c->o.list_fields && tp) {
			pd_tp_list_fields(tp, out);
		}
	}
}

void pd_collapse_summary(struct pd_collapse *c, struct pd_perf *r,
		struct pd_symbols *syms, bool verbose) {
	const struct pd_collapse_stats *st = pd_collapse_stats(c);
	struct pd_summary s = {
		.samples = st->samples,
		.no_stack = st->no_stack,
		.lost = st->lost,
		.lost_samples = st->lost_samples,
		.unknown = pd_perf_unknown_records(r),
		.overflowed = st->overflowed,
		.unwind = pd_sample_stack_stats(c->stack),
		.frames = pd_locations_stats(c->locs),
		.field_bad = st->field_bad,
		.weight_bad = st->weight_bad,
	};
	if (c->time) {
		s.counts = c->o.on_off_cpu ? "counts are microseconds, on and off "
			"CPU" : "counts are microseconds off CPU";
		s.off_at_end = st->off_at_end;
	}
	pd_summary_print(&s, pd_perf_name(r), syms, verbose);
}
