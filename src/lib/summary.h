// SPDX-License-Identifier: MIT
// pd-collapse's reports on stderr and stdout: the summary line of what was
// lost or guessed, its --verbose detail, and --list-events.
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
};

// Writes the one summary line (when anything was lost or guessed) to
// stderr as "pd-collapse: NAME: ..."; verbose adds per-reason and
// per-module lines (modules of syms in name order).
void pd_summary_print(const struct pd_summary *s, const char *name,
	struct pd_symbols *syms, bool verbose);

// Writes "name count" per event of r, in file order; samples[i] for i < n
// (0 beyond).
void pd_summary_list_events(FILE *out, struct pd_perf *r,
	const uint64_t *samples, size_t n);

#endif
