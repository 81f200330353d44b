// SPDX-License-Identifier: MIT
// Self and total counts per function from folded stacks, the callers and
// callees of one function, and the tables pd-top writes from them.
#ifndef PD_TOP_H
#define PD_TOP_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

// What one row of the table stands for.
enum pd_top_by {
	PD_TOP_BY_FUNCTION, // frames after the first, "_[i]" marks dropped
	PD_TOP_BY_FRAME,    // every frame as written, the first too
	PD_TOP_BY_MODULE,   // "[module]" frames, "_[k]" kernel, "_[j]" JIT
};

struct pd_top_options {
	enum pd_top_by by;
	const regex_t *grep; // NULL, or compiled with REG_NOSUB (borrowed)
	const char *focus;   // --callers/--callees: the function, or NULL
};

// Opaque; owns copies of every name it is given.
struct pd_top;

// Never NULL: running out of memory ends the program with status 71.
struct pd_top *pd_top_create(const struct pd_top_options *o);
void pd_top_destroy(struct pd_top *t); // NULL is fine

// Adds one folded stack (len bytes, frames separated by ";") with its
// counts (c1: the second of a differential line, else 0).
void pd_top_add(void *top, const char *stack, size_t len, uint64_t c0,
	uint64_t c1);
// The same as a pd_folded_fn, to hand to pd_folded_read (n is 1 or 2).
void pd_top_add_line(void *top, const char *stack, size_t len,
	const uint64_t *c, size_t n);

// After the last add: reports what makes the counts unusable (totals past
// 2^64-1, --by=module on input that names no module) and returns PD_EDATA,
// warns when the focus function never occurs; else PD_OK.
enum pd_status pd_top_check(const struct pd_top *t);

enum pd_top_format { PD_TOP_TEXT, PD_TOP_TSV, PD_TOP_JSON, PD_TOP_MARKDOWN };

enum pd_top_sort {
	PD_TOP_SORT_DEFAULT, // self, or self-delta for differential input
	PD_TOP_SORT_SELF,
	PD_TOP_SORT_TOTAL,
	PD_TOP_SORT_NAME,
	PD_TOP_SORT_SELF_DELTA,
	PD_TOP_SORT_TOTAL_DELTA,
};

struct pd_top_report {
	enum pd_top_format format;
	enum pd_top_sort sort;
	bool diff;           // the input had two counts per line
	bool callers, callees; // the butterfly view instead of the table
	size_t limit;        // rows per table, 0 = all
	double min_share;    // leave out rows whose total share is below (%)
	unsigned width;      // text: cut names to fit this many columns (0: no)
	const char *grep;    // the --grep pattern as given, or NULL
};

// Writes the table (or the butterfly view) of t to f. Errors are left in
// ferror(f).
void pd_top_write(FILE *f, const struct pd_top *t,
	const struct pd_top_report *r);

#endif
