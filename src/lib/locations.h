// SPDX-License-Identifier: MIT
// Code locations: each distinct (module, address) a stack holds gets a
// number (all addresses outside any mapping share one, unless they are
// shown); its frames (function, inline chain) are resolved once, files'
// ones on the loader thread while samples are read.
#ifndef PD_LOCATIONS_H
#define PD_LOCATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "symbols.h"

// An address in a module, dso-relative as enum pd_dso_kind says (already
// adjusted for return addresses); dso NULL: outside any mapping (addr 0
// for the location all of them share, unless addresses are shown).
struct pd_location {
	struct pd_dso *dso;
	uint64_t addr;
};

// What a location resolved to: the function and the calls inlined into
// it, outermost first, names interned by pd_symbols.
struct pd_location_frames {
	const char **names;
	uint32_t n;        // 0 when unresolved
	uint64_t inlined;  // bit i: names[i] was inlined into names[i - 1]
};

// Frames counted as they are resolved, for the summary.
struct pd_location_stats {
	uint64_t frames, unresolved;
	uint64_t unmapped; // of the unresolved: outside any mapping
};

// Opaque; the DSOs stay owned by syms.
struct pd_locations;

// addrs: every address outside any mapping is a location of its own (the
// writer shows them); else they are all one, which the statistics count
// as the distinct addresses it stands for.
struct pd_locations *pd_locations_create(struct pd_symbols *syms,
	bool addrs);
// Stops the loader thread (pd_symbols_warm_finish: its jobs for l and
// every other are done first), then frees l. NULL is fine.
void pd_locations_destroy(struct pd_locations *l);

// The location of ip, a user address in proc (NULL: none known) or a
// kernel address; exact is false for return addresses, looked up at
// ip - 1, inside the call. A cache of recent (address space, ip) pairs
// makes repeated frames cheap.
uint32_t pd_locations_locate(struct pd_locations *l, struct pd_proc *proc,
	bool kernel, uint64_t ip, bool exact);
// The locations of n exact addresses, stored as unaligned native u64s at
// ips (a callchain's), into out[0, n).
void pd_locations_locate_ips(struct pd_locations *l, struct pd_proc *proc,
	bool kernel, const uint8_t *ips, size_t n, uint32_t *out);

// No location is located after this: frees what finding them takes (the
// index of locations by address), for the memory a writer needs next.
void pd_locations_seal(struct pd_locations *l);

size_t pd_locations_count(const struct pd_locations *l);
const struct pd_location *pd_locations_at(const struct pd_locations *l,
	uint32_t id);

// Stops the loader thread and resolves every location not in the kernel
// (kernel symbols may still be loading on their own thread). Locations
// added after this are resolved when first asked for.
void pd_locations_resolve_files(struct pd_locations *l);
// The frames of location id, resolved now if not yet; valid while l lives.
const struct pd_location_frames *pd_locations_frames(struct pd_locations *l,
	uint32_t id);
const struct pd_location_stats *pd_locations_stats(
	const struct pd_locations *l);

#endif
