// SPDX-License-Identifier: MIT
// DWARF unwinding of user stack dumps (PERF_SAMPLE_REGS_USER and
// PERF_SAMPLE_STACK_USER) with CFI parsed by libdw, cached as per-PC rules.
#ifndef PD_UNWIND_H
#define PD_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "perf.h"
#include "symbols.h"

// Why an unwind ended. PD_UNWIND_DONE is the normal end (outermost frame);
// the others mean the stack was cut short.
enum pd_unwind_end {
	PD_UNWIND_DONE,
	PD_UNWIND_NO_REGS,    // no or unsupported user registers
	PD_UNWIND_NO_MAP,     // pc outside any mapping, or in one of no file
	                      // and without a sound frame pointer
	PD_UNWIND_NO_CFI,     // no CFI row for the pc nor a sound frame pointer
	PD_UNWIND_STACK_END,  // needed memory outside the stack dump
	PD_UNWIND_BAD_FRAME,  // unusable rule or a CFA that did not grow
	PD_UNWIND_MAX_DEPTH,  // reached the frame limit
	PD_UNWIND_NEND,
};

// One frame: an absolute address; exact is false for return addresses;
// fp: found by following the frame pointer where the code had no CFI.
struct pd_unwind_frame {
	uint64_t pc;
	bool exact;
	bool fp;
};

// Opaque unwinder; it keeps a rule cache and a file handle per DSO, freed
// with it.
struct pd_unwind;

// arch: "x86_64" or "aarch64" as in the perf.data header (NULL: x86_64).
// Returns NULL for other architectures.
struct pd_unwind *pd_unwind_create(struct pd_symbols *syms, const char *arch);
void pd_unwind_destroy(struct pd_unwind *u); // NULL is fine
// Keeps the rules made this run in the persistent cache (unwind-cache.c)
// for the next. NULL is fine.
void pd_unwind_cache_save(struct pd_unwind *u);

// Unwinds the user stack of s in the address space proc, writing at most
// max frames, innermost first. Returns the number written (0 only without
// usable registers) and why the walk ended in *end.
size_t pd_unwind_sample(struct pd_unwind *u, const struct pd_proc *proc,
	const struct pd_sample *s, struct pd_unwind_frame *out, size_t max,
	enum pd_unwind_end *end);

// Whether s carries what pd_unwind_sample needs.
bool pd_unwind_has_dump(const struct pd_sample *s);

// Short reason for messages, e.g. "stack dump ended".
const char *pd_unwind_end_name(enum pd_unwind_end e);

#endif
