// SPDX-License-Identifier: MIT
// pd-diff's output: "stack base new" lines from runs in profile columns.
#ifndef PD_DIFF_H
#define PD_DIFF_H

#include <stdbool.h>
#include <stddef.h>
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

#endif
