// SPDX-License-Identifier: MIT
// Test helper: for every byte of an x86-64 binary's PLT sections (.plt,
// .plt.sec, .plt.got), the CFA the linker's own CFI gives there (GNU ld
// writes it unless --no-ld-generated-unwind-info) against the one pd's
// unwinder makes up for a PLT without CFI (pd_unwind_plt_cfa). Prints
// each difference; exit 0 none, 1 some, 77 no PLT byte has CFI to check.
// usage: plt-cfa-tool FILE
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unwind-internal.h"

// The CFA's offset from rsp that ops give at pc: rsp + N, or GNU ld's
// expression for a lazy .plt (breg7 N; breg16 0; lit15; and; litK; ge;
// lit3; shl; plus). -1 for anything else.
static long cfa_of(const Dwarf_Op *ops, size_t n, Dwarf_Addr pc) {
	long st[8];
	size_t sp = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t op = ops[i].atom;
		// libdw gives a register + offset rule as DW_OP_bregx.
		unsigned reg = op == DW_OP_bregx ? (unsigned)ops[i].number
			: op >= DW_OP_breg0 && op <= DW_OP_breg31
			? (unsigned)(op - DW_OP_breg0) : 99;
		long off = (long)(op == DW_OP_bregx ? ops[i].number2
			: ops[i].number);
		if (reg == 7 || reg == 16) { // rsp (0 here), rip
			if (sp == 8) {
				return -1;
			}
			st[sp++] = off + (reg == 16 ? (long)pc : 0);
		} else if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			if (sp == 8) {
				return -1;
			}
			st[sp++] = op - DW_OP_lit0;
		} else if (op == DW_OP_const1u) {
			if (sp == 8) {
				return -1;
			}
			st[sp++] = (long)ops[i].number;
		} else if (sp >= 2 && (op == DW_OP_and || op == DW_OP_ge
				|| op == DW_OP_shl || op == DW_OP_plus)) {
			long b = st[--sp], a = st[sp - 1];
			st[sp - 1] = op == DW_OP_and ? (a & b) : op == DW_OP_ge
				? a >= b : op == DW_OP_shl ? a << b : a + b;
		} else {
			return -1;
		}
	}
	return sp == 1 ? st[0] : -1;
}

static char *debuginfo_path;
static const Dwfl_Callbacks callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
	.find_elf = dwfl_build_id_find_elf,
};

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: plt-cfa-tool FILE\n");
		return 2;
	}
	Dwfl *dwfl = dwfl_begin(&callbacks);
	Dwfl_Module *mod = dwfl ? dwfl_report_offline(dwfl, "", argv[1], -1)
		: NULL;
	dwfl_report_end(dwfl, NULL, NULL);
	GElf_Addr bias, cfi_bias;
	Elf *elf = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	Dwarf_CFI *cfi = mod ? dwfl_module_eh_cfi(mod, &cfi_bias) : NULL;
	size_t shstrndx;
	if (!elf || !cfi || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		fprintf(stderr, "plt-cfa-tool: %s: no ELF file with .eh_frame\n",
			argv[1]);
		return 99;
	}
	size_t checked = 0, wrong = 0;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx,
				sh.sh_name)) || strncmp(name, ".plt", 4) != 0
				|| !(sh.sh_flags & SHF_EXECINSTR)) {
			continue;
		}
		size_t here = 0;
		for (GElf_Addr at = 0; at < sh.sh_size; at++) {
			Dwarf_Addr a = sh.sh_addr + bias + at;
			Dwarf_Frame *f;
			Dwarf_Op *ops;
			size_t nops;
			if (dwarf_cfi_addrframe(cfi, a - cfi_bias, &f) != 0) {
				continue;
			}
			long want = dwarf_frame_cfa(f, &ops, &nops) == 0
				? cfa_of(ops, nops, a) : -1;
			free(f);
			long got = pd_unwind_plt_cfa(mod, a);
			here++;
			if (want != got) {
				printf("%s+%#llx: CFI gives rsp%+ld, pd rsp%+ld\n", name,
					(unsigned long long)at, want, got);
				wrong++;
			}
		}
		printf("%s: %zu bytes with CFI checked\n", name, here);
		checked += here;
	}
	dwfl_end(dwfl);
	return wrong ? 1 : checked ? 0 : 77;
}
