// SPDX-License-Identifier: MIT
// pd-collapse's reports on stderr: the summary line of what was lost or
// guessed, and its --verbose detail.
#ifndef PD_SUMMARY_H
#define PD_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "locations.h"
#include "perf.h"
#include "sample-stack.h"
#include "symbols.h"

struct pd_summary {
	uint64_t samples;       // samples of the folded event
	uint64_t no_stack;      // of those, without a usable stack
	uint64_t lost;          // events lost (LOST records)
	uint64_t lost_samples;  // LOST_SAMPLES records
	uint64_t unknown;       // records of unknown type skipped
	bool overflowed;        // a count saturated at 2^64 - 1
	const struct pd_sample_stack_stats *unwind;
	const struct pd_location_stats *frames;
	const char *counts;     // what counts are, said first ("counts are
	                        // microseconds off CPU"); NULL: samples
	uint64_t off_at_end;    // threads still off CPU at the end
	uint64_t field_bad;     // samples whose payload lacked a --field
	uint64_t weight_bad;    // samples without a usable --weight field
};

// Writes the one summary line (when anything was lost or guessed) to
// stderr as "pd-collapse: NAME: ..."; verbose adds per-reason and
// per-module lines (modules of syms in name order).
void pd_summary_print(const struct pd_summary *s, const char *name,
	struct pd_symbols *syms, bool verbose);

#endif
