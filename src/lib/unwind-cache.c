// SPDX-License-Identifier: MIT
// The unwinder's rules kept between runs: per ELF file, the rule each file
// offset met so far resolved to, in the cache directory as
// cfi-ID-HASH.cfi (ID the file's build id, or "noid"; HASH that of the
// path it was opened at and the architecture). Turning CFI into rules is
// most of the time a DWARF profile of a large program takes (libdw finds
// and parses each FDE: ~5 us a new pc in rustc's librustc_driver); a later
// run over the same binaries takes the rules from the entry and asks libdw
// only about pcs the entry lacks.
//
// An entry is used only if the file opened is as it was (size,
// modification time, inode, device, build id), for the same architecture,
// and it was written by this same pd with the same libdw (both in
// pd_cache_pd_build); and only if it holds together: a checksum, counts
// that fit the body, every rule's registers, expressions and kinds within
// bounds. It is written only when the rules
// came from the file alone (.eh_frame and program headers: not
// .debug_frame, found elsewhere), when the run made new ones, and when the
// file did not change during the run. Written to a temporary file renamed
// into place: concurrent runs leave one whole entry. The cache never
// changes what is printed.
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache-dir.h"
#include "unwind-internal.h"
#include "symbols-internal.h"
#include "alloc.h"
#include "hash.h"
#include "strbuf.h"

#define MAGIC "PDCFI\0\0\1"
// Entries larger than this are not read (a rule is 32 bytes or so: ~8M).
#define MAX_ENTRY ((size_t)256 << 20)

struct header {
	char magic[8];
	uint64_t checksum; // pd_cfi_checksum
	uint64_t body;     // bytes after the header
	struct pd_cfi_src src;
	uint32_t nrules, nops, nregs, pad;
};

// A rule as written: its file offset, then struct rule's fields.
struct rule_rec {
	uint64_t off, keep;
	int32_t cfa_off;
	uint32_t first;
	uint8_t status, cfa_kind, cfa_reg, cfa_nops, ra, nlisted, signal, pad;
};

// A Dwarf_Op as written (eval reads atom, number and number2).
struct op_rec {
	uint64_t atom, number, number2, offset;
};

_Static_assert(sizeof(struct header) == 128, "entry header layout");
_Static_assert(sizeof(struct rule_rec) == 32, "rule record layout");
_Static_assert(sizeof(struct reg_rule) == 8, "register rule layout");

uint64_t pd_cfi_checksum(const uint8_t *buf, size_t n) {
	struct header h = {0};
	memcpy(&h, buf, n < sizeof(h) ? n : sizeof(h));
	h.checksum = 0;
	uint64_t sum = pd_hash_long(&h, sizeof(h), 0x43464921u);
	return n > sizeof(h) ? pd_hash_long(buf + sizeof(h), n - sizeof(h), sum)
		: sum;
}

// Whether register rule x is one the unwinder can apply, its expression
// within ops[0, nops).
static bool reg_ok(const struct reg_rule *x, unsigned nregs, size_t nops) {
	if (x->reg >= nregs) {
		return false;
	}
	switch (x->kind) {
	case K_AT_CFA:
	case K_VAL_CFA:
	case K_REG:
		return true;
	case K_EXPR:
		return x->off >= 0 && (size_t)x->off <= nops
			&& x->nops <= nops - (size_t)x->off;
	default:
		return false;
	}
}

// The rule of record x, or false if it cannot be one.
static bool rule_of(const struct rule_rec *x, unsigned nregs,
		const struct reg_rule *regs, size_t nregs_all, size_t nops,
		struct rule *r) {
	*r = (struct rule){.status = x->status};
	if (x->status == RULE_NONE || x->status == RULE_BAD
			|| x->status == RULE_ENTRY) {
		return true;
	}
	if (x->status != RULE_OK || x->ra >= nregs || x->signal > 1
			|| x->first > nregs_all || x->nlisted > nregs_all - x->first) {
		return false;
	}
	if (x->cfa_kind == K_REG) {
		if (x->cfa_reg >= nregs) {
			return false;
		}
	} else if (x->cfa_kind != K_EXPR || x->cfa_off < 0
			|| (size_t)x->cfa_off > nops
			|| x->cfa_nops > nops - (size_t)x->cfa_off) {
		return false;
	}
	r->cfa_kind = x->cfa_kind;
	r->cfa_reg = x->cfa_reg;
	r->cfa_nops = x->cfa_nops;
	r->cfa_off = x->cfa_off;
	r->ra = x->ra;
	r->nlisted = x->nlisted;
	r->signal = x->signal;
	r->first = x->first;
	r->keep = x->keep;
	r->at_cfa = true;
	for (uint32_t i = 0; i < x->nlisted; i++) {
		uint8_t k = regs[x->first + i].kind;
		r->at_cfa &= k == K_AT_CFA || k == K_VAL_CFA;
	}
	return true;
}

bool pd_cfi_parse(const uint8_t *buf, size_t n, const struct pd_cfi_src *src,
		unsigned nregs, struct dso_rules *dr) {
	struct header h;
	if (n < sizeof(h)) {
		return false;
	}
	memcpy(&h, buf, sizeof(h));
	const uint8_t *body = buf + sizeof(h);
	size_t len = n - sizeof(h);
	if (memcmp(h.magic, MAGIC, 8) != 0 || h.body != len
			|| memcmp(&h.src, src, sizeof(*src)) != 0
			|| h.src.arch != nregs || nregs > MAX_REGS
			|| h.checksum != pd_cfi_checksum(buf, n)) {
		return false;
	}
	// Counts that fit the body: each is at most len / 8.
	size_t nr = h.nrules, no = h.nops, ng = h.nregs;
	if (nr > len / 32 || no > len / 32 || ng > len / 8
			|| nr * 32 + no * 32 + ng * 8 != len) {
		return false;
	}
	const struct rule_rec *rec = (const void *)body;
	const struct op_rec *ops = (const void *)(body + nr * 32);
	const struct reg_rule *regs = (const void *)(body + nr * 32 + no * 32);
	for (size_t i = 0; i < ng; i++) {
		if (!reg_ok(&regs[i], nregs, no)) {
			return false;
		}
	}
	for (size_t i = 0; i < no; i++) {
		if (ops[i].atom > 0xff) {
			return false;
		}
	}
	struct pd_map64 index = {0};
	struct rule *rules = pd_xmalloc((nr + 1) * sizeof(*rules));
	uint64_t *offs = pd_xmalloc((nr + 1) * sizeof(*offs));
	bool ok = true;
	for (size_t i = 0; ok && i < nr; i++) {
		ok = rec[i].off < UINT64_MAX
			&& !pd_map64_find(&index, rec[i].off + 1)
			&& rule_of(&rec[i], nregs, regs, ng, no, &rules[i]);
		if (ok) {
			offs[i] = rec[i].off;
			pd_map64_insert(&index, rec[i].off + 1, i);
		}
	}
	if (!ok) {
		free(rules);
		free(offs);
		pd_map64_free(&index);
		return false;
	}
	dr->index = index;
	dr->rules = rules;
	dr->offs = offs;
	dr->nrules = nr;
	dr->rules_cap = dr->offs_cap = nr + 1;
	dr->ops = pd_xmalloc((no + 1) * sizeof(*dr->ops));
	for (size_t i = 0; i < no; i++) {
		dr->ops[i] = (Dwarf_Op){.atom = (uint8_t)ops[i].atom,
			.number = ops[i].number, .number2 = ops[i].number2,
			.offset = ops[i].offset};
	}
	dr->nops = no;
	dr->ops_cap = no + 1;
	dr->regs = pd_xmalloc((ng + 1) * sizeof(*dr->regs));
	memcpy(dr->regs, regs, ng * sizeof(*regs));
	dr->nregs = ng;
	dr->regs_cap = ng + 1;
	return true;
}

// The file's part of src, from st; false unless it is a regular file.
static bool file_of(const struct stat *st, struct pd_cfi_src *src) {
	src->size = (uint64_t)st->st_size;
	src->mtime = (uint64_t)st->st_mtim.tv_sec * 1000000000u
		+ (uint64_t)st->st_mtim.tv_nsec;
	src->ino = (uint64_t)st->st_ino;
	src->dev = (uint64_t)st->st_dev;
	return S_ISREG(st->st_mode);
}

// The whole file at path (8-aligned, at most MAX_ENTRY bytes), or NULL.
static uint8_t *read_all(const char *path, size_t *n) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0
			|| (uint64_t)st.st_size > MAX_ENTRY) {
		close(fd);
		return NULL;
	}
	size_t size = (size_t)st.st_size, got = 0;
	uint8_t *buf = pd_xmalloc(size);
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r <= 0) {
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (got != size) {
		free(buf);
		return NULL;
	}
	*n = size;
	return buf;
}

void pd_cfi_load(struct pd_symbols *s, struct pd_dso *d, const char *arch,
		unsigned nregs, struct dso_rules *dr, const char *path,
		const struct stat *st) {
	struct pd_cfi_src src = {.arch = nregs,
		.machine = (uint32_t)pd_hash(arch, strlen(arch), 0)};
	if (!s->o.cache || d->id.kind != PD_DSO_FILE || !path
			|| !file_of(st, &src)) {
		return;
	}
	if (d->build_id_len > 0 && d->build_id_len <= 20) {
		memcpy(src.build_id, d->build_id, d->build_id_len);
		src.build_id_len = (uint32_t)d->build_id_len;
	}
	pd_cache_pd_build(src.pd_build);
	char *dir = pd_cache_dir();
	if (!dir) {
		return;
	}
	char id[41] = "noid";
	if (src.build_id_len) {
		pd_symbols_hex(id, src.build_id, src.build_id_len);
	}
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%s/cfi-%s-%016llx.cfi", dir, id,
		(unsigned long long)pd_hash(path, strlen(path), nregs));
	free(dir);
	dr->entry = b.s;
	dr->opened = pd_xstrdup(path);
	dr->src = pd_xmalloc(sizeof(*dr->src));
	*dr->src = src;
	size_t n;
	uint8_t *buf = read_all(dr->entry, &n);
	if (buf && pd_cfi_parse(buf, n, &src, nregs, dr)) {
		dr->nsaved = dr->nrules;
	}
	free(buf);
}

void pd_cfi_free(struct dso_rules *dr) {
	free(dr->entry);
	free(dr->opened);
	free(dr->src);
	free(dr->offs);
	dr->entry = dr->opened = NULL;
	dr->src = NULL;
	dr->offs = NULL;
}

void pd_cfi_save(struct dso_rules *dr) {
	if (!dr->entry || dr->dbg_tried || dr->nrules <= dr->nsaved
			|| dr->nrules > MAX_ENTRY / 32 || dr->nops > MAX_ENTRY / 32
			|| dr->nregs > MAX_ENTRY / 8) {
		return;
	}
	// The file as it is now: rules made from a file rewritten during the
	// run may be of neither version.
	struct stat st;
	struct pd_cfi_src now = *dr->src;
	if (stat(dr->opened, &st) != 0 || !file_of(&st, &now)
			|| memcmp(&now, dr->src, sizeof(now)) != 0) {
		return;
	}
	size_t nr = dr->nrules, no = dr->nops, ng = dr->nregs;
	size_t len = nr * 32 + no * 32 + ng * 8;
	if (len > MAX_ENTRY - sizeof(struct header)) {
		return; // it would never be read
	}
	// The header, then the body.
	uint8_t *body = pd_xcalloc(1, sizeof(struct header) + len);
	struct rule_rec *rec = (void *)(body + sizeof(struct header));
	for (size_t i = 0; i < nr; i++) {
		const struct rule *r = &dr->rules[i];
		rec[i] = (struct rule_rec){.off = dr->offs[i], .keep = r->keep,
			.cfa_off = r->cfa_off, .first = r->first,
			.status = r->status, .cfa_kind = r->cfa_kind,
			.cfa_reg = r->cfa_reg, .cfa_nops = r->cfa_nops, .ra = r->ra,
			.nlisted = r->nlisted, .signal = r->signal};
	}
	struct op_rec *ops = (void *)(body + sizeof(struct header) + nr * 32);
	for (size_t i = 0; i < no; i++) {
		ops[i] = (struct op_rec){dr->ops[i].atom, dr->ops[i].number,
			dr->ops[i].number2, dr->ops[i].offset};
	}
	if (ng) {
		memcpy(body + sizeof(struct header) + nr * 32 + no * 32, dr->regs,
			ng * sizeof(*dr->regs));
	}
	struct header h = {.body = len, .src = *dr->src,
		.nrules = (uint32_t)nr, .nops = (uint32_t)no,
		.nregs = (uint32_t)ng};
	memcpy(h.magic, MAGIC, 8);
	memcpy(body, &h, sizeof(h));
	h.checksum = pd_cfi_checksum(body, sizeof(h) + len);
	memcpy(body, &h, sizeof(h));
	char *dir = pd_cache_make_dir(), *tmp;
	int fd = dir ? pd_cache_temp(dr->entry, &tmp) : -1;
	if (fd >= 0) {
		pd_cache_commit(fd, tmp, dr->entry,
			pd_cache_write(fd, body, sizeof(h) + len));
	}
	free(dir);
	free(body);
}
