// SPDX-License-Identifier: MIT
// Records read field by field (see perf-sample.h), in the order of perf's
// evsel__parse_sample and perf_evsel__parse_id_sample.
#include "perf-sample.h"

#include <string.h>

#include "bytes.h"

// ---- sample_id: which event a record belongs to, and its time ----

// Index of the id among the sample's leading u64s (-1: none), as perf's
// __perf_evsel__calc_id_pos.
static int id_pos_sample(uint64_t t) {
	if (t & PD_SAMPLE_IDENTIFIER) {
		return 0;
	}
	if (!(t & PD_SAMPLE_ID)) {
		return -1;
	}
	int i = 0;
	i += !!(t & PD_SAMPLE_IP);
	i += !!(t & PD_SAMPLE_TID);
	i += !!(t & PD_SAMPLE_TIME);
	i += !!(t & PD_SAMPLE_ADDR);
	return i;
}

// Position of the id counted from the end of a non-sample record.
static int id_pos_trailer(uint64_t t) {
	if (t & PD_SAMPLE_IDENTIFIER) {
		return 1;
	}
	if (!(t & PD_SAMPLE_ID)) {
		return -1;
	}
	return 1 + !!(t & PD_SAMPLE_CPU) + !!(t & PD_SAMPLE_STREAM_ID);
}

// perf requires all events to keep the id at the same place, so the
// first event's sample_type says where to look.
static int record_event(const struct pd_events *ev, const uint8_t *p,
		uint32_t size, uint32_t type) {
	if (ev->n == 0) {
		return -1;
	}
	if (ev->n == 1) {
		return 0;
	}
	uint64_t t = ev->v[0].sample_type;
	uint64_t id;
	if (type == PD_REC_SAMPLE) {
		int pos = id_pos_sample(t);
		if (pos < 0 || 8 + 8 * (uint32_t)pos + 8 > size) {
			return 0;
		}
		id = pd_get_u64(p + 8 + 8 * pos);
	} else {
		if (!(ev->v[0].flags & PD_ATTR_SAMPLE_ID_ALL)) {
			return 0;
		}
		int pos = id_pos_trailer(t);
		if (pos < 0 || 8 + 8 * (uint32_t)pos > size) {
			return 0;
		}
		id = pd_get_u64(p + size - 8 * pos);
	}
	int i = pd_events_find(ev, id);
	if (i < 0 && type == PD_REC_SAMPLE) {
		return -2; // a sample of no known event: pd_sample_parse says so
	}
	return i < 0 ? 0 : i; // id 0 (synthesized records): first event
}

// Fills pid/tid/time of a non-sample record from its sample_id trailer.
static void parse_trailer(const struct pd_events *ev, struct pd_record *rec) {
	if (rec->event < 0) {
		return;
	}
	const struct pd_event *e = &ev->v[rec->event];
	if (!(e->flags & PD_ATTR_SAMPLE_ID_ALL)) {
		return;
	}
	uint64_t t = e->sample_type;
	uint32_t n = !!(t & PD_SAMPLE_TID) + !!(t & PD_SAMPLE_TIME)
		+ !!(t & PD_SAMPLE_ID) + !!(t & PD_SAMPLE_STREAM_ID)
		+ !!(t & PD_SAMPLE_CPU) + !!(t & PD_SAMPLE_IDENTIFIER);
	if (rec->size < 8 + 8 * n) {
		return;
	}
	const uint8_t *p = rec->data + rec->size - 8 * n;
	if (t & PD_SAMPLE_TID) {
		rec->pid = pd_get_u32(p);
		rec->tid = pd_get_u32(p + 4);
		p += 8;
	}
	if (t & PD_SAMPLE_TIME) {
		rec->time = pd_get_u64(p);
	}
}

void pd_sample_fill_record(const struct pd_events *ev, struct pd_record *rec) {
	rec->event = record_event(ev, rec->data, rec->size, rec->type);
	rec->pid = rec->tid = (uint32_t)-1;
	rec->time = 0;
	if (rec->type >= 64) {
		return; // perf's own records have no sample_id trailer
	}
	if (rec->type != PD_REC_SAMPLE) {
		parse_trailer(ev, rec);
		return;
	}
	if (rec->event < 0) {
		return;
	}
	uint64_t t = ev->v[rec->event].sample_type;
	const uint8_t *p = rec->data + 8, *end = rec->data + rec->size;
	p += 8 * !!(t & PD_SAMPLE_IDENTIFIER) + 8 * !!(t & PD_SAMPLE_IP);
	if (t & PD_SAMPLE_TID) {
		if (end - p < 8) {
			return;
		}
		rec->pid = pd_get_u32(p);
		rec->tid = pd_get_u32(p + 4);
		p += 8;
	}
	if ((t & PD_SAMPLE_TIME) && end - p >= 8) {
		rec->time = pd_get_u64(p);
	}
}

// ---- sample fields ----

struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t take_u64(struct cursor *c) {
	if (c->end - c->p < 8) {
		c->bad = true;
		return 0;
	}
	uint64_t v = pd_get_u64(c->p);
	c->p += 8;
	return v;
}

static const uint8_t *take_bytes(struct cursor *c, uint64_t n) {
	if ((uint64_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	return p;
}

static void take_branch_stack(struct cursor *c, const struct pd_event *e) {
	uint64_t nr = take_u64(c);
	if (e->branch_sample_type & (1u << 17)) {
		take_u64(c); // hw_idx
	}
	// Entries are {from, to, flags}; with BRANCH_COUNTERS a u64 counter
	// per entry follows them.
	uint64_t each = e->branch_sample_type & (1u << 19) ? 32 : 24;
	if (nr > (uint64_t)(c->end - c->p) / each) {
		c->bad = true;
	} else {
		take_bytes(c, nr * each);
	}
}

// read_format bits (perf_event.h).
#define FORMAT_TIME_ENABLED (1u << 0)
#define FORMAT_TIME_RUNNING (1u << 1)
#define FORMAT_ID (1u << 2)
#define FORMAT_GROUP (1u << 3)
#define FORMAT_LOST (1u << 4)

// PERF_SAMPLE_READ's counter values (leader sampling, perf record -e
// '{a,b}:S'): kept in s when each has its id (pd_perf_read_sample),
// skipped when not (the sample then counts for the event that took it).
static void take_read(struct cursor *c, const struct pd_event *e,
		struct pd_sample *s) {
	uint64_t f = e->read_format;
	uint64_t times = !!(f & FORMAT_TIME_ENABLED) + !!(f & FORMAT_TIME_RUNNING);
	uint64_t each = 1 + !!(f & FORMAT_ID) + !!(f & FORMAT_LOST);
	uint64_t nr = 1;
	if (f & FORMAT_GROUP) {
		nr = take_u64(c);
		take_bytes(c, 8 * times);
	}
	// Without a group, the times follow the value.
	uint64_t tail = f & FORMAT_GROUP ? 0 : times;
	if (nr > (uint64_t)(c->end - c->p) / (8 * (each + tail))) {
		c->bad = true;
		return;
	}
	const uint8_t *v = take_bytes(c, 8 * (each + tail) * nr);
	if ((f & FORMAT_ID) && nr <= UINT32_MAX) {
		s->read = v;
		s->nread = (uint32_t)nr;
		s->read_each = (uint32_t)(each + tail);
		s->read_id = (uint32_t)(1 + tail); // after the times, if any
	}
}

// The fields after the callchain that pd uses: raw data, user registers
// and the user stack dump.
static void take_tail(struct cursor *c, const struct pd_event *e,
		struct pd_sample *s) {
	uint64_t t = e->sample_type;
	if (t & PD_SAMPLE_RAW) {
		if (c->end - c->p < 4) {
			c->bad = true;
		} else {
			s->raw_size = pd_get_u32(c->p);
			c->p += 4;
			s->raw = take_bytes(c, s->raw_size);
		}
	}
	if (t & PD_SAMPLE_BRANCH_STACK) {
		take_branch_stack(c, e);
	}
	if (t & PD_SAMPLE_REGS_USER) {
		s->regs_abi = take_u64(c);
		if (s->regs_abi) {
			s->regs_mask = e->sample_regs_user;
			s->regs = take_bytes(c,
				8 * (uint64_t)pd_popcount64(s->regs_mask));
		}
	}
	if (t & PD_SAMPLE_STACK_USER) {
		s->stack_size = take_u64(c);
		if (s->stack_size) {
			s->stack = take_bytes(c, s->stack_size);
			s->stack_dyn = take_u64(c);
			if (s->stack_dyn > s->stack_size) {
				s->stack_dyn = s->stack_size;
			}
		}
	}
}

enum pd_status pd_sample_parse(const struct pd_events *ev,
		const struct pd_record *rec, struct pd_sample *s,
		const struct pd_input *in) {
	*s = (struct pd_sample){.event = rec->event, .misc = rec->misc};
	if (rec->event < 0) {
		pd_input_error(in, rec->offset, rec->event == -1
			? "sample before any event attribute"
			: "sample's event id matches no event attribute");
		return PD_EDATA;
	}
	const struct pd_event *e = &ev->v[rec->event];
	uint64_t t = e->sample_type;
	struct cursor c = {rec->data + 8, rec->data + rec->size, false};
	if (t & PD_SAMPLE_IDENTIFIER) {
		s->id = take_u64(&c);
	}
	if (t & PD_SAMPLE_IP) {
		s->ip = take_u64(&c);
	}
	if (t & PD_SAMPLE_TID) {
		uint64_t v = take_u64(&c);
		memcpy(&s->pid, (uint8_t *)&v, 4);
		memcpy(&s->tid, (uint8_t *)&v + 4, 4);
	}
	if (t & PD_SAMPLE_TIME) {
		s->time = take_u64(&c);
	}
	if (t & PD_SAMPLE_ADDR) {
		s->addr = take_u64(&c);
	}
	if (t & PD_SAMPLE_ID) {
		s->id = take_u64(&c);
	}
	if (t & PD_SAMPLE_STREAM_ID) {
		take_u64(&c);
	}
	if (t & PD_SAMPLE_CPU) {
		s->cpu = (uint32_t)take_u64(&c);
	}
	s->period = e->sample_period;
	if (t & PD_SAMPLE_PERIOD) {
		s->period = take_u64(&c);
	} else if (e->flags & PD_ATTR_FREQ) {
		s->period = 1;
	}
	if (t & PD_SAMPLE_READ) {
		take_read(&c, e, s);
	}
	if (t & PD_SAMPLE_CALLCHAIN) {
		s->nr = take_u64(&c);
		if (s->nr > (uint64_t)(c.end - c.p) / 8) {
			pd_input_error(in, rec->offset, "callchain of %llu entries "
				"runs past the end of its record",
				(unsigned long long)s->nr);
			return PD_EDATA;
		}
		s->ips = take_bytes(&c, s->nr * 8);
	}
	take_tail(&c, e, s);
	if (c.bad) {
		pd_input_error(in, rec->offset, "sample fields run past the end "
			"of the record");
		s->stack = NULL;
		s->stack_size = s->stack_dyn = 0;
		s->regs = NULL;
		s->regs_abi = 0;
		return PD_EDATA;
	}
	return PD_OK;
}
