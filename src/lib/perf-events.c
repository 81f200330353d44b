// SPDX-License-Identifier: MIT
// Events and sample ids (see perf-events.h). Attr layout:
// include/uapi/linux/perf_event.h, struct perf_event_attr.
#include "perf-events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bytes.h"
#include "hash.h"

#define MAX_EVENTS (1u << 16)

void pd_events_finish(struct pd_events *ev) {
	for (size_t i = 0; i < ev->n; i++) {
		free(ev->v[i].name);
		free(ev->v[i].ids);
	}
	free(ev->v);
	free(ev->id_keys);
	free(ev->id_vals);
	*ev = (struct pd_events){0};
}

static void id_insert(struct pd_events *ev, uint64_t id, size_t i) {
	if ((ev->nids + 1) * 2 > ev->id_slots) {
		size_t old = ev->id_slots;
		uint64_t *keys = ev->id_keys;
		uint32_t *vals = ev->id_vals;
		ev->id_slots = old ? old * 2 : 64;
		ev->id_keys = pd_xcalloc(ev->id_slots, sizeof(*ev->id_keys));
		ev->id_vals = pd_xcalloc(ev->id_slots, sizeof(*ev->id_vals));
		ev->nids = 0;
		for (size_t j = 0; j < old; j++) {
			if (vals[j]) {
				id_insert(ev, keys[j], vals[j] - 1);
			}
		}
		free(keys);
		free(vals);
	}
	size_t j = pd_hash_key(id) & (ev->id_slots - 1);
	while (ev->id_vals[j] && ev->id_keys[j] != id) {
		j = (j + 1) & (ev->id_slots - 1);
	}
	if (!ev->id_vals[j]) {
		ev->nids++;
	}
	ev->id_keys[j] = id;
	ev->id_vals[j] = (uint32_t)i + 1;
}

int pd_events_find(const struct pd_events *ev, uint64_t id) {
	if (!ev->id_slots) {
		return -1;
	}
	size_t j = pd_hash_key(id) & (ev->id_slots - 1);
	while (ev->id_vals[j]) {
		if (ev->id_keys[j] == id) {
			return (int)ev->id_vals[j] - 1;
		}
		j = (j + 1) & (ev->id_slots - 1);
	}
	return -1;
}

static const char *const hw_names[] = {"cycles", "instructions",
	"cache-references", "cache-misses", "branches", "branch-misses",
	"bus-cycles", "stalled-cycles-frontend", "stalled-cycles-backend",
	"ref-cycles"};
static const char *const sw_names[] = {"cpu-clock", "task-clock",
	"page-faults", "context-switches", "cpu-migrations", "minor-faults",
	"major-faults", "alignment-faults", "emulation-faults", "dummy",
	"bpf-output", "cgroup-switches"};

// The name perf gives an event without a name record.
static char *default_name(uint32_t type, uint64_t config) {
	char buf[64];
	if (type == 0 && config < sizeof(hw_names) / sizeof(*hw_names)) {
		return pd_xstrdup(hw_names[config]);
	}
	if (type == 1 && config < sizeof(sw_names) / sizeof(*sw_names)) {
		return pd_xstrdup(sw_names[config]);
	}
	snprintf(buf, sizeof(buf), "type%u:0x%llx", type,
		(unsigned long long)config);
	return pd_xstrdup(buf);
}

enum pd_status pd_events_add(struct pd_events *ev, const uint8_t *a,
		size_t len, const struct pd_input *in, uint64_t off) {
	uint32_t size = pd_get_u32(a + 4);
	if (size == 0) {
		size = 64;
	}
	if (len < 64 || size < 64 || size > len) {
		pd_input_error(in, off, "event attribute of %u bytes is too short "
			"or does not fit its record", size);
		return PD_EDATA;
	}
	if (ev->n >= MAX_EVENTS) {
		pd_input_error(in, off, "too many events");
		return PD_EDATA;
	}
	pd_xgrow(&ev->v, &ev->cap, ev->n + 1, sizeof(*ev->v));
	struct pd_event *e = &ev->v[ev->n++];
	*e = (struct pd_event){
		.type = pd_get_u32(a),
		.config = pd_get_u64(a + 8),
		.sample_period = pd_get_u64(a + 16),
		.sample_type = pd_get_u64(a + 24),
		.read_format = pd_get_u64(a + 32),
		.flags = pd_get_u64(a + 40),
	};
	if (size >= 80) {
		e->branch_sample_type = pd_get_u64(a + 72);
	}
	if (size >= 96) {
		e->sample_regs_user = pd_get_u64(a + 80);
		e->sample_stack_user = pd_get_u32(a + 88);
	}
	if (size >= 104) {
		e->sample_regs_intr = pd_get_u64(a + 96);
	}
	e->name = default_name(e->type, e->config);
	return PD_OK;
}

void pd_events_add_ids(struct pd_events *ev, size_t i, const uint8_t *p,
		size_t n) {
	struct pd_event *e = &ev->v[i];
	e->ids = pd_xrealloc(e->ids, (e->nids + n) * sizeof(*e->ids));
	for (size_t k = 0; k < n; k++) {
		uint64_t id = pd_get_u64(p + 8 * k);
		e->ids[e->nids++] = id;
		id_insert(ev, id, i);
	}
}

void pd_events_set_name(struct pd_events *ev, size_t i, const char *s,
		size_t maxlen) {
	size_t n = strnlen(s, maxlen);
	if (n == 0 || i >= ev->n) {
		return;
	}
	free(ev->v[i].name);
	ev->v[i].name = pd_xstrndup(s, n);
}
