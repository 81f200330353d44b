// SPDX-License-Identifier: MIT
// Shared by collapse.c (events, tracepoint fields, writing) and
// collapse-time.c (off-CPU and wall-clock profiles).
#ifndef PD_COLLAPSE_INTERNAL_H
#define PD_COLLAPSE_INTERNAL_H

#include <err.h>

#include "chain-memo.h"
#include "collapse.h"
#include "dispatch.h"
#include "hash.h"
#include "locations.h"
#include "offcpu.h"
#include "sample-stack.h"
#include "stack-adder.h"
#include "stacks.h"
#include "strbuf.h"
#include "texts.h"
#include "tracing.h"

// perf_event_attr.type (include/uapi/linux/perf_event.h).
enum {
	PD_TYPE_SOFTWARE = 1,
	PD_TYPE_TRACEPOINT = 2,
};

// The most pseudo-frames (fields, task state) appended to one stack.
#define PD_EXTRA_MAX 64
_Static_assert(PD_COLLAPSE_FIELDS_MAX + 2 <= PD_EXTRA_MAX,
	"--field frames, a task state and [off-cpu] fit");

// What --field and --weight=FIELD found in one event.
enum pd_use_why {
	PD_USE_OK,
	PD_USE_NOT_TRACEPOINT,
	PD_USE_NO_FORMAT,
	PD_USE_NO_FIELD,
	PD_USE_NOT_NUMBER,
};

struct pd_collapse_use {
	bool done;            // looked up
	enum pd_use_why why;
	const char *missing;  // the field not found (or not a number)
	struct pd_tp *tp;
	int weight;           // field index, or -1
	int *fields;          // per --field
};

// How the off-CPU and wall-clock profiles see an event.
enum pd_kind {
	PD_KIND_UNKNOWN,      // not looked at yet
	PD_KIND_SWITCH,       // sched:sched_switch
	PD_KIND_WALL,         // the on-CPU sampling event (--on-off-cpu)
	PD_KIND_OTHER,
};

struct pd_collapse {
	struct pd_collapse_options o;
	struct pd_symbols *syms;
	struct pd_maps *maps;
	struct pd_locations *locs;
	struct pd_sample_stack *stack;
	struct pd_chain_memo *memo;
	// Adds the samples' stacks on a thread of its own (NULL: this thread
	// adds them); memo's slots then remember their own numbers, and the
	// adder the stacks. Never with time (whose numbers are used at once).
	struct pd_adder *adder;
	const char **comms; // comm number -> interned name
	size_t ncomms, comms_cap;
	struct pd_map64 comm_of; // interned name -> comm number + 1
	struct pd_stacks **ev; // per event, made when it has samples
	uint64_t *ev_samples;
	struct pd_collapse_use *uses; // per event, when first needed
	unsigned char *kinds;         // per event: enum pd_kind
	size_t nev;
	int first_event, selected;
	uint32_t *key;
	struct pd_collapse_stats st;
	// pd_collapse_read's progress callback
	void (*progress)(void *arg, struct pd_perf *r, uint64_t samples);
	void *progress_arg;
	struct pd_tracing *tracing;
	struct pd_texts *named;       // pseudo-frames (PD_STACK_NAMED ids)
	struct pd_stacks *extra_seqs; // distinct pseudo-frame sequences
	struct pd_strbuf text;        // scratch
	struct pd_strbuf state;       // scratch for a task state
	struct pd_strbuf field;       // scratch for a --field frame
	// --off-cpu, --on-off-cpu (collapse-time.c); time is NULL otherwise.
	struct pd_stacks *time;       // stacks with nanoseconds
	struct pd_offcpu *off;
	int switch_ev, wall_ev;       // event indices, -1 if none seen
	struct pd_tp *switch_tp;
	int f_state, f_next;          // prev_state, next_pid (or -1)
};

// The stack of s in st, with the pseudo-frames x[0, nx) at its leaf (leaf
// first), weight added; its number. With c->adder the stack is added
// later (pd_collapse_read waits for it) and this is a memo slot's number
// or PD_ADDER_SLOTS instead.
uint32_t pd_collapse_fold(struct pd_collapse *c, struct pd_perf *r,
	const struct pd_sample *s, struct pd_stacks *st, const uint32_t *x,
	size_t nx, uint64_t weight);
// The id of pseudo-frame s[0, len) (';' made ':').
uint32_t pd_collapse_named(struct pd_collapse *c, const char *s, size_t len);
// What --field and --weight find in event ev.
struct pd_collapse_use *pd_collapse_use(struct pd_collapse *c,
	struct pd_perf *r, int ev);
// The --field frames of s into x (leaf first); how many.
size_t pd_collapse_field_frames(struct pd_collapse *c,
	const struct pd_collapse_use *u, const struct pd_sample *s, uint32_t *x);
// Event i's name, tracepoints named from the tracing data when the file
// names them not; valid until the next call.
const char *pd_collapse_event_name(struct pd_collapse *c, struct pd_perf *r,
	size_t i);
bool pd_collapse_event_matches(struct pd_collapse *c, struct pd_perf *r,
	size_t i, const char *want);
// Reports the tracing data's problem (a format that did not parse counts
// only if tp_missing); PD_EDATA if there was one.
enum pd_status pd_collapse_tracing_problem(struct pd_collapse *c,
	struct pd_perf *r, bool tp_missing);
// Writes table s (column 0) with the pseudo-frames named, each line's
// weight divided by unit (pd_folded_options); s keeps only its weights
// after (see pd_folded_write).
void pd_collapse_write_table(struct pd_collapse *c, struct pd_stacks *s,
	uint64_t unit, FILE *out);

// collapse-time.c
void pd_collapse_time_init(struct pd_collapse *c);
void pd_collapse_time_finish(struct pd_collapse *c);
void pd_collapse_time_sample(struct pd_collapse *c, struct pd_perf *r,
	const struct pd_sample *s);
void pd_collapse_time_record(void *arg, struct pd_perf *r,
	const struct pd_record *rec);
enum pd_status pd_collapse_time_select(struct pd_collapse *c,
	struct pd_perf *r);
enum pd_status pd_collapse_time_check(struct pd_collapse *c,
	struct pd_perf *r);
void pd_collapse_time_write(struct pd_collapse *c, FILE *out);

#endif
