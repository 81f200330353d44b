// SPDX-License-Identifier: MIT
// Off-CPU accounting: the pending switch-out of each thread, charged at
// its switch-in (record layouts: include/uapi/linux/perf_event.h).
#include "offcpu.h"

#include <stdlib.h>

#include "alloc.h"
#include "bytes.h"
#include "hash.h"

struct pending {
	uint64_t time;
	uint32_t stack;
	bool off;  // switched out, not yet back
	bool gone; // exited (PERF_RECORD_EXIT), until a FORK makes it again
};

struct pd_offcpu {
	pd_offcpu_charge_fn charge;
	void *arg;
	struct pending *v;
	size_t n, cap;
	struct pd_map64 of;  // tid + 1 -> index in v
	uint64_t end;        // the last time seen
	bool finished;
	struct pd_offcpu_stats st;
};

struct pd_offcpu *pd_offcpu_create(pd_offcpu_charge_fn charge, void *arg) {
	struct pd_offcpu *o = pd_xcalloc(1, sizeof(*o));
	o->charge = charge;
	o->arg = arg;
	return o;
}

void pd_offcpu_destroy(struct pd_offcpu *o) {
	if (!o) {
		return;
	}
	free(o->v);
	pd_map64_free(&o->of);
	free(o);
}

const struct pd_offcpu_stats *pd_offcpu_stats(const struct pd_offcpu *o) {
	return &o->st;
}

static struct pending *find(struct pd_offcpu *o, uint32_t tid, bool create) {
	const uint64_t *i = pd_map64_find(&o->of, (uint64_t)tid + 1);
	if (i) {
		return &o->v[*i];
	}
	if (!create) {
		return NULL;
	}
	pd_xgrow(&o->v, &o->cap, o->n + 1, sizeof(*o->v));
	pd_map64_insert(&o->of, (uint64_t)tid + 1, o->n);
	o->v[o->n] = (struct pending){0};
	return &o->v[o->n++];
}

void pd_offcpu_time(struct pd_offcpu *o, uint64_t time) {
	if (time > o->end && time != UINT64_MAX) {
		o->end = time;
	}
}

void pd_offcpu_out(struct pd_offcpu *o, uint32_t tid, uint64_t time,
		uint32_t stack, bool dead) {
	pd_offcpu_time(o, time);
	if (tid == 0) {
		o->st.idle++;
		return;
	}
	struct pending *p = find(o, tid, !dead);
	// An exiting thread's last switches (after its EXIT record, when
	// the state does not say X or Z) are no wait.
	if (dead || p->gone) {
		if (p) {
			p->off = false;
		}
		return;
	}
	o->st.out++;
	o->st.replaced += p->off;
	*p = (struct pending){time, stack, true, false};
}

static void charge(struct pd_offcpu *o, struct pending *p, uint64_t time) {
	p->off = false;
	// Clocks of two CPUs may disagree by a little: never negative.
	o->charge(o->arg, p->stack, time > p->time ? time - p->time : 0);
}

void pd_offcpu_in(struct pd_offcpu *o, uint32_t tid, uint64_t time) {
	pd_offcpu_time(o, time);
	struct pending *p = tid ? find(o, tid, false) : NULL;
	if (p && p->off) {
		o->st.charged++;
		charge(o, p, time);
	}
}

void pd_offcpu_record(struct pd_offcpu *o, const struct pd_record *rec) {
	if (rec->time) {
		pd_offcpu_time(o, rec->time);
	}
	switch (rec->type) {
	case PD_REC_SWITCH:
	case PD_REC_SWITCH_CPU_WIDE:
		// The sample_id trailer names the task switched in or out
		// (SWITCH_CPU_WIDE adds the other task, not needed here).
		o->st.switch_records++;
		if (!(rec->misc & PD_MISC_SWITCH_OUT) && rec->tid != UINT32_MAX) {
			pd_offcpu_in(o, rec->tid, rec->time);
		}
		break;
	case PD_REC_EXIT:
	case PD_REC_FORK:
		if (rec->size >= 24) {
			// pid @8, ppid @12, tid @16: a new thread may reuse a tid.
			uint32_t tid = pd_get_u32(rec->data + 16);
			struct pending *p = find(o, tid, false);
			if (p) {
				p->off = false;
				p->gone = rec->type == PD_REC_EXIT;
			}
		}
		break;
	default:
		break;
	}
}

void pd_offcpu_finish(struct pd_offcpu *o) {
	if (o->finished) {
		return;
	}
	o->finished = true;
	for (size_t i = 0; i < o->n; i++) {
		if (o->v[i].off) {
			o->st.at_end++;
			charge(o, &o->v[i], o->end);
		}
	}
}
