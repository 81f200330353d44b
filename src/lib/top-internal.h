// SPDX-License-Identifier: MIT
// pd_top's tables, shared by the counting (top.c) and the writer
// (top-write.c); nothing outside those two files includes this.
#ifndef PD_TOP_INTERNAL_H
#define PD_TOP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "top.h"
#include "alloc.h"
#include "hash.h"
#include "texts.h"

#define PD_TOP_NONE UINT32_MAX

// One row of the table: a function, frame or module.
struct pd_top_key {
	const char *name; // NUL-terminated copy, but may hold NULs: use len
	size_t len;
	uint64_t self[2], total[2];
	uint64_t stamp; // the last stack counted in total; 0: never in a stack
	bool match;     // the name matches --grep
	bool module;    // --by=module: the name is a module's
};

// A caller or callee of the focus function, with the counts of the stacks
// that pass through that edge (each stack once).
struct pd_top_edge {
	uint32_t key;
	uint64_t count[2];
	uint64_t stamp;
};

struct pd_top_edges {
	struct pd_top_edge *v;
	size_t n, cap;
	struct pd_map64 index; // key + 1 -> position in v
};

// A frame of the previous stack: where it ends (at ";" or the end) and
// its row.
struct pd_top_frame {
	size_t end;
	uint32_t key;
};

struct pd_top {
	struct pd_top_options o;
	struct pd_texts *keytab;       // row names, numbered as keys[]
	struct pd_top_key *keys;
	size_t nkeys, capkeys;
	struct pd_texts *frametab;     // frame names as written,
	uint32_t *frame_key;           // by number: their rows
	size_t cap_frame_key;
	uint64_t gen;                  // stacks added so far
	uint64_t samples[2];           // all counts
	uint64_t grep[2];              // counts of stacks with a match
	bool overflow;                 // the totals went past 2^64-1
	bool modules;                  // some frame named a module
	// The focus function (PD_TOP_NONE if none) and its neighbours.
	uint32_t focus;
	uint64_t outermost[2];         // stacks where it has no caller
	struct pd_top_edges callers, callees;
	// The previous stack and its frames, to skip looking up the frames
	// of a shared prefix again (folded files are usually sorted).
	char *prev;
	size_t prevlen, prevcap;
	struct pd_top_frame *frames;
	size_t nframes, capframes;
};

#endif
