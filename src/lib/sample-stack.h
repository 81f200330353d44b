// SPDX-License-Identifier: MIT
// A sample's stack as code locations, leaf first: the kernel's callchain
// (frame pointers), and for --call-graph dwarf recordings the user stack
// unwound from the sample's stack dump, joined as perf script joins them.
#ifndef PD_SAMPLE_STACK_H
#define PD_SAMPLE_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "locations.h"
#include "maps.h"
#include "perf.h"
#include "symbols.h"
#include "unwind.h"

// The most locations one stack has.
#define PD_STACK_MAX 4096

struct pd_sample_stack_stats {
	uint64_t unwound;   // samples unwound from a stack dump
	uint64_t truncated; // of those, cut short
	uint64_t unwind_ends[PD_UNWIND_NEND]; // why unwinds ended
	uint64_t fp_frames; // frames found by frame pointers (no CFI)
};

// Opaque; holds the DWARF unwinder, made when first needed.
struct pd_sample_stack;

// max_stack: user frames unwound from dumps (0: 127, as perf script).
struct pd_sample_stack *pd_sample_stack_create(struct pd_locations *l,
	struct pd_symbols *syms, size_t max_stack);
void pd_sample_stack_destroy(struct pd_sample_stack *ss); // NULL is fine
// Keeps the unwinder's rules in the persistent cache (pd_unwind_cache_save).
void pd_sample_stack_cache_save(struct pd_sample_stack *ss);

// Writes the locations of s (a sample of r in address space proc, which
// may be NULL) to out[0, PD_STACK_MAX), leaf first; returns how many: 0
// when it has no usable stack (perf drops chains with unknown context
// markers).
size_t pd_sample_stack_get(struct pd_sample_stack *ss, struct pd_perf *r,
	struct pd_proc *proc, const struct pd_sample *s, uint32_t *out);

const struct pd_sample_stack_stats *pd_sample_stack_stats(
	const struct pd_sample_stack *ss);

#endif
