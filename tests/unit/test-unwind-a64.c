// SPDX-License-Identifier: MIT
// Synthetic aarch64 unwind: a hand-made sample (registers and stack dump)
// in testdata/bin/a64-frames (built from testdata/src/a64-frames.c with
// aarch64-linux-gnu-gcc -O1 -g -fno-omit-frame-pointer
// -fasynchronous-unwind-tables -nostdlib -static), stopped in mid() called
// from main() called from _start(). Addresses from its objdump:
//   mid 0x400114..: pc 0x400120 (after its prologue: CFA = sp + 16,
//                   x29 at CFA - 16, x30 at CFA - 8)
//   main returns to 0x400138 from mid, _start to 0x400150 from main.
// usage: test-unwind-a64 SRCDIR
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "perf.h"
#include "symbols.h"
#include "unwind.h"
#include "check.h"
#include "mmap2.h"

#define SP 0x7ffff000ULL

int main(int argc, char **argv) {
	if (argc != 2) {
		return 99;
	}
	struct pd_symbols_options so = {.symfs = argv[1], .demangle = true};
	struct pd_symbols *syms = pd_symbols_create(&so);
	struct pd_maps *maps = pd_maps_create(syms);

	// MMAP2 of the binary's one PT_LOAD (offset 0 at 0x400000).
	test_mmap2(maps, 1, 0x400000, 0x1000, 0, "/testdata/bin/a64-frames");

	// perf's arm64 registers: x0..x30 = 0..30, sp = 31, pc = 32.
	uint64_t regs[33] = {0};
	regs[29] = SP;           // mid's frame pointer (= sp after prologue)
	regs[30] = 0x400138;     // lr: still main's return address
	regs[31] = SP;
	regs[32] = 0x400120;
	uint64_t stack[6] = {
		SP + 16, 0x400138,   // mid's saved x29, x30
		SP + 32, 0x400150,   // main's saved x29, x30
		0, 0,                // _start's: the end
	};
	struct pd_sample s = {
		.misc = PD_MISC_USER,
		.pid = 1, .tid = 1,
		.ip = 0x400120,
		.regs_abi = 2,
		.regs_mask = (1ULL << 33) - 1,
		.regs = (const uint8_t *)regs,
		.stack = (const uint8_t *)stack,
		.stack_size = sizeof(stack),
		.stack_dyn = sizeof(stack),
	};
	struct pd_unwind *u = pd_unwind_create(syms, "aarch64");
	CHECK(u != NULL);
	struct pd_unwind_frame out[8];
	enum pd_unwind_end end = PD_UNWIND_NEND;
	size_t n = u ? pd_unwind_sample(u, pd_maps_proc(maps, 1), &s, out, 8,
		&end) : 0;
	const uint64_t want[] = {0x400120, 0x400138, 0x400150};
	const char *names[] = {"mid", "main", "_start"};
	CHECK(n == 3);
	CHECK(end == PD_UNWIND_DONE);
	struct pd_dso *d = pd_maps_proc(maps, 1)->maps[0].dso;
	for (size_t i = 0; i < n && i < 3; i++) {
		CHECK(out[i].pc == want[i]);
		CHECK(out[i].exact == (i == 0));
		// Return addresses are looked up inside their call.
		uint64_t look = out[i].pc - (out[i].exact ? 0 : 1);
		struct pd_frames f;
		pd_symbols_resolve(syms, d, look - 0x400000, &f);
		CHECK(f.n >= 1 && !strcmp(f.names[f.n - 1], names[i]));
	}

	// A dump cut after mid's frame: the walk stops, frames so far kept.
	s.stack_dyn = 16;
	n = u ? pd_unwind_sample(u, pd_maps_proc(maps, 1), &s, out, 8, &end) : 0;
	CHECK(n == 2 && end == PD_UNWIND_STACK_END);

	pd_unwind_destroy(u);
	pd_maps_destroy(maps);
	pd_symbols_destroy(syms);
	return check_status();
}
