// SPDX-License-Identifier: MIT
// pd-collapse's engine: event selection and one stack table per event.
#include "collapse.h"

#include <stdlib.h>
#include <string.h>

#include "chain-memo.h"
#include "dispatch.h"
#include "locations.h"
#include "sample-stack.h"
#include "stacks.h"
#include "summary.h"
#include "alloc.h"
#include "bytes.h"

struct pd_collapse {
	struct pd_collapse_options o;
	struct pd_symbols *syms;
	struct pd_maps *maps;
	struct pd_locations *locs;
	struct pd_sample_stack *stack;
	struct pd_chain_memo *memo;
	const char **comms; // comm number -> interned name
	size_t ncomms, comms_cap;
	struct pd_stacks **ev; // per event, made when it has samples
	uint64_t *ev_samples;
	size_t nev;
	int first_event, selected;
	uint32_t *key;
	struct pd_collapse_stats st;
	// pd_collapse_read's progress callback
	void (*progress)(void *arg, struct pd_perf *r, uint64_t samples);
	void *progress_arg;
};

struct pd_collapse *pd_collapse_create(const struct pd_collapse_options *o,
		struct pd_symbols *syms, struct pd_maps *maps) {
	struct pd_collapse *c = pd_xcalloc(1, sizeof(*c));
	c->o = *o;
	c->syms = syms;
	c->maps = maps;
	c->locs = pd_locations_create(syms);
	c->stack = pd_sample_stack_create(c->locs, syms, o->max_stack);
	c->memo = pd_chain_memo_create();
	c->first_event = c->selected = -1;
	c->key = pd_xmalloc((PD_STACK_ROOT + PD_STACK_MAX) * sizeof(*c->key));
	return c;
}

void pd_collapse_destroy(struct pd_collapse *c) {
	if (!c) {
		return;
	}
	pd_locations_destroy(c->locs);
	pd_sample_stack_destroy(c->stack);
	pd_chain_memo_destroy(c->memo);
	free(c->comms);
	for (size_t i = 0; i < c->nev; i++) {
		pd_stacks_destroy(c->ev[i]);
	}
	free(c->ev);
	free(c->ev_samples);
	free(c->key);
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
	// Long tail: a linear scan is fine, comms are few.
	for (size_t i = 0; i < c->ncomms; i++) {
		if (c->comms[i] == comm) {
			return (uint32_t)i;
		}
	}
	pd_xgrow(&c->comms, &c->comms_cap, c->ncomms + 1, sizeof(*c->comms));
	c->comms[c->ncomms] = comm;
	return (uint32_t)c->ncomms++;
}

static struct pd_stacks *stacks_for(struct pd_collapse *c, int ev) {
	if ((size_t)ev >= c->nev) {
		size_t n = (size_t)ev + 1;
		c->ev = pd_xrealloc(c->ev, n * sizeof(*c->ev));
		c->ev_samples = pd_xrealloc(c->ev_samples, n * sizeof(*c->ev_samples));
		memset(c->ev + c->nev, 0, (n - c->nev) * sizeof(*c->ev));
		memset(c->ev_samples + c->nev, 0,
			(n - c->nev) * sizeof(*c->ev_samples));
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

static void sample(void *arg, struct pd_perf *r, const struct pd_sample *s) {
	struct pd_collapse *c = arg;
	struct pd_stacks *st = stacks_for(c, s->event);
	c->ev_samples[s->event]++;
	if (!want_event(c, r, s->event)) {
		return;
	}
	c->st.samples++;
	struct pd_proc *proc = pd_maps_proc(c->maps, s->pid);
	struct pd_chain_key mk = {proc, pd_maps_comm(c->maps, s->pid, s->tid),
		s->misc & PD_MISC_CPUMODE_MASK};
	uint64_t weight = c->o.period ? s->period : 1;
	struct pd_chain_memo_slot *m = NULL;
	uint32_t stack;
	if (s->ips && s->nr && s->nr <= PD_CHAIN_MEMO_MAX
			&& !pd_unwind_has_dump(s)) {
		m = pd_chain_memo_slot(c->memo, s);
		if (pd_chain_memo_hit(m, s, &mk, &stack)) {
			pd_stacks_bump(st, stack, 0, weight);
			return;
		}
	}
	uint32_t *key = c->key;
	key[0] = comm_index(c, mk.comm);
	key[1] = c->o.out.pid || c->o.out.tid ? s->pid : 0;
	key[2] = c->o.out.tid ? s->tid : 0;
	size_t n = pd_sample_stack_get(c->stack, r, proc, s,
		key + PD_STACK_ROOT);
	c->st.no_stack += n == 0;
	stack = pd_stacks_add(st, key, PD_STACK_ROOT + n, &weight);
	if (m && n > 0) {
		pd_chain_memo_store(m, s, &mk, stack);
	}
}

static void progress(void *arg, struct pd_perf *r) {
	struct pd_collapse *c = arg;
	c->progress(c->progress_arg, r, c->st.samples);
}

enum pd_status pd_collapse_read(struct pd_collapse *c, struct pd_perf *r,
		struct pd_maps *maps,
		void (*progress_fn)(void *arg, struct pd_perf *r, uint64_t samples),
		void *arg) {
	c->progress = progress_fn;
	c->progress_arg = arg;
	struct pd_dispatch_ops ops = {sample, lost,
		progress_fn ? progress : NULL};
	return pd_dispatch(r, maps, &ops, c);
}

static bool name_matches(const char *name, const char *want) {
	if (strcmp(name, want) == 0) {
		return true;
	}
	// "cpu-clock" matches "cpu-clock:u" and "cpu-clock:ppp".
	size_t n = strlen(want);
	return strncmp(name, want, n) == 0 && name[n] == ':';
}

enum pd_status pd_collapse_select(struct pd_collapse *c, struct pd_perf *r) {
	if (!c->o.event) {
		c->selected = c->first_event;
		return PD_OK;
	}
	for (size_t i = 0; i < pd_perf_nevents(r); i++) {
		if (name_matches(pd_perf_event(r, i)->name, c->o.event)) {
			c->selected = (int)i;
			return PD_OK;
		}
	}
	return PD_EUSAGE;
}

void pd_collapse_write(struct pd_collapse *c, FILE *out) {
	if (c->selected < 0 || (size_t)c->selected >= c->nev
			|| !c->ev[c->selected]) {
		// Nothing to write; the loader thread stops all the same, as
		// the summary reads what it wrote.
		pd_locations_resolve_files(c->locs);
		return;
	}
	if (!pd_folded_write(out, c->ev[c->selected], 0, c->locs, c->comms,
			&c->o.out)) {
		c->st.overflowed = true;
	}
}

void pd_collapse_list_events(struct pd_collapse *c, struct pd_perf *r,
		FILE *out) {
	pd_summary_list_events(out, r, c->ev_samples, c->nev);
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
	};
	pd_summary_print(&s, pd_perf_name(r), syms, verbose);
}
