// SPDX-License-Identifier: MIT
// DWARF unwinding of perf's user stack dumps. libdw parses the CFI
// (.eh_frame or .debug_frame); each CFI row met is turned once into a
// compact rule cached per (DSO, file offset), so a repeated pc costs a hash
// probe and a few stack reads. Rules libdw gives as DWARF expressions (PLT
// entries, signal frames) are kept as expressions and evaluated here.
#include "unwind.h"

#include <dwarf.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bytes.h"
#include "hash.h"
#include "unwind-internal.h"

// x86_64: DWARF rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip; perf numbers
// from arch/x86/include/uapi/asm/perf_regs.h.
static const struct arch arch_x86_64 = {"x86_64", 17, 7, 6, 16, 8,
	{0, 3, 2, 1, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 8}};
// aarch64: DWARF x0-x30 = 0-30, sp = 31; perf X0-X30 = 0-30, SP 31, PC 32.
static const struct arch arch_aarch64 = {"aarch64", 32, 31, 29, 30, 32,
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
	 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}};

struct pd_unwind {
	struct pd_symbols *syms;
	const struct arch *arch;
	// Where each DWARF register (and, last, the pc) sits among a
	// sample's registers for regs_mask mask (-1: not sampled). Every
	// sample of a recording has the same mask.
	uint64_t mask;
	int8_t slot[MAX_REGS + 1];
	// Rule caches and file handles by DSO id (pd_dso_ident), made on
	// first use.
	struct dso_rules **rules;
	size_t nrules;
	// The frame-pointer rule, for code without CFI (fp_init).
	struct dso_rules fp_regs;
	struct rule fp;
};

// The stack dump and the register file of the frame being unwound.
struct state {
	const uint8_t *stack;
	uint64_t sp0, dyn;
	const struct pd_proc *proc; // for memory outside the dump
	struct pd_unwind *u;
	uint64_t regs[MAX_REGS];
	uint64_t valid;
};

static void dso_rules_free(struct dso_rules *dr) {
	if (!dr) {
		return;
	}
	if (dr->dwfl) {
		dwfl_end(dr->dwfl);
	}
	pd_cfi_free(dr);
	pd_map64_free(&dr->index);
	free(dr->rules);
	free(dr->regs);
	free(dr->ops);
	free(dr);
}

// The frame-pointer rule for code without CFI (JIT code, V8's builtins,
// modules built without unwind tables), as x86_64 and aarch64 frame
// pointers chain: CFA = fp + 16, the return address at CFA - 8, the
// caller's fp at CFA - 16. Nothing else of the caller's is known.
static void fp_init(struct pd_unwind *u) {
	const struct arch *a = u->arch;
	struct dso_rules *dr = &u->fp_regs;
	dr->regs = pd_xmalloc(2 * sizeof(*dr->regs));
	dr->regs[0] = (struct reg_rule){.reg = (uint8_t)a->fp, .kind = K_AT_CFA,
		.off = -16};
	dr->regs[1] = (struct reg_rule){.reg = (uint8_t)a->ra, .kind = K_AT_CFA,
		.off = -8};
	dr->nregs = 2;
	u->fp = (struct rule){.status = RULE_OK, .cfa_kind = K_REG,
		.cfa_reg = (uint8_t)a->fp, .ra = (uint8_t)a->ra, .nlisted = 2,
		.at_cfa = true, .cfa_off = 16};
}

struct pd_unwind *pd_unwind_create(struct pd_symbols *syms, const char *arch) {
	const struct arch *a = NULL;
	if (!arch || strcmp(arch, "x86_64") == 0) {
		a = &arch_x86_64;
	} else if (strcmp(arch, "aarch64") == 0 || strcmp(arch, "arm64") == 0) {
		a = &arch_aarch64;
	}
	if (!a) {
		return NULL;
	}
	struct pd_unwind *u = pd_xcalloc(1, sizeof(*u));
	u->syms = syms;
	u->arch = a;
	fp_init(u);
	return u;
}

void pd_unwind_destroy(struct pd_unwind *u) {
	if (!u) {
		return;
	}
	for (size_t i = 0; i < u->nrules; i++) {
		dso_rules_free(u->rules[i]);
	}
	free(u->rules);
	free(u->fp_regs.regs);
	free(u);
}

void pd_unwind_cache_save(struct pd_unwind *u) {
	for (size_t i = 0; u && i < u->nrules; i++) {
		if (u->rules[i]) {
			pd_cfi_save(u->rules[i]);
		}
	}
}

bool pd_unwind_has_dump(const struct pd_sample *s) {
	return s->regs_abi != 0 && s->regs && s->regs_mask;
}

const char *pd_unwind_end_name(enum pd_unwind_end e) {
	static const char *const names[] = {
		[PD_UNWIND_DONE] = "complete",
		[PD_UNWIND_NO_REGS] = "no usable registers",
		[PD_UNWIND_NO_MAP] = "pc outside mapped ELF files",
		[PD_UNWIND_NO_CFI] = "no unwind info for pc",
		[PD_UNWIND_STACK_END] = "stack dump ended",
		[PD_UNWIND_BAD_FRAME] = "bad frame",
		[PD_UNWIND_MAX_DEPTH] = "frame limit reached",
	};
	return e < PD_UNWIND_NEND ? names[e] : "?";
}

// ---- reading the dump and evaluating DWARF expressions ----

static struct dso_rules *dso_rules_get(struct pd_unwind *u, struct pd_dso *d);

// Memory outside the stack dump: the bytes of the mapped file, which is
// right for code and read-only data (maps kept here are executable ones).
__attribute__((noinline))
static bool file_read(const struct state *st, uint64_t addr, uint64_t *v) {
	const struct pd_map *m = st->proc ? pd_proc_find(st->proc, addr) : NULL;
	if (!m || m->end - addr < 8 || (pd_dso_ident(m->dso)->kind != PD_DSO_FILE
			&& pd_dso_ident(m->dso)->kind != PD_DSO_VDSO)) {
		return false;
	}
	struct dso_rules *dr = dso_rules_get(st->u, m->dso);
	GElf_Addr bias;
	Elf *elf = dr->mod ? dwfl_module_getelf(dr->mod, &bias) : NULL;
	size_t size;
	const char *raw = elf ? elf_rawfile(elf, &size) : NULL;
	uint64_t off = addr - m->start + m->pgoff;
	if (!raw || off > size || size - off < 8) {
		return false;
	}
	*v = pd_get_u64(raw + off);
	return true;
}

static inline bool mem_read(const struct state *st, uint64_t addr,
		uint64_t *v) {
	uint64_t off = addr - st->sp0;
	if (__builtin_expect(addr < st->sp0 || off > st->dyn
			|| st->dyn - off < 8, 0)) {
		return file_read(st, addr, v);
	}
	*v = pd_get_u64(st->stack + off);
	return true;
}

static bool reg_get(const struct state *st, unsigned r, uint64_t *v) {
	if (r >= MAX_REGS || !(st->valid >> r & 1)) {
		return false;
	}
	*v = st->regs[r];
	return true;
}

// Evaluates a DWARF expression (the subset CFI uses). Sets *is_value when
// the result is a value (DW_OP_stack_value, or want_value for CFA
// expressions) rather than an address; a lone DW_OP_regN yields the
// register's value.
static bool eval(const struct state *st, const Dwarf_Op *ops, size_t n,
		uint64_t cfa, bool have_cfa, uint64_t *out, bool *is_value) {
	uint64_t s[MAX_EVAL];
	size_t sp = 0;
	*is_value = false;
	if (n == 1 && ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) {
		*is_value = true;
		return reg_get(st, ops[0].atom - DW_OP_reg0, out);
	}
	if (n == 1 && ops[0].atom == DW_OP_regx) {
		*is_value = true;
		return reg_get(st, (unsigned)ops[0].number, out);
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t a = ops[i].atom;
		uint64_t x, y;
		if (sp >= MAX_EVAL - 1) {
			return false;
		}
		if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
			s[sp++] = a - DW_OP_lit0;
			continue;
		}
		if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
			if (!reg_get(st, a - DW_OP_breg0, &x)) {
				return false;
			}
			s[sp++] = x + ops[i].number;
			continue;
		}
		switch (a) {
		case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u:
		case DW_OP_const2s: case DW_OP_const4u: case DW_OP_const4s:
		case DW_OP_const8u: case DW_OP_const8s: case DW_OP_constu:
		case DW_OP_consts: case DW_OP_addr:
			s[sp++] = ops[i].number;
			continue;
		case DW_OP_bregx:
			if (!reg_get(st, (unsigned)ops[i].number, &x)) {
				return false;
			}
			s[sp++] = x + ops[i].number2;
			continue;
		case DW_OP_call_frame_cfa:
			if (!have_cfa) {
				return false;
			}
			s[sp++] = cfa;
			continue;
		case DW_OP_stack_value:
			if (!sp || i + 1 != n) {
				return false;
			}
			*is_value = true;
			*out = s[sp - 1];
			return true;
		case DW_OP_nop:
			continue;
		default:
			break;
		}
		// Unary operators.
		if (!sp) {
			return false;
		}
		x = s[sp - 1];
		switch (a) {
		case DW_OP_dup:
			s[sp++] = x;
			continue;
		case DW_OP_drop:
			sp--;
			continue;
		case DW_OP_deref:
			if (!mem_read(st, x, &s[sp - 1])) {
				return false;
			}
			continue;
		case DW_OP_plus_uconst:
			s[sp - 1] = x + ops[i].number;
			continue;
		case DW_OP_neg:
			s[sp - 1] = -x;
			continue;
		case DW_OP_not:
			s[sp - 1] = ~x;
			continue;
		default:
			break;
		}
		// Binary operators: y op x.
		if (sp < 2) {
			return false;
		}
		y = s[sp - 2];
		uint64_t r;
		switch (a) {
		case DW_OP_over: s[sp++] = y; continue;
		case DW_OP_swap: s[sp - 1] = y; s[sp - 2] = x; continue;
		case DW_OP_plus: r = y + x; break;
		case DW_OP_minus: r = y - x; break;
		case DW_OP_mul: r = y * x; break;
		case DW_OP_and: r = y & x; break;
		case DW_OP_or: r = y | x; break;
		case DW_OP_xor: r = y ^ x; break;
		case DW_OP_shl: r = x < 64 ? y << x : 0; break;
		case DW_OP_shr: r = x < 64 ? y >> x : 0; break;
		case DW_OP_shra: r = (uint64_t)((int64_t)y >> (x < 63 ? x : 63));
			break;
		case DW_OP_eq: r = y == x; break;
		case DW_OP_ne: r = y != x; break;
		case DW_OP_ge: r = (int64_t)y >= (int64_t)x; break;
		case DW_OP_gt: r = (int64_t)y > (int64_t)x; break;
		case DW_OP_le: r = (int64_t)y <= (int64_t)x; break;
		case DW_OP_lt: r = (int64_t)y < (int64_t)x; break;
		default:
			return false; // not seen in CFI: give up on this frame
		}
		s[--sp - 1] = r;
	}
	if (!sp) {
		return false;
	}
	*out = s[sp - 1];
	return true;
}

// ---- building rules from libdw's CFI ----

static uint32_t add_ops(struct dso_rules *dr, const Dwarf_Op *ops, size_t n) {
	pd_xgrow(&dr->ops, &dr->ops_cap, dr->nops + n, sizeof(*dr->ops));
	memcpy(dr->ops + dr->nops, ops, n * sizeof(*ops));
	dr->nops += n;
	return (uint32_t)(dr->nops - n);
}

static bool fits32(int64_t v) {
	return v >= INT32_MIN && v <= INT32_MAX;
}

// Classifies one register's location description from dwarf_frame_register.
static void classify_reg(struct dso_rules *dr, struct reg_rule *rr,
		Dwarf_Op *ops, size_t n) {
	rr->kind = K_EXPR;
	if (n == 0) {
		rr->kind = ops ? K_UNDEF : K_SAME;
		return;
	}
	bool value = ops[n - 1].atom == DW_OP_stack_value;
	size_t m = value ? n - 1 : n;
	if (m >= 1 && ops[0].atom == DW_OP_call_frame_cfa) {
		int64_t off = 0;
		bool simple = true;
		if (m == 2 && ops[1].atom == DW_OP_plus_uconst) {
			off = (int64_t)ops[1].number;
		} else if (m == 3 && (ops[1].atom == DW_OP_consts
				|| ops[1].atom == DW_OP_constu)
				&& ops[2].atom == DW_OP_plus) {
			off = (int64_t)ops[1].number;
		} else if (m != 1) {
			simple = false;
		}
		if (simple && fits32(off)) {
			rr->kind = value ? K_VAL_CFA : K_AT_CFA;
			rr->off = (int32_t)off;
			return;
		}
	}
	if (n == 1 && ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) {
		rr->kind = K_REG;
		rr->src = ops[0].atom - DW_OP_reg0;
		return;
	}
	if (n > 255) {
		rr->kind = K_UNDEF;
		return;
	}
	rr->nops = (uint8_t)n;
	rr->off = (int32_t)add_ops(dr, ops, n);
}

static void fill_rule(const struct arch *arch, struct dso_rules *dr,
		Dwarf_Frame *f, struct rule *r) {
	bool signal = false;
	int ra = dwarf_frame_info(f, NULL, NULL, &signal);
	Dwarf_Op *ops;
	size_t n;
	r->status = RULE_BAD;
	if (ra < 0 || ra >= (int)arch->nregs || dwarf_frame_cfa(f, &ops, &n) != 0
			|| n == 0) {
		return;
	}
	r->ra = (uint8_t)ra;
	r->signal = signal;
	r->cfa_kind = K_EXPR;
	if (n == 1 && ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31
			&& fits32((int64_t)ops[0].number)) {
		r->cfa_kind = K_REG;
		r->cfa_reg = ops[0].atom - DW_OP_breg0;
		r->cfa_off = (int32_t)ops[0].number;
	} else if (n == 1 && ops[0].atom == DW_OP_bregx
			&& ops[0].number < arch->nregs
			&& fits32((int64_t)ops[0].number2)) {
		r->cfa_kind = K_REG;
		r->cfa_reg = (uint8_t)ops[0].number;
		r->cfa_off = (int32_t)ops[0].number2;
	} else if (n <= 255) {
		r->cfa_nops = (uint8_t)n;
		r->cfa_off = (int32_t)add_ops(dr, ops, n);
	} else {
		return;
	}
	r->first = (uint32_t)dr->nregs;
	r->at_cfa = true;
	for (unsigned reg = 0; reg < arch->nregs; reg++) {
		if (reg == arch->sp) {
			continue; // the caller's sp is the CFA
		}
		Dwarf_Op mem[3];
		struct reg_rule rr = {.reg = (uint8_t)reg};
		if (dwarf_frame_register(f, (int)reg, mem, &ops, &n) != 0) {
			continue; // unknown: undefined
		}
		classify_reg(dr, &rr, ops, n);
		if (rr.kind == K_SAME) {
			r->keep |= 1ULL << reg;
		} else if (rr.kind != K_UNDEF) {
			r->at_cfa &= rr.kind == K_AT_CFA || rr.kind == K_VAL_CFA;
			pd_xgrow(&dr->regs, &dr->regs_cap, dr->nregs + 1,
				sizeof(*dr->regs));
			dr->regs[dr->nregs++] = rr;
			r->nlisted++;
		}
	}
	r->status = RULE_OK;
}

static void cfi_init(struct dso_rules *dr, struct pd_dso *d) {
	if (dr->cfi_tried) {
		return;
	}
	dr->cfi_tried = true;
	dr->eh = dwfl_module_eh_cfi(dr->mod, &dr->eh_bias);
}

// The CFI row for a dwfl address: .eh_frame first, else .debug_frame
// (found with the debug info, possibly in a separate file).
static Dwarf_Frame *frame_at(struct dso_rules *dr, struct pd_dso *d,
		Dwarf_Addr a) {
	Dwarf_Frame *f = NULL;
	cfi_init(dr, d);
	if (dr->eh && dwarf_cfi_addrframe(dr->eh, a - dr->eh_bias, &f) == 0) {
		return f;
	}
	// .debug_frame only for modules without .eh_frame: loading it means
	// loading (and inflating) all the module's DWARF a second time, which
	// the symbol side already does on its own thread.
	if (!dr->dbg_tried && !dr->eh) {
		dr->dbg_tried = true;
		dr->dbg = dwfl_module_dwarf_cfi(dr->mod, &dr->dbg_bias);
	}
	if (dr->dbg && dwarf_cfi_addrframe(dr->dbg, a - dr->dbg_bias, &f) == 0) {
		return f;
	}
	return NULL;
}

// d's rule cache and its own handle on d's file (made on first use).
static struct dso_rules *dso_rules_get(struct pd_unwind *u, struct pd_dso *d) {
	uint32_t id = pd_dso_ident(d)->id;
	if (id >= u->nrules) {
		size_t old = u->nrules;
		pd_xgrow(&u->rules, &u->nrules, (size_t)id + 1, sizeof(*u->rules));
		memset(u->rules + old, 0, (u->nrules - old) * sizeof(*u->rules));
	}
	struct dso_rules *dr = u->rules[id];
	if (!dr) {
		dr = u->rules[id] = pd_xcalloc(1, sizeof(*dr));
		char *path;
		struct stat st;
		dr->mod = pd_dso_open_module(u->syms, d, &dr->dwfl, &path, &st);
		if (dr->mod) {
			pd_cfi_load(u->syms, d, u->arch->name, u->arch->nregs, dr,
				path, &st);
		}
		free(path);
	}
	return dr;
}

// Whether module address a lies in the first ENTRY_SPAN bytes of the
// module's ELF entry point.
static bool in_entry(Dwfl_Module *mod, Dwarf_Addr a) {
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	GElf_Ehdr eh;
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_entry == 0) {
		return false;
	}
	Dwarf_Addr entry = eh.e_entry + bias;
	return a >= entry && a - entry < ENTRY_SPAN;
}

// A PLT entry's rule (cfa: pd_unwind_plt_cfa's; 0: none): CFA = rsp +
// cfa, the return address below it, every other register unchanged.
static void plt_rule(struct dso_rules *dr, int32_t cfa, struct rule *r) {
	if (cfa == 0) {
		return;
	}
	const struct arch *a = &arch_x86_64;
	pd_xgrow(&dr->regs, &dr->regs_cap, dr->nregs + 1, sizeof(*dr->regs));
	dr->regs[dr->nregs] = (struct reg_rule){.reg = (uint8_t)a->ra,
		.kind = K_AT_CFA, .off = -8};
	*r = (struct rule){.status = RULE_OK, .cfa_kind = K_REG,
		.cfa_reg = (uint8_t)a->sp, .cfa_off = cfa, .ra = (uint8_t)a->ra,
		.nlisted = 1, .at_cfa = true, .first = (uint32_t)dr->nregs++,
		.keep = ((1ULL << a->nregs) - 1) & ~(1ULL << a->sp)
			& ~(1ULL << a->ra)};
}

// Where a lazy PLT entry's pushq $index (68 imm32) starts, from its first
// bytes: after jmp *GOT(%rip) (ff 25 disp32), after endbr64 (f3 0f 1e fa,
// IBT), or first (MPX's -z bndplt); -1 if the entry pushes nothing known.
static int plt_push_at(const uint8_t *e, size_t n) {
	static const uint8_t jmp[] = {0xff, 0x25}, endbr[] = {0xf3, 0x0f, 0x1e,
		0xfa};
	int at = n >= 1 && e[0] == 0x68 ? 0
		: n >= 2 && memcmp(e, jmp, 2) == 0 ? 6
		: n >= 4 && memcmp(e, endbr, 4) == 0 ? 4 : -1;
	return at >= 0 && (size_t)at < n && e[at] == 0x68 ? at : -1;
}

// The CFA's offset from the stack pointer at module address a of an
// x86-64 PLT that has no CFI (lld writes none for it; GNU ld does, unless
// --no-ld-generated-unwind-info), or 0 if a is in none. Entries jump away
// without a frame of their own: the return address of the call to the
// entry is at the stack pointer, as GNU ld's CFI for them says. A lazy
// entry pushes its relocation's index before jumping to the PLT's header,
// which pushes one more word.
int32_t pd_unwind_plt_cfa(Dwfl_Module *mod, Dwarf_Addr a) {
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	GElf_Ehdr eh;
	size_t shstrndx;
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64
			|| elf_getshdrstrndx(elf, &shstrndx) != 0) {
		return 0;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx,
				sh.sh_name)) || strncmp(name, ".plt", 4) != 0
				|| !(sh.sh_flags & SHF_EXECINSTR) || a < sh.sh_addr + bias
				|| a - sh.sh_addr - bias >= sh.sh_size) {
			continue;
		}
		uint64_t at = a - sh.sh_addr - bias;
		if (strcmp(name, ".plt") != 0) {
			return 8; // .plt.sec, .plt.got: a jump alone
		}
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size < sh.sh_size) {
			return 8;
		}
		const uint8_t *code = d->d_buf;
		// The header, when there is one (some linkers leave it out):
		// pushq GOT+8(%rip) (ff 35, 6 bytes), then jmp *GOT+16(%rip).
		if (at < 16 && code[0] == 0xff && code[1] == 0x35) {
			return at < 6 ? 16 : 24;
		}
		uint64_t entry = at & ~(uint64_t)15;
		int push = plt_push_at(code + entry,
			sh.sh_size - entry < 16 ? sh.sh_size - entry : 16);
		return push >= 0 && (at & 15) >= (uint64_t)push + 5 ? 16 : 8;
	}
	return 0;
}

// The rule for file offset off of d, whose rules are dr (built on first
// use).
static const struct rule *rule_for(struct pd_unwind *u, struct pd_dso *d,
		struct dso_rules *dr, uint64_t off) {
	const uint64_t *known = pd_map64_find(&dr->index, off + 1);
	if (known) {
		return &dr->rules[*known];
	}
	struct rule r = {.status = RULE_NONE};
	Dwarf_Addr a;
	if (dr->mod && pd_module_offset_to_addr(dr->mod, off, &a)) {
		Dwarf_Frame *f = frame_at(dr, d, a);
		if (f) {
			fill_rule(u->arch, dr, f, &r);
			free(f);
		} else if (in_entry(dr->mod, a)) {
			r.status = RULE_ENTRY;
		} else if (u->arch == &arch_x86_64) {
			plt_rule(dr, pd_unwind_plt_cfa(dr->mod, a), &r);
		}
	}
	pd_xgrow(&dr->rules, &dr->rules_cap, dr->nrules + 1, sizeof(*dr->rules));
	pd_xgrow(&dr->offs, &dr->offs_cap, dr->nrules + 1, sizeof(*dr->offs));
	dr->rules[dr->nrules] = r;
	dr->offs[dr->nrules] = off;
	pd_map64_insert(&dr->index, off + 1, dr->nrules);
	return &dr->rules[dr->nrules++];
}

// ---- walking ----

// Sets the caller's registers from rules that read only the stack (every
// save at an offset from the CFA): in place, as no rule reads a register.
// False if the return address cannot be read.
static bool restore_at_cfa(const struct dso_rules *dr, const struct rule *r,
		struct state *st, uint64_t cfa) {
	const struct reg_rule *rr = &dr->regs[r->first];
	uint64_t valid = st->valid & r->keep;
	for (uint32_t i = 0; i < r->nlisted; i++, rr++) {
		uint64_t v = cfa + (uint64_t)(int64_t)rr->off;
		if (rr->kind == K_VAL_CFA || mem_read(st, v, &v)) {
			st->regs[rr->reg] = v;
			valid |= 1ULL << rr->reg;
		} else if (rr->reg == r->ra) {
			return false;
		}
	}
	st->valid = valid;
	return true;
}

// The same for any rules: all read the callee's registers before any is
// replaced.
static bool restore(const struct dso_rules *dr, const struct rule *r,
		struct state *st, uint64_t cfa) {
	uint64_t vals[MAX_REGS];
	uint64_t got = 0, failed = 0;
	bool is_value;
	for (uint32_t i = 0; i < r->nlisted; i++) {
		const struct reg_rule *rr = &dr->regs[r->first + i];
		uint64_t v, addr;
		bool ok;
		switch (rr->kind) {
		case K_AT_CFA:
			ok = mem_read(st, cfa + (uint64_t)(int64_t)rr->off, &v);
			break;
		case K_VAL_CFA:
			v = cfa + (uint64_t)(int64_t)rr->off;
			ok = true;
			break;
		case K_REG:
			ok = reg_get(st, rr->src, &v);
			break;
		default:
			ok = eval(st, dr->ops + rr->off, rr->nops, cfa, true, &addr,
				&is_value);
			if (ok && !is_value) {
				ok = mem_read(st, addr, &v);
			} else {
				v = addr;
			}
			break;
		}
		if (ok) {
			vals[rr->reg] = v;
			got |= 1ULL << rr->reg;
		} else {
			failed |= 1ULL << rr->reg;
		}
	}
	if (failed >> r->ra & 1) {
		return false;
	}
	st->valid &= r->keep;
	for (uint64_t m = got; m; m &= m - 1) {
		unsigned reg = (unsigned)__builtin_ctzll(m);
		st->regs[reg] = vals[reg];
	}
	st->valid |= got;
	return true;
}

// Applies rule r to st (the callee's registers), giving the caller's.
static enum pd_unwind_end step(const struct arch *arch,
		const struct dso_rules *dr, const struct rule *r, struct state *st,
		uint64_t *pc, bool first) {
	uint64_t cfa;
	bool is_value;
	if (r->cfa_kind == K_REG) {
		if (!reg_get(st, r->cfa_reg, &cfa)) {
			return PD_UNWIND_BAD_FRAME;
		}
		cfa += (uint64_t)(int64_t)r->cfa_off;
	} else if (!eval(st, dr->ops + r->cfa_off, r->cfa_nops, 0, false, &cfa,
			&is_value)) {
		return PD_UNWIND_STACK_END;
	}
	uint64_t sp = st->regs[arch->sp];
	if (cfa < sp || (cfa == sp && !first)) {
		return PD_UNWIND_BAD_FRAME;
	}
	if (!(r->at_cfa ? restore_at_cfa(dr, r, st, cfa)
			: restore(dr, r, st, cfa))) {
		return PD_UNWIND_STACK_END;
	}
	st->regs[arch->sp] = cfa;
	st->valid |= 1ULL << arch->sp;
	if (!reg_get(st, r->ra, pc) || *pc == 0) {
		return PD_UNWIND_DONE; // e.g. _start marks its return address undefined
	}
	return PD_UNWIND_NEND; // go on
}

size_t pd_unwind_try_rules(const struct dso_rules *dr, unsigned nregs,
		const uint64_t *regs, const uint8_t *stack, size_t n) {
	const struct arch *arch = nregs == arch_x86_64.nregs ? &arch_x86_64
		: nregs == arch_aarch64.nregs ? &arch_aarch64 : NULL;
	size_t done = 0;
	for (size_t i = 0; arch && i < dr->nrules; i++) {
		if (dr->rules[i].status != RULE_OK) {
			continue;
		}
		struct state st = {.stack = stack, .sp0 = regs[arch->sp],
			.dyn = n, .valid = (1ULL << arch->nregs) - 1};
		memcpy(st.regs, regs, arch->nregs * sizeof(*regs));
		uint64_t pc;
		done += step(arch, dr, &dr->rules[i], &st, &pc, i & 1)
			== PD_UNWIND_NEND;
	}
	return done;
}

// Whether the frame pointer of st can be followed: it is known, points
// into the stack dump at or above the stack pointer, and the two words it
// names lie in the dump (no file is read for them).
static bool fp_plausible(const struct pd_unwind *u, const struct state *st) {
	const struct arch *a = u->arch;
	uint64_t fp = st->regs[a->fp], sp = st->regs[a->sp];
	return (st->valid >> a->fp & 1) && (st->valid >> a->sp & 1)
		&& fp >= sp && fp >= st->sp0 && fp - st->sp0 <= st->dyn
		&& st->dyn - (fp - st->sp0) >= 16;
}

// Where the registers sit among the u64s of a sample with this mask.
static void set_mask(struct pd_unwind *u, uint64_t mask) {
	const struct arch *arch = u->arch;
	u->mask = mask;
	for (unsigned i = 0; i <= arch->nregs; i++) {
		unsigned p = i < arch->nregs ? (unsigned)arch->perf_of[i]
			: arch->perf_pc;
		u->slot[i] = p < 64 && (mask >> p & 1)
			? (int8_t)pd_popcount64(mask & ((1ULL << p) - 1)) : -1;
	}
}

size_t pd_unwind_sample(struct pd_unwind *u, const struct pd_proc *proc,
		const struct pd_sample *s, struct pd_unwind_frame *out, size_t max,
		enum pd_unwind_end *end) {
	const struct arch *arch = u->arch;
	struct state st = {.stack = s->stack, .proc = proc, .u = u};
	*end = PD_UNWIND_NO_REGS;
	// Only 64-bit processes (abi 2): 32-bit ones use other DWARF numbers.
	if (!pd_unwind_has_dump(s) || s->regs_abi != 2 || max == 0) {
		return 0;
	}
	if (s->regs_mask != u->mask) {
		set_mask(u, s->regs_mask);
	}
	for (unsigned i = 0; i < arch->nregs; i++) {
		if (u->slot[i] >= 0) {
			st.regs[i] = pd_get_u64(s->regs + 8 * u->slot[i]);
			st.valid |= 1ULL << i;
		}
	}
	if (u->slot[arch->nregs] < 0 || !(st.valid >> arch->sp & 1)) {
		return 0;
	}
	out[0].pc = pd_get_u64(s->regs + 8 * u->slot[arch->nregs]);
	st.sp0 = st.regs[arch->sp];
	st.dyn = s->stack ? (s->stack_dyn < s->stack_size ? s->stack_dyn
		: s->stack_size) : 0;
	out[0].exact = true;
	out[0].fp = false;
	size_t n = 1;
	const struct pd_map *m = NULL; // callers are mostly in the same map
	struct dso_rules *dr = NULL;   // m's
	for (;;) {
		uint64_t pc = out[n - 1].pc;
		uint64_t look = out[n - 1].exact ? pc : pc - 1;
		if (!m || look < m->start || look >= m->end) {
			m = proc ? pd_proc_find(proc, look) : NULL;
			enum pd_dso_kind k = m ? pd_dso_ident(m->dso)->kind
				: PD_DSO_OTHER;
			dr = k == PD_DSO_FILE || k == PD_DSO_VDSO
				? dso_rules_get(u, m->dso) : NULL;
		}
		if (!m) {
			*end = PD_UNWIND_NO_MAP;
			break;
		}
		const struct rule *r = dr ? rule_for(u, m->dso, dr, look - m->start
			+ m->pgoff) : NULL;
		const struct dso_rules *rr = dr;
		bool fp = false;
		if (!r || r->status == RULE_NONE) {
			// No CFI here: frame pointers, if they look sound.
			if (!fp_plausible(u, &st)) {
				*end = r ? PD_UNWIND_NO_CFI : PD_UNWIND_NO_MAP;
				break;
			}
			r = &u->fp;
			rr = &u->fp_regs;
			fp = true;
		}
		if (r->status != RULE_OK) {
			*end = r->status == RULE_ENTRY ? PD_UNWIND_DONE
				: PD_UNWIND_BAD_FRAME;
			break;
		}
		bool signal = r->signal;
		enum pd_unwind_end e = step(arch, rr, r, &st, &pc,
			n == 1);
		if (e == PD_UNWIND_NEND && fp
				&& !pd_proc_find(proc, pc - 1)) {
			// A frame pointer that led nowhere: not one after all.
			e = dr ? PD_UNWIND_NO_CFI : PD_UNWIND_NO_MAP;
		}
		if (e != PD_UNWIND_NEND) {
			*end = e;
			break;
		}
		if (n == max) {
			*end = PD_UNWIND_MAX_DEPTH;
			break;
		}
		out[n].fp = fp;
		out[n].pc = pc;
		out[n++].exact = signal;
	}
	return n;
}
