// SPDX-License-Identifier: MIT
// Shared by tracing.c (the blob) and tracepoint.c (decoding payloads).
#ifndef PD_TRACING_INTERNAL_H
#define PD_TRACING_INTERNAL_H

#include <traceevent/event-parse.h>
#include <traceevent/trace-seq.h>

#include "hash.h"
#include "tracing.h"

struct pd_tracing {
	struct tep_handle *tep;
	bool present;          // a blob was handed over
	uint64_t blob_off;
	char problem[192];     // what stopped the reading, "" if none
	uint64_t problem_off;
	char format_problem[192]; // the first format not parsed, "" if none
	uint64_t format_off;
	char *ksyms_text;      // the blob's kallsyms, if it has one (parsed)
	struct pd_tp **tps;    // made on demand, by tracepoint id
	size_t ntps;
	struct pd_map64 tp_of; // id + 1 -> index in tps
	struct trace_seq seq;  // for printing one field
	bool resolver_set;
	bool sym_hit;          // the resolver was asked for sym_addr
	uint64_t sym_addr;
};

// One tracepoint: its libtraceevent event and fields, common ones first.
struct pd_tp {
	struct pd_tracing *t;
	struct tep_event *ev;
	struct tep_format_field **fields;
	size_t nfields;
	size_t fixed_end;  // end of the last fixed field: a payload shorter
	                   // than this is never handed to libtraceevent
	// The __print_flags (or __print_symbolic) table for task states,
	// its values parsed once.
	bool states_looked;
	int states_field;
	bool states_symbolic;     // __print_symbolic: one value, one name
	size_t nstates;
	uint64_t *state_vals;
	const char **state_names; // borrowed from libtraceevent
	const char *state_delim;
	uint64_t state_mask;
};

void pd_tp_init(struct pd_tp *tp, struct pd_tracing *t, struct tep_event *ev);
void pd_tp_finish(struct pd_tp *tp);
// Installs the function resolver that pd_tp_text relies on.
void pd_tracing_set_resolver(struct pd_tracing *t);

#endif
