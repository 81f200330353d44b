// SPDX-License-Identifier: MIT
// Code locations, their frame cache, and their resolution to frames: early
// on the loader thread for files, at the end for the rest.
#include "locations.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bytes.h"
#include "hash.h"
#include "status.h"

// The frame cache's slots (locate_cached): 16k of 32 bytes. From 4k,
// misses on the fp bench profiles went 68k -> 21k (cxx-fp), 99k -> 44k
// (rust-fp), 124k -> 106k (gxx-fp, 79k distinct addresses).
#define FRAME_BITS 14
#define FRAME_CACHE ((size_t)1 << FRAME_BITS)

struct frame_cache {
	const struct pd_proc *proc; // NULL: kernel
	uint64_t gen, ip;
	uint32_t loc;
	uint8_t valid; // 1, | 2 if exact
};

struct resolved {
	struct pd_location_frames f;
	bool made;    // f is filled in
	bool counted; // and counted in the stats
};

struct pd_locations {
	struct pd_symbols *syms;
	struct pd_location *v;
	size_t n, cap;
	struct pd_index index;
	struct frame_cache cache[FRAME_CACHE];
	// Frames by location number, made by the loader thread while samples
	// are read (resolve_job, which writes nothing else) and by the
	// reading thread after pd_symbols_warm_finish.
	struct resolved *res;
	size_t res_cap, res_init; // res[0, res_init) zeroed or filled in
	// The frames' name arrays (made by one thread at a time, as res).
	struct pd_arena names;
	struct pd_location_stats st;
	bool sealed; // pd_locations_seal: nothing more is located
	// Unless addresses are shown, every address outside any mapping is
	// one location, "[unknown]" to the writer: tens of thousands of them
	// in a program without frame pointers (the garbage a frame-pointer
	// walk reads) would each take a location, a slot and stacks of their
	// own. Only their number is kept, for the summary: a set of them,
	// each stored + 1 (0 is an empty slot; the last address has a flag).
	// Not a pd_map64: its values and half-full slots would take 4 MB
	// for gxx-fp's 72k addresses, where this takes 1.
	bool merge_unmapped;
	uint32_t unmapped_loc; // + 1, 0 until the first
	uint64_t *unmapped;
	size_t unmapped_slots, unmapped_n;
	bool unmapped_last;
	bool unmapped_counted; // in st: addresses found later count then
};

struct pd_locations *pd_locations_create(struct pd_symbols *syms,
		bool addrs) {
	struct pd_locations *l = pd_xcalloc(1, sizeof(*l));
	l->syms = syms;
	l->merge_unmapped = !addrs;
	return l;
}

void pd_locations_destroy(struct pd_locations *l) {
	if (!l) {
		return;
	}
	// resolve_job writes l->res on the loader thread: every job queued
	// for l must be done before l goes.
	pd_symbols_warm_finish(l->syms);
	pd_arena_finish(&l->names);
	pd_huge_free(l->unmapped, l->unmapped_slots * sizeof(*l->unmapped));
	free(l->res);
	free(l->v);
	pd_index_free(&l->index);
	free(l);
}

void pd_locations_seal(struct pd_locations *l) {
	pd_index_free(&l->index);
	l->sealed = true;
}

size_t pd_locations_count(const struct pd_locations *l) {
	return l->n;
}

const struct pd_location *pd_locations_at(const struct pd_locations *l,
		uint32_t id) {
	return &l->v[id];
}

const struct pd_location_stats *pd_locations_stats(
		const struct pd_locations *l) {
	return &l->st;
}

// Grows l->res to hold location i, zeroing the entries up to it (not the
// whole capacity: its pages stay untouched until used).
static struct resolved *res_slot(struct pd_locations *l, size_t i) {
	if (i >= l->res_init) {
		pd_xgrow(&l->res, &l->res_cap, i + 1, sizeof(*l->res));
		memset(l->res + l->res_init, 0,
			(i + 1 - l->res_init) * sizeof(*l->res));
		l->res_init = i + 1;
	}
	return &l->res[i];
}

static void resolve_into(struct pd_locations *l, struct pd_dso *d,
		uint64_t addr, struct pd_location_frames *out) {
	struct pd_frames f;
	pd_symbols_resolve(l->syms, d, addr, &f);
	*out = (struct pd_location_frames){0};
	if (!f.resolved) {
		return;
	}
	out->names = pd_arena_alloc(&l->names, f.n * sizeof(*out->names));
	memcpy(out->names, f.names, f.n * sizeof(*out->names));
	out->n = (uint32_t)f.n;
	for (size_t i = 0; i < f.n && i < 64; i++) {
		out->inlined |= (uint64_t)f.inlined[i] << i;
	}
}

// On the loader thread: the frames of location i of a file, made while
// the reading thread goes on.
static void resolve_job(void *arg, uint32_t i, struct pd_dso *d,
		uint64_t addr) {
	struct pd_locations *l = arg;
	struct resolved *r = res_slot(l, i);
	resolve_into(l, d, addr, &r->f);
	r->made = true;
}

static uint32_t find_or_add(struct pd_locations *l, struct pd_dso *d,
		uint64_t addr) {
	if (l->sealed) {
		errx(PD_ESOFTWARE, "location added after the table was sealed");
	}
	uint64_t h = pd_hash_key((uintptr_t)d * 31 + addr * 0x9e3779b97f4a7c15ULL);
	size_t j = pd_index_slot(&l->index, h);
	for (uint32_t e; (e = pd_index_probe(&l->index, h, &j));
			j = pd_index_next(&l->index, j)) {
		const struct pd_location *x = &l->v[e - 1];
		if (x->dso == d && x->addr == addr) {
			return e - 1;
		}
	}
	if (d) {
		pd_symbols_warm(l->syms, d);
		pd_symbols_warm_job(l->syms, d, resolve_job, l, (uint32_t)l->n,
			addr);
	}
	uint32_t id = pd_index_add(&l->index, j, h);
	pd_xgrow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = (struct pd_location){d, addr};
	return id;
}

// Adds addr to the distinct addresses outside any mapping: true if new.
static bool count_unmapped(struct pd_locations *l, uint64_t addr) {
	if (addr == UINT64_MAX) {
		bool fresh = !l->unmapped_last;
		l->unmapped_n += fresh;
		l->unmapped_last = true;
		return fresh;
	}
	if (4 * (l->unmapped_n + 1) > 3 * l->unmapped_slots) {
		size_t n = l->unmapped_slots ? 2 * l->unmapped_slots : 1024;
		uint64_t *v = pd_dense_alloc(n * sizeof(*v));
		for (size_t i = 0; i < l->unmapped_slots; i++) {
			uint64_t k = l->unmapped[i];
			if (k) {
				size_t j = pd_hash_key(k) & (n - 1);
				while (v[j]) {
					j = (j + 1) & (n - 1);
				}
				v[j] = k;
			}
		}
		pd_huge_free(l->unmapped,
			l->unmapped_slots * sizeof(*l->unmapped));
		l->unmapped = v;
		l->unmapped_slots = n;
	}
	uint64_t k = addr + 1;
	size_t j = pd_hash_key(k) & (l->unmapped_slots - 1);
	for (; l->unmapped[j]; j = (j + 1) & (l->unmapped_slots - 1)) {
		if (l->unmapped[j] == k) {
			return false;
		}
	}
	l->unmapped[j] = k;
	l->unmapped_n++;
	return true;
}

// The location of addr outside any mapping.
static uint32_t unmapped(struct pd_locations *l, uint64_t addr) {
	if (!l->merge_unmapped || l->sealed) {
		return find_or_add(l, NULL, addr); // (which fails once sealed)
	}
	if (count_unmapped(l, addr) && l->unmapped_counted) {
		l->st.frames++;
		l->st.unresolved++;
		l->st.unmapped++;
	}
	if (!l->unmapped_loc) {
		l->unmapped_loc = find_or_add(l, NULL, 0) + 1;
	}
	return l->unmapped_loc - 1;
}

static uint32_t locate_slow(struct pd_locations *l, struct pd_proc *proc,
		bool kernel, uint64_t ip, bool exact) {
	uint64_t look = exact || ip == 0 ? ip : ip - 1;
	if (kernel) {
		pd_symbols_prefetch_kernel(l->syms);
		return find_or_add(l, pd_symbols_kernel(l->syms), look);
	}
	const struct pd_map *m = proc ? pd_proc_find(proc, look) : NULL;
	if (!m) {
		return unmapped(l, look);
	}
	struct pd_dso *d = m->dso;
	uint64_t addr = look;
	enum pd_dso_kind k = pd_dso_ident(d)->kind;
	if (k == PD_DSO_FILE || k == PD_DSO_VDSO) {
		addr = look - m->start + m->pgoff;
	}
	return find_or_add(l, d, addr);
}

// Samples repeat the same few return addresses: a direct-mapped cache of
// (address space and its version, ip) -> location skips the map search
// and the location table for most frames.
static inline size_t cache_slot(uint64_t ip, uint64_t mix) {
	return (size_t)(((ip ^ mix) * 0x9e3779b97f4a7c15ULL)
		>> (64 - FRAME_BITS));
}

static inline uint64_t cache_mix(const struct pd_proc *key, bool exact) {
	return (uintptr_t)key * 0xc2b2ae3d27d4eb4fULL ^ exact;
}

// The location of ip through the cache (key: the address space or NULL
// for the kernel, gen its version, mix cache_mix of both).
static inline uint32_t locate_cached(struct pd_locations *l,
		struct pd_proc *proc, const struct pd_proc *key, uint64_t gen,
		uint64_t mix, bool kernel, uint64_t ip, bool exact) {
	uint8_t valid = 1 | (uint8_t)exact << 1;
	struct frame_cache *e = &l->cache[cache_slot(ip, mix)];
	if (e->ip == ip && e->valid == valid && e->proc == key && e->gen == gen) {
		return e->loc;
	}
	uint32_t loc = locate_slow(l, proc, kernel, ip, exact);
	*e = (struct frame_cache){key, gen, ip, loc, valid};
	return loc;
}

uint32_t pd_locations_locate(struct pd_locations *l, struct pd_proc *proc,
		bool kernel, uint64_t ip, bool exact) {
	const struct pd_proc *key = kernel ? NULL : proc;
	return locate_cached(l, proc, key, key ? key->generation : 0,
		cache_mix(key, exact), kernel, ip, exact);
}

void pd_locations_locate_ips(struct pd_locations *l, struct pd_proc *proc,
		bool kernel, const uint8_t *ips, size_t n, uint32_t *out) {
	const struct pd_proc *key = kernel ? NULL : proc;
	uint64_t gen = key ? key->generation : 0, mix = cache_mix(key, true);
	for (size_t i = 0; i < n; i++) {
		out[i] = locate_cached(l, proc, key, gen, mix, kernel,
			pd_get_u64(ips + 8 * i), true);
	}
}

const struct pd_location_frames *pd_locations_frames(struct pd_locations *l,
		uint32_t id) {
	struct resolved *r = res_slot(l, id);
	if (r->counted) {
		return &r->f;
	}
	const struct pd_location *x = &l->v[id];
	if (!r->made) {
		resolve_into(l, x->dso, x->addr, &r->f);
		r->made = true;
	}
	// Counted when first handed out, wherever it was resolved; the one
	// location of every address outside any mapping counts each (those
	// found later, as they are).
	r->counted = true;
	uint64_t n = 1;
	if (id + 1 == l->unmapped_loc) {
		n = l->unmapped_n;
		l->unmapped_counted = true;
	}
	l->st.frames += n;
	l->st.unresolved += r->f.n == 0 ? n : 0;
	l->st.unmapped += r->f.n == 0 && !x->dso ? n : 0;
	return &r->f;
}

void pd_locations_resolve_files(struct pd_locations *l) {
	pd_symbols_warm_finish(l->syms);
	for (size_t i = 0; i < l->n; i++) {
		const struct pd_location *x = &l->v[i];
		if (!x->dso || pd_dso_ident(x->dso)->kind != PD_DSO_KERNEL) {
			pd_locations_frames(l, (uint32_t)i);
		}
	}
}
