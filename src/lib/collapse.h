// SPDX-License-Identifier: MIT
// pd-collapse's engine: samples of the chosen event folded into a stack
// table keyed by process and code locations (dispatch.c reads, sample-stack.c
// turns samples into locations, stacks.c counts, folded-write.c writes).
#ifndef PD_COLLAPSE_H
#define PD_COLLAPSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "folded-write.h"
#include "maps.h"
#include "perf.h"
#include "status.h"
#include "symbols.h"

// The most --field frames a stack may end in.
#define PD_COLLAPSE_FIELDS_MAX 32

struct pd_collapse_options {
	struct pd_folded_options out;
	bool period;        // weight by period instead of sample count
	const char *event;  // NULL: the first event with samples
	size_t max_stack;   // user frames unwound from dumps (0: 127)
	// Tracepoints, decoded through the recording's tracing data:
	const char *weight_field;  // weight by this numeric field (or NULL)
	const char *const *fields; // "NAME=value" leaf frames, in this order
	size_t nfields;            // at most PD_COLLAPSE_FIELDS_MAX
	bool off_cpu;      // off-CPU time of sched:sched_switch stacks, in us
	bool on_off_cpu;   // on-CPU samples and off-CPU time in one profile
	bool task_state;   // the state threads left the CPU in, as a leaf
	bool list_events;  // name tracepoints from the tracing data
	bool list_fields;  // ...and list their fields
};

struct pd_collapse_stats {
	uint64_t samples;       // samples of the folded event
	uint64_t no_stack;      // of those, without a usable stack
	uint64_t lost;          // events lost (LOST records)
	uint64_t lost_samples;  // LOST_SAMPLES records
	bool overflowed;        // a count saturated at 2^64 - 1
	uint64_t field_bad;     // samples whose payload lacked a --field
	uint64_t weight_bad;    // samples left out: no usable --weight field
	uint64_t off_at_end;    // threads still off CPU at the end
};

struct pd_collapse;

struct pd_collapse *pd_collapse_create(const struct pd_collapse_options *o,
	struct pd_symbols *syms, struct pd_maps *maps);
void pd_collapse_destroy(struct pd_collapse *c); // NULL is fine
// Keeps what unwinding learnt in the persistent cache, for the next run.
void pd_collapse_cache_save(struct pd_collapse *c);

// Reads every record of r in order, keeping the timeline in maps and
// folding samples; progress (if not NULL) is called now and then with the
// samples folded so far. Returns PD_OK at the end of the data or the
// reader's error (already reported).
enum pd_status pd_collapse_read(struct pd_collapse *c, struct pd_perf *r,
	struct pd_maps *maps,
	void (*progress)(void *arg, struct pd_perf *r, uint64_t samples),
	void *arg);

// Picks the event to write (by name or the first sampled); returns
// PD_EUSAGE if the named event does not exist.
enum pd_status pd_collapse_select(struct pd_collapse *c, struct pd_perf *r);
// After pd_collapse_select: whether the recording holds what the
// tracepoint options need. Reports what is missing (with the perf command
// that records it) and returns PD_EUSAGE, or PD_EDATA for broken tracing
// data.
enum pd_status pd_collapse_check(struct pd_collapse *c, struct pd_perf *r);
// Resolves names and writes the folded stacks of the selected event.
void pd_collapse_write(struct pd_collapse *c, FILE *out);
// Writes "name count" per event, in file order (tracepoints' fields on
// lines of their own after it with list_fields).
void pd_collapse_list_events(struct pd_collapse *c, struct pd_perf *r,
	FILE *out);

const struct pd_collapse_stats *pd_collapse_stats(struct pd_collapse *c);

// Writes the one summary line (when anything was lost or guessed) to
// stderr; verbose adds per-module and per-reason lines.
void pd_collapse_summary(struct pd_collapse *c, struct pd_perf *r,
	struct pd_symbols *syms, bool verbose);

#endif
