// SPDX-License-Identifier: MIT
// Unit test of the map timeline: MMAP2 overlaps split older maps, FORK
// copies them (unless FORK_EXEC), an exec keeps them until the new image's
// maps replace them (perf's rule), COMM names threads; and the cache of
// locations in front of the maps.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locations.h"
#include "maps.h"
#include "perf.h"
#include "symbols.h"
#include "check.h"

static uint8_t buf[256];

static struct pd_record record(uint32_t type, uint16_t misc, size_t size) {
	memcpy(buf, &type, 4);
	memcpy(buf + 4, &misc, 2);
	uint16_t sz = (uint16_t)size;
	memcpy(buf + 6, &sz, 2);
	return (struct pd_record){.type = type, .misc = misc, .size = sz,
		.data = buf};
}

static void put32(size_t off, uint32_t v) {
	memcpy(buf + off, &v, 4);
}

static void put64(size_t off, uint64_t v) {
	memcpy(buf + off, &v, 8);
}

// MMAP2 of [start, start + len) at file offset pgoff of name, by pid.
static void mmap2(struct pd_maps *m, uint32_t pid, uint64_t start,
		uint64_t len, uint64_t pgoff, const char *name) {
	memset(buf, 0, sizeof(buf));
	struct pd_record r = record(PD_REC_MMAP2, PD_MISC_USER, 72 + 64);
	put32(8, pid);
	put32(12, pid);
	put64(16, start);
	put64(24, len);
	put64(32, pgoff);
	put32(64, 5); // PROT_READ | PROT_EXEC
	strcpy((char *)buf + 72, name);
	CHECK(pd_maps_apply(m, &r));
}

static void fork_(struct pd_maps *m, uint32_t pid, uint32_t ppid,
		uint16_t misc) {
	memset(buf, 0, sizeof(buf));
	struct pd_record r = record(PD_REC_FORK, misc, 40);
	put32(8, pid);
	put32(12, ppid);
	put32(16, pid);
	put32(20, ppid);
	CHECK(pd_maps_apply(m, &r));
}

static void comm(struct pd_maps *m, uint32_t pid, uint32_t tid,
		const char *name, bool exec) {
	memset(buf, 0, sizeof(buf));
	struct pd_record r = record(PD_REC_COMM,
		exec ? PD_MISC_COMM_EXEC : 0, 40);
	put32(8, pid);
	put32(12, tid);
	strcpy((char *)buf + 16, name);
	CHECK(pd_maps_apply(m, &r));
}

static const char *at(struct pd_maps *m, uint32_t pid, uint64_t addr,
		uint64_t *pgoff) {
	const struct pd_map *map = pd_proc_find(pd_maps_proc(m, pid), addr);
	if (!map) {
		return NULL;
	}
	*pgoff = addr - map->start + map->pgoff;
	return pd_dso_ident(map->dso)->name;
}

int main(void) {
	struct pd_symbols_options so = {.demangle = true};
	struct pd_symbols *syms = pd_symbols_create(&so);
	struct pd_maps *m = pd_maps_create(syms);
	uint64_t off = 0;

	// An older map cut in three by a newer one in its middle.
	mmap2(m, 10, 0x1000, 0x9000, 0, "/a");
	mmap2(m, 10, 0x4000, 0x2000, 0x100000, "/b");
	CHECK(at(m, 10, 0x3fff, &off) && !strcmp(at(m, 10, 0x3fff, &off), "/a")
		&& off == 0x2fff);
	CHECK(!strcmp(at(m, 10, 0x4000, &off), "/b") && off == 0x100000);
	CHECK(!strcmp(at(m, 10, 0x5fff, &off), "/b") && off == 0x101fff);
	// The right part of /a keeps its file offset: 0x6000 - 0x1000.
	CHECK(!strcmp(at(m, 10, 0x6000, &off), "/a") && off == 0x5000);
	CHECK(!strcmp(at(m, 10, 0x9fff, &off), "/a") && off == 0x8fff);
	CHECK(at(m, 10, 0xa000, &off) == NULL && at(m, 10, 0xfff, &off) == NULL);

	// A map covering several older ones replaces them all.
	mmap2(m, 10, 0x2000, 0x7000, 0, "/c");
	CHECK(!strcmp(at(m, 10, 0x1fff, &off), "/a"));
	CHECK(!strcmp(at(m, 10, 0x2000, &off), "/c"));
	CHECK(!strcmp(at(m, 10, 0x8fff, &off), "/c") && off == 0x6fff);
	CHECK(!strcmp(at(m, 10, 0x9000, &off), "/a") && off == 0x8000);
	CHECK(pd_maps_proc(m, 10)->nmaps == 3);

	// fork copies the parent's maps; perf's FORK_EXEC fork does not.
	comm(m, 10, 10, "parent", false);
	fork_(m, 11, 10, 0);
	CHECK(!strcmp(at(m, 11, 0x2000, &off), "/c"));
	CHECK(!strcmp(pd_maps_comm(m, 11, 11), "parent"));
	fork_(m, 12, 10, PD_MISC_FORK_EXEC);
	CHECK(at(m, 12, 0x2000, &off) == NULL);

	// exec keeps the old image until replaced; a thread keeps its
	// process's maps.
	comm(m, 11, 11, "child", true);
	CHECK(!strcmp(at(m, 11, 0x2000, &off), "/c"));
	mmap2(m, 11, 0x1000, 0x2000, 0, "/new");
	CHECK(!strcmp(at(m, 11, 0x2000, &off), "/new"));
	CHECK(!strcmp(pd_maps_comm(m, 11, 11), "child"));
	fork_(m, 10, 10, 0); // a new thread 10/10: same process
	CHECK(!strcmp(at(m, 10, 0x2000, &off), "/c"));

	// Unnamed threads are ":TID", the idle task is "swapper".
	CHECK(!strcmp(pd_maps_comm(m, 99, 99), ":99"));
	CHECK(!strcmp(pd_maps_comm(m, 0, 0), "swapper"));

	// The location cache tells addresses apart in all 64 bits: with its
	// top bit set an address is another one (here outside any map).
	struct pd_locations *l = pd_locations_create(syms, true);
	struct pd_proc *p = pd_maps_proc(m, 10);
	uint32_t a = pd_locations_locate(l, p, false, 0x1000, true);
	uint32_t b = pd_locations_locate(l, p, false, 0x1000 | 1ull << 63, true);
	CHECK(a != b && pd_locations_at(l, a)->dso && !pd_locations_at(l, b)->dso);
	CHECK(pd_locations_locate(l, p, false, 0x1000, true) == a);
	// With addresses shown, each one outside any map is a location,
	// counted once.
	uint32_t c = pd_locations_locate(l, p, false, 0x9000 | 1ull << 63, true);
	CHECK(c != b && !pd_locations_at(l, c)->dso);
	pd_symbols_warm_finish(syms); // (the loader thread writes l's frames)
	CHECK(pd_locations_frames(l, b)->n == 0);
	CHECK(pd_locations_frames(l, c)->n == 0);
	const struct pd_location_stats *st = pd_locations_stats(l);
	CHECK(st->frames == 2 && st->unresolved == 2 && st->unmapped == 2);
	pd_locations_destroy(l);

	// Else they are one location (all "[unknown]"), which the statistics
	// count as the distinct addresses it stands for: 5000 addresses, 0
	// and the last one (which the set cannot store + 1), looked up in
	// two address spaces, the second time out of the frame cache (its
	// key is the space), so that the set must know them again.
	l = pd_locations_create(syms, false);
	struct pd_proc *q = pd_maps_proc(m, 77); // no maps
	b = pd_locations_locate(l, p, false, 1ull << 63, true);
	uint32_t same = 0;
	for (int pass = 0; pass < 2; pass++) {
		struct pd_proc *in = pass ? q : p;
		for (uint64_t i = 0; i < 5000; i++) {
			same += pd_locations_locate(l, in, false,
				(1ull << 63) + 64 * i, true) == b;
		}
		same += pd_locations_locate(l, in, false, UINT64_MAX, true) == b;
		same += pd_locations_locate(l, in, false, 0, true) == b;
	}
	// A return address is looked up one byte before: UINT64_MAX - 1.
	same += pd_locations_locate(l, q, false, UINT64_MAX, false) == b;
	a = pd_locations_locate(l, p, false, 0x1000, true);
	CHECK(same == 10005 && a != b && !pd_locations_at(l, b)->dso);
	CHECK(pd_locations_count(l) == 2);
	CHECK(pd_locations_frames(l, b)->n == 0);
	pd_locations_frames(l, b); // counted once
	st = pd_locations_stats(l);
	CHECK(st->frames == 5003 && st->unresolved == 5003
		&& st->unmapped == 5003);
	// One found after they were counted counts then.
	CHECK(pd_locations_locate(l, q, false, 5, true) == b);
	CHECK(pd_locations_locate(l, p, false, 5, true) == b);
	CHECK(st->frames == 5004 && st->unresolved == 5004
		&& st->unmapped == 5004);
	pd_locations_destroy(l);

	pd_maps_destroy(m);
	pd_symbols_destroy(syms);
	return check_status();
}
