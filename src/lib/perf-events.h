// SPDX-License-Identifier: MIT
// The events of a perf.data file: one perf_event_attr each, with its name
// and sample ids, and the map from sample id to event.
#ifndef PD_PERF_EVENTS_H
#define PD_PERF_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "perf-input.h"
#include "perf.h"

// Zero-initialise; free with pd_events_finish. Fields are read directly
// by the sample parser, which looks at them for every record.
struct pd_events {
	struct pd_event *v;
	size_t n, cap;
	uint64_t *id_keys;
	uint32_t *id_vals; // event index + 1; 0: empty slot
	size_t id_slots, nids;
};

void pd_events_finish(struct pd_events *ev);

// Adds an event from a perf_event_attr of len readable bytes at offset
// off of in. Reports a bad or unsupported attr there and returns PD_EDATA.
enum pd_status pd_events_add(struct pd_events *ev, const uint8_t *attr,
	size_t len, const struct pd_input *in, uint64_t off);
// Gives event i the n unaligned u64 sample ids at p.
void pd_events_add_ids(struct pd_events *ev, size_t i, const uint8_t *p,
	size_t n);
// Index of the event with sample id id, or -1.
int pd_events_find(const struct pd_events *ev, uint64_t id);
// Names event i from s (at most maxlen bytes, NUL-terminated or not); an
// empty name or a bad index changes nothing.
void pd_events_set_name(struct pd_events *ev, size_t i, const char *s,
	size_t maxlen);

#endif
