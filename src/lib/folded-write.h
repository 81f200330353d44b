// SPDX-License-Identifier: MIT
// Writes pd-collapse's stack table as folded text, in
// stackcollapse-perf.pl's conventions, lines sorted bytewise.
#ifndef PD_FOLDED_WRITE_H
#define PD_FOLDED_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "locations.h"
#include "stacks.h"

// A stack's ids: the root (comm number, pid, tid), then its locations,
// leaf first.
#define PD_STACK_ROOT 3
// A stack id with this bit set is no location but frame name number
// id & ~PD_STACK_NAMED of pd_folded_options.named (pseudo-frames such as
// pd-collapse's [off-cpu] or field=value).
#define PD_STACK_NAMED (1u << 31)

struct pd_folded_options {
	bool pid, tid;      // comm-PID, comm-PID/TID roots
	bool kernel, jit;   // _[k], _[j] annotations
	bool inline_marks;  // _[i] on inlined frames
	bool addrs;         // [module <addr>] for unresolved frames
	const char *const *named; // names of PD_STACK_NAMED ids (or NULL)
	// > 1: the weights are in units of 1/unit of what is written (as
	// nanoseconds for microseconds): each line's sum is divided, rounded
	// half up, and a line that rounds to 0 is left out.
	uint64_t unit;
};

// Writes the stacks of s (weights of column col) to out; comms[i] names
// comm number i. Resolves the locations it needs. Returns false if a
// line's count saturated at 2^64 - 1. Write errors are left in ferror(out).
// The stacks' ids are given back as they are read (pd_stacks_release_ids):
// s is done with after, but for its weights.
bool pd_folded_write(FILE *out, struct pd_stacks *s, size_t col,
	struct pd_locations *l, const char *const *comms,
	const struct pd_folded_options *o);

#endif
