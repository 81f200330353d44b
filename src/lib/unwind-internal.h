// SPDX-License-Identifier: MIT
// The unwinder's rules, shared by unwind.c (which makes and applies them)
// and unwind-cache.c (which keeps them between runs).
#ifndef PD_UNWIND_INTERNAL_H
#define PD_UNWIND_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "hash.h"
#include "symbols.h"

#define MAX_REGS 33
#define MAX_EVAL 16

struct arch {
	const char *name;
	unsigned nregs;           // DWARF registers 0 .. nregs-1 are tracked
	unsigned sp;              // DWARF number of the stack pointer
	unsigned fp, ra;          // of the frame pointer, return address column
	unsigned perf_pc;         // perf register number of the pc
	int8_t perf_of[MAX_REGS]; // DWARF number -> perf number (-1: none)
};

enum rule_kind {
	K_SAME,    // unchanged
	K_UNDEF,   // not recoverable
	K_AT_CFA,  // saved at CFA + off
	K_VAL_CFA, // value CFA + off
	K_REG,     // value of register src
	K_EXPR,    // DWARF location (or value) expression ops[off .. off+n)
};

struct reg_rule {
	uint8_t reg, kind, src;
	uint8_t nops;
	int32_t off; // offset, or first op of an expression
};

// RULE_ENTRY: no CFI, but the pc is in the file's entry routine (ld.so's
// _start has none): nothing called it, so the stack is complete there.
enum { RULE_OK, RULE_NONE, RULE_BAD, RULE_ENTRY };

// How far past the ELF entry point a pc without CFI still counts as the
// entry routine: glibc's are 38 (crt1 _start) and 61 (ld.so) bytes.
#define ENTRY_SPAN 64

struct rule {
	uint8_t status;
	uint8_t cfa_kind; // K_REG (cfa_reg + cfa_off) or K_EXPR
	uint8_t cfa_reg, cfa_nops;
	uint8_t ra;       // return-address column
	uint8_t nlisted;  // reg_rules[first .. first+nlisted)
	bool signal;      // signal frame: the caller's pc is exact
	bool at_cfa;      // every listed rule is K_AT_CFA or K_VAL_CFA
	int32_t cfa_off;
	uint32_t first;
	uint64_t keep;    // registers whose rule is "same value"
};

// Per-DSO rules: file offset -> rule.
struct dso_rules {
	struct pd_map64 index; // offset + 1 -> position in rules
	struct rule *rules;
	size_t nrules, rules_cap;
	struct reg_rule *regs;
	size_t nregs, regs_cap;
	Dwarf_Op *ops;
	size_t nops, ops_cap;
	bool cfi_tried, dbg_tried;
	Dwfl *dwfl;       // the unwinder's own handle on the DSO
	Dwfl_Module *mod;
	Dwarf_CFI *eh, *dbg;
	Dwarf_Addr eh_bias, dbg_bias;
	// The persistent cache (unwind-cache.c): each rule's file offset, the
	// entry's path (NULL: not kept), the file as opened and its path, and
	// the rules the entry held.
	uint64_t *offs;
	size_t offs_cap;
	char *entry, *opened;
	struct pd_cfi_src *src;
	size_t nsaved;
};

// Applies each usable rule of dr (for an architecture of nregs
// registers) to registers regs[0, nregs) with stack dump stack[0, n) at
// regs' stack pointer; returns how many gave a caller. For fuzzing rules
// read from the cache (tests/fuzz/fuzz-cfi.c).
size_t pd_unwind_try_rules(const struct dso_rules *dr, unsigned nregs,
	const uint64_t *regs, const uint8_t *stack, size_t n);

// The CFA's offset from the stack pointer that the unwinder gives module
// address a of mod when it has no CFI and lies in an x86-64 PLT (.plt,
// .plt.sec, .plt.got), or 0 if it lies in none. For tests
// (tests/unit/plt-cfa-tool.c).
int32_t pd_unwind_plt_cfa(Dwfl_Module *mod, Dwarf_Addr a);

// unwind-cache.c: a DSO's rules kept in the cache directory between runs,
// for the file they were made from (when made from it alone: .eh_frame
// and the program headers, never .debug_frame).
struct pd_cfi_src {
	uint64_t size, mtime, ino, dev; // the file's, as opened
	uint8_t build_id[20];
	uint8_t pd_build[20];           // the pd (and libdw) that made them
	uint32_t build_id_len, arch;    // arch: its number of registers
	uint32_t machine, pad;          // a hash of the architecture's name
};

// Fills dr's rules (none yet) from the entry buf[0, n) (8-aligned) if it
// holds together and was made from src for an architecture of nregs
// registers; false (dr unchanged) if not.
bool pd_cfi_parse(const uint8_t *buf, size_t n, const struct pd_cfi_src *src,
	unsigned nregs, struct dso_rules *dr);
// The checksum of entry buf[0, n) (its header, with the checksum's own
// bytes taken as zeros, and its body).
uint64_t pd_cfi_checksum(const uint8_t *buf, size_t n);
// Loads the entry for d's file (opened at path, fstat st) into dr, and
// notes where to save. Nothing if the cache is off.
void pd_cfi_load(struct pd_symbols *s, struct pd_dso *d, const char *arch,
	unsigned nregs, struct dso_rules *dr, const char *path,
	const struct stat *st);
// Writes dr's rules if it made new ones from the file alone, unchanged
// since it was opened.
void pd_cfi_save(struct dso_rules *dr);
// Frees what the cache keeps in dr.
void pd_cfi_free(struct dso_rules *dr);

#endif
