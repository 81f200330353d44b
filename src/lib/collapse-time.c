// SPDX-License-Identifier: MIT
// pd-collapse's off-CPU (--off-cpu) and wall-clock (--on-off-cpu)
// profiles: stacks weighted by time in nanoseconds, written in
// microseconds. sched:sched_switch samples give the stack a thread leaves
// the CPU with (offcpu.c charges it); on-CPU samples weigh their period.
#include <stdlib.h>
#include <string.h>

#include "collapse-internal.h"

// perf_event_attr.context_switch (bit 26 of the flags at offset 40).
#define ATTR_CONTEXT_SWITCH (1ULL << 26)

static const char off_cmd[] =
	"perf record -e sched:sched_switch --switch-events -g -- COMMAND";
static const char wall_cmd[] = "perf record -e cpu-clock "
	"-e sched:sched_switch --switch-events -g -- COMMAND";

static void charge(void *arg, uint32_t stack, uint64_t ns) {
	struct pd_collapse *c = arg;
	pd_stacks_bump(c->time, stack, 0, ns);
}

void pd_collapse_time_init(struct pd_collapse *c) {
	c->switch_ev = c->wall_ev = -1;
	c->f_state = c->f_next = -1;
	if (c->o.off_cpu || c->o.on_off_cpu) {
		c->time = pd_stacks_create(1);
		c->off = pd_offcpu_create(charge, c);
	}
}

void pd_collapse_time_finish(struct pd_collapse *c) {
	pd_stacks_destroy(c->time);
	pd_offcpu_destroy(c->off);
}

// Whether event i is sched:sched_switch: by its format, else by its name.
static bool is_switch(struct pd_collapse *c, struct pd_perf *r, size_t i,
		struct pd_tp **tp) {
	const struct pd_event *e = pd_perf_event(r, i);
	*tp = NULL;
	if (e->type != PD_TYPE_TRACEPOINT) {
		return false;
	}
	*tp = pd_tracing_tp(c->tracing, e->config);
	if (*tp) {
		return strcmp(pd_tp_system(*tp), "sched") == 0
			&& strcmp(pd_tp_name(*tp), "sched_switch") == 0;
	}
	return pd_collapse_event_matches(c, r, i, "sched:sched_switch");
}

static bool is_clock(const struct pd_event *e) {
	return e->type == PD_TYPE_SOFTWARE && e->config <= 1; // cpu/task-clock
}

// The on-CPU event: the one --event names, else the first clock event.
static bool is_wall(struct pd_collapse *c, struct pd_perf *r, size_t i) {
	if (c->o.event) {
		return pd_collapse_event_matches(c, r, i, c->o.event);
	}
	return is_clock(pd_perf_event(r, i));
}

static enum pd_kind kind_of(struct pd_collapse *c, struct pd_perf *r, int ev) {
	if (c->kinds[ev] != PD_KIND_UNKNOWN) {
		return c->kinds[ev];
	}
	enum pd_kind k = PD_KIND_OTHER;
	struct pd_tp *tp;
	if (is_switch(c, r, (size_t)ev, &tp)) {
		k = PD_KIND_SWITCH;
		if (c->switch_ev < 0) {
			c->switch_ev = ev;
		}
		if (!c->switch_tp && tp) {
			c->switch_tp = tp;
			c->f_state = pd_tp_field(tp, "prev_state");
			c->f_next = pd_tp_field(tp, "next_pid");
		}
	} else if (c->o.on_off_cpu && c->wall_ev < 0 && is_wall(c, r, (size_t)ev)) {
		c->wall_ev = ev;
		k = PD_KIND_WALL;
	}
	c->kinds[ev] = (unsigned char)k;
	return k;
}

// A thread leaves the CPU: the stack it leaves with (with [off-cpu] or
// its state at the leaf, then any --field frames) waits for its charge;
// the thread switched in runs again.
static void switch_sample(struct pd_collapse *c, struct pd_perf *r,
		const struct pd_sample *s) {
	struct pd_tp *tp = c->switch_tp;
	c->st.samples++;
	struct pd_strbuf *b = &c->state;
	b->len = 0;
	pd_strbuf_addc(b, '[');
	bool state = tp && c->f_state >= 0 && pd_tp_task_state(tp, c->f_state,
		s->raw, s->raw_size, b);
	// X (dead) and Z (zombie): the thread's last switch, not a wait.
	bool dead = state && (b->s[1] == 'X' || b->s[1] == 'Z');
	uint32_t stack = 0;
	if (s->tid != 0 && !dead) {
		uint32_t x[PD_EXTRA_MAX];
		size_t nx = 0;
		if (c->o.nfields) {
			const struct pd_collapse_use *u = pd_collapse_use(c, r, s->event);
			if (u->why == PD_USE_OK) {
				nx = pd_collapse_field_frames(c, u, s, x);
			}
		}
		if (c->o.task_state) {
			if (!state) {
				b->len = 1;
				pd_strbuf_addc(b, '?');
			}
			pd_strbuf_addc(b, ']');
			x[nx++] = pd_collapse_named(c, b->s, b->len);
		} else if (c->o.on_off_cpu) {
			x[nx++] = pd_collapse_named(c, "[off-cpu]", 9);
		}
		stack = pd_collapse_fold(c, r, s, c->time, x, nx, 0);
	}
	pd_offcpu_out(c->off, s->tid, s->time, stack, dead);
	uint64_t next;
	bool neg;
	if (tp && c->f_next >= 0 && pd_tp_number(tp, c->f_next, s->raw,
			s->raw_size, &next, &neg) && !neg && next <= UINT32_MAX) {
		pd_offcpu_in(c->off, (uint32_t)next, s->time);
	}
}

void pd_collapse_time_sample(struct pd_collapse *c, struct pd_perf *r,
		const struct pd_sample *s) {
	pd_offcpu_time(c->off, s->time);
	switch (kind_of(c, r, s->event)) {
	case PD_KIND_SWITCH:
		switch_sample(c, r, s);
		break;
	case PD_KIND_WALL:
		if (c->o.on_off_cpu) {
			c->st.samples++;
			pd_collapse_fold(c, r, s, c->time, NULL, 0, s->period);
		}
		break;
	default:
		break;
	}
}

void pd_collapse_time_record(void *arg, struct pd_perf *r,
		const struct pd_record *rec) {
	struct pd_collapse *c = arg;
	pd_offcpu_record(c->off, rec);
}

enum pd_status pd_collapse_time_select(struct pd_collapse *c,
		struct pd_perf *r) {
	if (!c->o.event) {
		return PD_OK;
	}
	for (size_t i = 0; i < pd_perf_nevents(r); i++) {
		if (pd_collapse_event_matches(c, r, i, c->o.event)) {
			return PD_OK;
		}
	}
	return PD_EUSAGE;
}

// What the recording lacks for the off-CPU profile, said with the perf
// command that records it.
static enum pd_status check_switch(struct pd_collapse *c, struct pd_perf *r) {
	const char *name = pd_perf_name(r);
	const char *cmd = c->o.on_off_cpu ? wall_cmd : off_cmd;
	const char *opt = c->o.on_off_cpu ? "--on-off-cpu" : "--off-cpu";
	int sw = -1;
	struct pd_tp *tp = NULL;
	bool switch_records = false;
	for (size_t i = 0; i < pd_perf_nevents(r); i++) {
		struct pd_tp *t;
		if (sw < 0 && is_switch(c, r, i, &t)) {
			sw = (int)i;
			tp = t;
		}
		switch_records |= pd_perf_event(r, i)->flags & ATTR_CONTEXT_SWITCH;
	}
	if (sw < 0) {
		warnx("%s: no sched:sched_switch event: %s needs its samples, "
			"with stacks; record them with: %s", name, opt, cmd);
		return PD_EUSAGE;
	}
	if (c->switch_ev < 0) {
		c->switch_ev = sw; // for the --field check, even without samples
	}
	enum pd_status st = pd_collapse_tracing_problem(c, r, !tp);
	if (st != PD_OK) {
		return st;
	}
	if (!tp) {
		warnx("%s: sched:sched_switch: the recording has no format for "
			"this tracepoint", name);
		return PD_EDATA;
	}
	uint64_t t = pd_perf_event(r, (size_t)sw)->sample_type;
	if (!(t & PD_SAMPLE_CALLCHAIN) && !(t & PD_SAMPLE_STACK_USER)) {
		warnx("%s: sched:sched_switch samples have no stacks; record "
			"them with: %s (or --call-graph dwarf for -g)", name, cmd);
		return PD_EUSAGE;
	}
	if (pd_perf_event(r, (size_t)sw)->flags & PD_ATTR_FREQ) {
		// perf record -F applies to tracepoints too: the kernel then
		// samples switches at that rate, not each one.
		warnx("%s: sched:sched_switch was sampled at a frequency (perf "
			"record -F): switches may be missing; record it without -F",
			name);
	}
	// Without switch records, a system-wide recording sees every thread
	// switched back in by a sched_switch naming it; one of a process does
	// not, and its threads leave the CPU again without being seen back.
	// Only a system-wide one sees the idle task leave the CPU: then
	// threads not seen back are lost events (the summary counts them).
	const struct pd_offcpu_stats *os = pd_offcpu_stats(c->off);
	if (!switch_records && os->out && os->idle == 0 && (os->charged == 0
			|| os->replaced > os->charged)) {
		warnx("%s: nothing says when threads ran again (no switch "
			"events, not system-wide); record with: %s (or -a for "
			"--switch-events)", name, cmd);
		return PD_EUSAGE;
	}
	return PD_OK;
}

enum pd_status pd_collapse_time_check(struct pd_collapse *c,
		struct pd_perf *r) {
	enum pd_status st = check_switch(c, r);
	if (st != PD_OK || !c->o.on_off_cpu) {
		return st;
	}
	const char *name = pd_perf_name(r);
	if (c->wall_ev < 0) {
		warnx("%s: no %s samples beside sched:sched_switch: --on-off-cpu "
			"needs them; record them with: %s", name,
			c->o.event ? c->o.event : "cpu-clock", wall_cmd);
		return PD_EUSAGE;
	}
	const struct pd_event *e = pd_perf_event(r, (size_t)c->wall_ev);
	if (!is_clock(e)) {
		warnx("%s: %s: --on-off-cpu weighs on-CPU samples by their period "
			"in nanoseconds: it needs cpu-clock or task-clock",
			name, e->name);
		return PD_EUSAGE;
	}
	return PD_OK;
}

void pd_collapse_time_write(struct pd_collapse *c, FILE *out) {
	pd_offcpu_finish(c->off);
	c->st.off_at_end = pd_offcpu_stats(c->off)->at_end;
	c->st.overflowed |= pd_stacks_overflowed(c->time);
	// Stacks never charged go; the writer turns each line's nanoseconds
	// into microseconds.
	struct pd_stacks *charged = pd_stacks_create(1);
	for (uint32_t i = 0; i < pd_stacks_size(c->time); i++) {
		uint64_t ns = pd_stacks_weights(c->time, i)[0];
		if (ns) {
			size_t n;
			const uint32_t *ids = pd_stacks_ids(c->time, i, &n);
			pd_stacks_push(charged, ids, n, &ns);
		}
	}
	pd_collapse_write_table(c, charged, 1000, out);
	pd_stacks_destroy(charged);
}
