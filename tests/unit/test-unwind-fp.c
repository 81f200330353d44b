// SPDX-License-Identifier: MIT
// The frame-pointer fallback on a hand-made x86_64 sample: leaf() (CFI)
// was called from JIT code (anonymous memory, no CFI, a frame pointer),
// called from nocfi() (in the ELF file but without CFI), called from
// main() (CFI), called from _start. testdata/bin/x64-frames (see
// testdata/README.md); from its objdump and CFI:
//   leaf 0x40100e (at entry: CFA = rsp + 8), nocfi returns to 0x401009,
//   main to 0x401020 (CFA = rbp + 16), _start to 0x40102e (rbp + 16).
// (nocfi is linked first: pcs without CFI just past the ELF entry point
// count as the entry routine, where unwinds end.)
// usage: test-unwind-fp SRCDIR
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
#define JIT 0x7f0000001000ULL

// Unwinds s; returns the number of frames, their pcs in pc[].
static size_t unwind(struct pd_unwind *u, struct pd_maps *maps,
		const struct pd_sample *s, struct pd_unwind_frame *out,
		enum pd_unwind_end *end) {
	return pd_unwind_sample(u, pd_maps_proc(maps, 1), s, out, 16, end);
}

int main(int argc, char **argv) {
	if (argc != 2) {
		return 99;
	}
	struct pd_symbols_options so = {.symfs = argv[1], .demangle = true};
	struct pd_symbols *syms = pd_symbols_create(&so);
	struct pd_maps *maps = pd_maps_create(syms);
	test_mmap2(maps, 1, 0x401000, 0x1000, 0x1000, "/testdata/bin/x64-frames");
	test_mmap2(maps, 1, 0x7f0000000000ULL, 0x10000, 0, "//anon");

	// perf's x86 registers: BP 6, SP 7, IP 8 (mask: those three).
	uint64_t regs[3] = {SP + 16, SP, 0x40100e};
	uint64_t stack[16] = {
		JIT + 0x34, 0,          // leaf's return address; filler
		SP + 48, 0x401009,      // JIT frame: caller's rbp, return address
		0, 0,
		SP + 80, 0x401020,      // nocfi's frame
		0, 0,
		SP + 112, 0x40102e,     // main's frame
		0, 0,
		0, 0,                   // _start's: the end
	};
	struct pd_sample s = {
		.misc = PD_MISC_USER,
		.pid = 1, .tid = 1,
		.ip = 0x40100e,
		.regs_abi = 2,
		.regs_mask = 1 << 6 | 1 << 7 | 1 << 8,
		.regs = (const uint8_t *)regs,
		.stack = (const uint8_t *)stack,
		.stack_size = sizeof(stack),
		.stack_dyn = sizeof(stack),
	};
	struct pd_unwind *u = pd_unwind_create(syms, "x86_64");
	struct pd_unwind_frame out[16];
	enum pd_unwind_end end = PD_UNWIND_NEND;
	size_t n = unwind(u, maps, &s, out, &end);
	const uint64_t want[] = {0x40100e, JIT + 0x34, 0x401009, 0x401020,
		0x40102e};
	const bool by_fp[] = {false, false, true, true, false};
	CHECK(n == 5);
	CHECK(end == PD_UNWIND_DONE);
	for (size_t i = 0; i < n && i < 5; i++) {
		CHECK(out[i].pc == want[i]);
		CHECK(out[i].fp == by_fp[i]);
	}

	// A frame pointer outside the dump is not followed: the frames found
	// so far are kept and the walk stops where the CFI ends.
	stack[2] = SP + 4096;
	n = unwind(u, maps, &s, out, &end);
	CHECK(n == 3 && end == PD_UNWIND_NO_CFI);
	stack[2] = SP + 48;

	// Nor one whose return address lies in no mapping.
	stack[3] = 0x1234;
	n = unwind(u, maps, &s, out, &end);
	CHECK(n == 2 && end == PD_UNWIND_NO_MAP);
	stack[3] = 0x401009;

	// Nor one below the stack pointer.
	regs[0] = SP - 64;
	stack[0] = 0x401009; // leaf returns into nocfi directly
	n = unwind(u, maps, &s, out, &end);
	CHECK(n == 2 && end == PD_UNWIND_NO_CFI);

	pd_unwind_destroy(u);
	pd_maps_destroy(maps);
	pd_symbols_destroy(syms);
	return check_status();
}
