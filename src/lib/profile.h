// SPDX-License-Identifier: MIT
// Folded-stack profile: distinct stacks with one or two counts each.
#ifndef PD_PROFILE_H
#define PD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

// Opaque; owns every stack string added to it (freed by destroy).
struct pd_profile;

// One distinct stack: "frame;frame;..." (not NUL-terminated in general:
// use len) and its counts; count[1] is used by differential profiles only.
struct pd_profile_entry {
	const char *stack;
	size_t len;
	uint64_t count[2];
};

// Never NULL: running out of memory ends the program with status 71.
struct pd_profile *pd_profile_create(void);
void pd_profile_destroy(struct pd_profile *p); // NULL is fine

// Adds counts to the stack of len bytes (copied), creating it if new.
void pd_profile_add(struct pd_profile *p, const char *stack, size_t len,
	uint64_t count0, uint64_t count1);

// Reads folded "stack count" lines from path ("-" = stdin), adding each
// count to count[slot] (0 or 1); flags as for pd_folded_read. Reports
// "path:line: why" on stderr and returns PD_ENOINPUT or PD_EDATA on failure.
enum pd_status pd_profile_load(struct pd_profile *p, const char *path,
	int slot, unsigned flags);

// Sums count[0] and count[1] over all entries (saturating at UINT64_MAX);
// false if a sum or an added count did not fit 64 bits.
bool pd_profile_totals(const struct pd_profile *p, uint64_t total[2]);

// Scales every count[0] by total[1] / total[0], rounding to the nearest
// integer (halves up), so both columns add up to about the same total.
void pd_profile_normalize(struct pd_profile *p);

// Whether adding ever overflowed 64 bits (the count then stays UINT64_MAX).
bool pd_profile_overflowed(const struct pd_profile *p);

// Entries in insertion order; valid until the next add or destroy.
size_t pd_profile_size(const struct pd_profile *p);
const struct pd_profile_entry *pd_profile_entries(const struct pd_profile *p);

// A new array of pointers to the entries sorted by stack bytes; caller
// frees the array (not the entries).
const struct pd_profile_entry **pd_profile_sorted(const struct pd_profile *p);

// Writes "stack count" lines (ncounts 1) or "stack before after" lines
// (ncounts 2) sorted by stack. Errors are left in ferror(f).
void pd_profile_write(FILE *f, const struct pd_profile *p, int ncounts);

#endif
