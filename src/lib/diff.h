// SPDX-License-Identifier: MIT
// pd-diff's output: "stack base new" lines from runs of folded profiles.
#ifndef PD_DIFF_H
#define PD_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

struct pd_profile;

// Writes "stack base new" lines sorted by stack, from p's columns 0 to
// nbase - 1 (base runs) and nbase on (new runs). Each run is first scaled
// to its side's mean total (rounded, halves up), so runs of different
// lengths weigh the same; one run per side is written as it is. normalize
// then scales the base sums to the new total (pd_profile_normalize's
// rounding). Returns PD_EDATA with a message if a sum passes 2^64-1;
// write errors are left in ferror(f).
enum pd_status pd_diff_write(FILE *f, const struct pd_profile *p,
	size_t nbase, bool normalize);

// The same from the folded files paths[0, n) (nbase of them base runs;
// "-" = stdin), written to f's file descriptor (after a flush). When every
// file is sorted by stack (pd-collapse's output is), one pass over the
// mapped files checks and merges them, with no table of stacks; else the
// files are read in parts (a thread each) into a hash table of distinct
// stacks, sorted on threads. When a line is malformed, the stack table as
// pd_diff_write, whose reader reports failures like pd_folded_read.
enum pd_status pd_diff_files(FILE *f, const char *const *paths, size_t n,
	size_t nbase, bool normalize);

// Scaling each run to its side's mean total (see pd_diff_write).
struct pd_diff_scale {
	size_t nbase, ncols;
	const uint64_t *totals; // per run
	uint64_t mean[2];       // each side's mean total
	uint64_t sum[2];        // each side's total after scaling, if summed
	bool identity;          // one run per side: nothing to scale
	bool overflow;
};
void pd_diff_scale_init(struct pd_diff_scale *s, const uint64_t *totals,
	size_t ncols, size_t nbase);
// The side sums of one stack's counts c[0, ncols), scaled.
void pd_diff_scale_line(struct pd_diff_scale *s, const uint64_t *c,
	uint64_t out[2]);
// x * to / from rounded, halves up (x itself if from is 0 or equal to).
uint64_t pd_diff_scale_u64(uint64_t x, uint64_t to, uint64_t from);
// Appends "stack base new\n".
struct pd_strbuf;
void pd_diff_line(struct pd_strbuf *b, const char *stack, size_t len,
	const uint64_t c[2]);

#endif
