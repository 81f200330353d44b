// SPDX-License-Identifier: MIT
// Process and map timeline from COMM, FORK, EXIT, MMAP and MMAP2 records.
#ifndef PD_MAPS_H
#define PD_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perf.h"
#include "symbols.h"

struct pd_map {
	uint64_t start, end, pgoff;
	struct pd_dso *dso;
};

// One address space (process); maps sorted by start, never overlapping.
struct pd_proc {
	uint32_t pid;
	struct pd_map *maps;
	size_t nmaps, cap;
	uint64_t generation; // bumped whenever the maps change
};

// Opaque timeline; DSOs come from (and stay owned by) syms.
struct pd_maps;

struct pd_maps *pd_maps_create(struct pd_symbols *syms);
void pd_maps_destroy(struct pd_maps *m); // NULL is fine

// Applies a COMM, FORK, EXIT, MMAP or MMAP2 record (others are ignored).
// Returns false if the record is too short for its type.
bool pd_maps_apply(struct pd_maps *m, const struct pd_record *rec);

// The process pid (created empty if unknown).
struct pd_proc *pd_maps_proc(struct pd_maps *m, uint32_t pid);
// The map of p holding addr, or NULL.
const struct pd_map *pd_proc_find(const struct pd_proc *p, uint64_t addr);

// The thread's command name as perf shows it (":TID" if never named);
// interned: equal names are equal pointers, valid while m lives.
const char *pd_maps_comm(struct pd_maps *m, uint32_t pid, uint32_t tid);

#endif
