// SPDX-License-Identifier: MIT
// Symbols for PLT entries (name@plt), which no symbol table lists: perf
// synthesizes them from the PLT relocations, and stacks through calls to
// other libraries pass through them.
#include "symbols.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "symbols-internal.h"
#include "alloc.h"
#include "strbuf.h"

struct plt_rel {
	uint64_t got;    // r_offset: the GOT slot, in PLT order
	uint64_t addend; // for IRELATIVE: the IFUNC resolver's address
	uint32_t sym;    // .dynsym index, 0 for IRELATIVE
};

static int cmp_rel(const void *a, const void *b) {
	const struct plt_rel *x = a, *y = b;
	return (x->got > y->got) - (x->got < y->got);
}

static Elf_Scn *section(Elf *elf, size_t shstrndx, const char *want,
		GElf_Shdr *sh) {
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		const char *name;
		if (gelf_getshdr(scn, sh) && (name = elf_strptr(elf, shstrndx,
				sh->sh_name)) && strcmp(name, want) == 0) {
			return sh->sh_type == SHT_NOBITS ? NULL : scn;
		}
	}
	return NULL;
}

// Reads the PLT relocations, sorted into PLT order (x86-64 lists IFUNC
// ones out of order); NULL if there are none.
static struct plt_rel *read_rels(Elf *elf, Elf_Scn *scn,
		const GElf_Shdr *sh, size_t *n) {
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t each = sh->sh_type == SHT_RELA ? sizeof(Elf64_Rela)
		: sizeof(Elf64_Rel);
	if (!data || gelf_getclass(elf) != ELFCLASS64) {
		return NULL;
	}
	*n = data->d_size / each;
	if (*n == 0) {
		return NULL;
	}
	struct plt_rel *v = pd_xmalloc(*n * sizeof(*v));
	for (size_t i = 0; i < *n; i++) {
		GElf_Rela r = {0};
		GElf_Rel rel;
		if (sh->sh_type == SHT_RELA) {
			gelf_getrela(data, (int)i, &r);
		} else if (gelf_getrel(data, (int)i, &rel)) {
			r.r_offset = rel.r_offset;
			r.r_info = rel.r_info;
		}
		v[i] = (struct plt_rel){r.r_offset, (uint64_t)r.r_addend,
			(uint32_t)GELF_R_SYM(r.r_info)};
	}
	qsort(v, *n, sizeof(*v), cmp_rel);
	return v;
}

size_t pd_symbols_plt(struct pd_dso *d, struct pd_sym **syms, size_t *n,
		size_t *cap, uint32_t index) {
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(d->mod, &bias);
	GElf_Ehdr eh;
	size_t shstrndx;
	if (!elf || !gelf_getehdr(elf, &eh)
			|| elf_getshdrstrndx(elf, &shstrndx) != 0) {
		return 0;
	}
	uint64_t header, entry = 16;
	if (eh.e_machine == EM_X86_64) {
		header = 16;
	} else if (eh.e_machine == EM_AARCH64) {
		header = 32;
	} else {
		return 0;
	}
	GElf_Shdr plt, sec, relsh, dynsh;
	Elf_Scn *rel = section(elf, shstrndx, ".rela.plt", &relsh);
	if (!rel) {
		rel = section(elf, shstrndx, ".rel.plt", &relsh);
	}
	Elf_Scn *dyn = rel ? elf_getscn(elf, relsh.sh_link) : NULL;
	Elf_Data *dynsyms = dyn ? elf_getdata(dyn, NULL) : NULL;
	if (!section(elf, shstrndx, ".plt", &plt) || !dynsyms
			|| !gelf_getshdr(dyn, &dynsh) || dynsh.sh_type != SHT_DYNSYM
			|| (relsh.sh_type != SHT_RELA && relsh.sh_type != SHT_REL)) {
		return 0;
	}
	size_t nrel;
	struct plt_rel *rels = read_rels(elf, rel, &relsh, &nrel);
	if (!rels) {
		return 0;
	}
	// With IBT the entries proper are in .plt.sec, without a header;
	// a .plt with exactly one entry per relocation has no header either.
	uint64_t first = plt.sh_addr + header;
	if (section(elf, shstrndx, ".plt.sec", &sec)) {
		first = sec.sh_addr;
	} else if (nrel * entry == plt.sh_size) {
		first = plt.sh_addr;
	}
	// The names ("name@plt") live in one block the DSO owns.
	struct pd_strbuf names = {0};
	size_t *offs = pd_xmalloc(nrel * sizeof(*offs)), added = 0;
	for (size_t i = 0; i < nrel; i++) {
		GElf_Sym sym;
		const char *name = gelf_getsym(dynsyms, (int)rels[i].sym, &sym)
			? elf_strptr(elf, dynsh.sh_link, sym.st_name) : NULL;
		offs[i] = SIZE_MAX;
		if (rels[i].sym == 0 && relsh.sh_type == SHT_RELA) {
			offs[i] = SIZE_MAX - 1; // IRELATIVE: named at lookup
		} else if (name && *name) {
			offs[i] = names.len;
			pd_strbuf_printf(&names, "%s@plt", name);
			pd_strbuf_addc(&names, '\0');
		}
	}
	d->plt_names = names.s;
	for (size_t i = 0; i < nrel; i++) {
		if (offs[i] == SIZE_MAX) {
			continue;
		}
		uint64_t start = first + i * entry + bias;
		bool ifunc = offs[i] == SIZE_MAX - 1;
		pd_xgrow(syms, cap, *n + 1, sizeof(**syms));
		(*syms)[(*n)++] = (struct pd_sym){.start = start,
			.end = start + entry, .name = ifunc ? "" : names.s + offs[i],
			.index = index + (uint32_t)i, .bind = STB_GLOBAL,
			.ifunc = ifunc ? rels[i].addend + bias : 0};
		added++;
	}
	free(offs);
	free(rels);
	return added;
}
