// SPDX-License-Identifier: MIT
// Folded-stack profile: distinct stacks, each with N counts (a column per
// input: one for a profile, before and after for a differential), kept in
// the stack table pd-collapse uses (stacks.h) and sorted the same way.
#ifndef PD_PROFILE_H
#define PD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

// Opaque; owns every stack string added to it (freed by destroy).
struct pd_profile;

// ncols count columns (1 or more). Never NULL: running out of memory ends
// the program with status 71.
struct pd_profile *pd_profile_create(size_t ncols);
void pd_profile_destroy(struct pd_profile *p); // NULL is fine
size_t pd_profile_cols(const struct pd_profile *p);

// Adds counts[0, ncols) to the stack of len bytes ("frame;frame;...",
// copied), creating it if new.
void pd_profile_add(struct pd_profile *p, const char *stack, size_t len,
	const uint64_t *counts);

// Reads folded "stack count" lines from path ("-" = stdin), adding each
// count to column col; flags as for pd_folded_read. Reports
// "path:line: why" on stderr and returns PD_ENOINPUT or PD_EDATA on failure.
enum pd_status pd_profile_load(struct pd_profile *p, const char *path,
	size_t col, unsigned flags);

// Sums each column over all stacks into total[0, ncols) (saturating at
// UINT64_MAX); false if a sum or an added count did not fit 64 bits.
bool pd_profile_totals(const struct pd_profile *p, uint64_t *total);

// Scales every count of column col by the total of column to over col's
// total, rounding to the nearest integer (halves up), so both columns add
// up to about the same total.
void pd_profile_normalize(struct pd_profile *p, size_t col, size_t to);

// Stacks numbered 0 .. size-1 in insertion order: the stack's bytes (*len
// of them, NUL-terminated, valid while p lives) and its ncols counts
// (valid until the next add).
size_t pd_profile_size(const struct pd_profile *p);
const char *pd_profile_stack(const struct pd_profile *p, uint32_t i,
	size_t *len);
const uint64_t *pd_profile_counts(const struct pd_profile *p, uint32_t i);

// The stack numbers sorted by stack bytes; caller frees.
uint32_t *pd_profile_sorted(const struct pd_profile *p);

// Writes "stack count..." lines (every column) sorted by stack. Errors
// are left in ferror(f).
void pd_profile_write(FILE *f, const struct pd_profile *p);

#endif
