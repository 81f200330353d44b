// SPDX-License-Identifier: MIT
// ELF files of DSOs: finding them (symfs, perf's build-id cache, the
// running vdso) and their separate debug info, opening them with libdwfl,
// and their function symbols (perf's choice among aliases).
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include <elfutils/libdw.h>
#include <libiberty/demangle.h>

#include "elf-inflate.h"
#include "symbols-internal.h"
#include "texts.h"
#include "alloc.h"
#include "strbuf.h"

static int find_debuginfo(Dwfl_Module *mod, void **userdata,
		const char *modname, Dwarf_Addr base, const char *file_name,
		const char *debuglink_file, GElf_Word debuglink_crc,
		char **debuginfo_file_name);

void pd_symbols_elf_init(struct pd_symbols *s) {
	elf_version(EV_CURRENT);
	struct pd_strbuf b = {0};
	pd_strbuf_adds(&b, ":.debug:");
	if (s->o.symfs) {
		// libdwfl looks up build ids only under absolute directories.
		char *abs = realpath(s->o.symfs, NULL);
		pd_strbuf_printf(&b, "%s/usr/lib/debug", abs ? abs : s->o.symfs);
		free(abs);
	} else {
		pd_strbuf_adds(&b, "/usr/lib/debug");
	}
	s->debuginfo_path = b.s;
	s->cb = (Dwfl_Callbacks){
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = find_debuginfo,
		.section_address = dwfl_offline_section_address,
		.debuginfo_path = &s->debuginfo_path,
	};
}

void pd_symbols_free_elf(struct pd_dso *d) {
	if (d->dwfl) {
		dwfl_end(d->dwfl);
	}
	free(d->syms);
	free(d->aliases);
	free(d->plt_names);
	free(d->path);
}

void pd_symbols_hex(char *out, const uint8_t *id, size_t len) {
	for (size_t i = 0; i < len; i++) {
		sprintf(out + 2 * i, "%02x", id[i]);
	}
	out[2 * len] = '\0';
}

static bool build_id_matches(Elf *elf, const struct pd_dso *d) {
	if (!d->build_id_len) {
		return true;
	}
	size_t n;
	if (elf_getshdrnum(elf, &n) != 0) {
		return false;
	}
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE) {
			continue;
		}
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t off = 0, noff, doff;
		GElf_Nhdr nh;
		while (data && (off = gelf_getnote(data, off, &nh, &noff, &doff))) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4
					&& memcmp((char *)data->d_buf + noff, "GNU", 4)
						== 0) {
				size_t len = nh.n_descsz < 20 ? nh.n_descsz : 20;
				return len >= d->build_id_len && memcmp(
					(char *)data->d_buf + doff, d->build_id,
					d->build_id_len) == 0;
			}
		}
	}
	return false;
}

// Opens path if it is a regular ELF file whose build id fits d; notes the
// try for note's cache entry (NULL: none), and (differs, if set) whether
// it is an ELF file of another build id.
static int open_checked(const char *path, const struct pd_dso *d,
		struct pd_dso *note, bool *differs) {
	if (note) {
		pd_cache_probe(note, path);
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (note && (errno == EMFILE || errno == ENFILE
				|| errno == ENOMEM || errno == EIO || errno == EINTR
				|| errno == EAGAIN)) {
			pd_cache_unsure(note); // not a word on the file
		}
		return -1;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf && note) {
		pd_cache_unsure(note); // (a file that is no ELF gets one)
	}
	bool elf_file = elf && elf_kind(elf) == ELF_K_ELF;
	bool ok = elf_file && build_id_matches(elf, d);
	elf_end(elf);
	if (differs) {
		*differs = elf_file && !ok;
	}
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

char *pd_symbols_home_debug(void) {
	const char *home = getenv("HOME");
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%s/.debug", home && *home ? home : "/root");
	return b.s;
}

// Tries one candidate debug file; on success sets *name (taking path).
static int try_debug(char *path, const struct pd_dso *want, char **name,
		struct pd_dso *note) {
	int fd = open_checked(path, want, note, NULL);
	if (fd >= 0) {
		*name = path;
	} else {
		free(path);
	}
	return fd;
}

// fd, or a copy with its compressed DWARF inflated (elf-inflate.c) when
// inline frames, which need the DWARF, are on: faster than libdw inflates
// zlib, and libdw 0.188 cannot read zstd at all.
static int with_dwarf(struct pd_symbols *s, int fd, struct pd_dso *note) {
	if (!s->o.inline_frames) {
		return fd;
	}
	int copy = pd_elf_inflate(fd, false);
	if (copy == -2 && note) {
		pd_cache_unsure(note); // its DWARF may be unreadable this run
	}
	if (copy < 0) {
		return fd;
	}
	close(fd);
	return copy;
}

// Separate debug info, where perf and gdb look: perf's build-id cache,
// DIR/.build-id/xx/rest.debug, and the .gnu_debuglink name beside the
// file, in its .debug/ and in DIR/<its directory>, for DIR in SYMFS/usr/lib/debug
// and /usr/lib/debug. Candidates must carry the file's build id. libdwfl's
// standard search (with its debuginfod client) runs only when
// DEBUGINFOD_URLS is set: loading that client costs more than a whole run.
static int find_debuginfo(Dwfl_Module *mod, void **userdata,
		const char *modname, Dwarf_Addr base, const char *file_name,
		const char *debuglink_file, GElf_Word debuglink_crc,
		char **debuginfo_file_name) {
	const struct dso_ref *ref = *userdata;
	struct pd_dso *d = ref ? ref->d : NULL;
	struct pd_dso *note = ref && ref->note ? d : NULL;
	struct pd_symbols *s = d ? d->owner : NULL;
	const char *urls = getenv("DEBUGINFOD_URLS");
	if (!d || !s || (urls && *urls)) {
		return dwfl_standard_find_debuginfo(mod, userdata, modname, base,
			file_name, debuglink_file, debuglink_crc,
			debuginfo_file_name);
	}
	if (note && note->debuginfo_missed) {
		return -1; // as the first time (see pd_dso.debuginfo_missed)
	}
	struct pd_dso want = {0};
	const unsigned char *bits;
	GElf_Addr vaddr;
	int nbits = dwfl_module_build_id(mod, &bits, &vaddr);
	if (nbits > 0) {
		want.build_id_len = nbits < 20 ? (size_t)nbits : 20;
		memcpy(want.build_id, bits, want.build_id_len);
	} else {
		want.build_id_len = d->build_id_len;
		memcpy(want.build_id, d->build_id, d->build_id_len);
	}
	const char *dirs[2] = {NULL, "/usr/lib/debug"};
	char *symfs_dir = NULL;
	if (s->o.symfs) {
		struct pd_strbuf b = {0};
		pd_strbuf_printf(&b, "%s/usr/lib/debug", s->o.symfs);
		dirs[0] = symfs_dir = b.s;
	}
	int fd = -1;
	struct pd_strbuf b = {0};
	if (want.build_id_len) {
		char h[41], *cache = pd_symbols_home_debug();
		pd_symbols_hex(h, want.build_id, want.build_id_len);
		pd_strbuf_printf(&b, "%s/.build-id/%.2s/%s/debug", cache, h, h + 2);
		free(cache);
		fd = try_debug(b.s, &want, debuginfo_file_name, note);
		for (int i = 0; i < 2 && fd < 0; i++) {
			if (!dirs[i]) {
				continue;
			}
			b = (struct pd_strbuf){0};
			pd_strbuf_printf(&b, "%s/.build-id/%.2s/%s.debug", dirs[i], h,
				h + 2);
			fd = try_debug(b.s, &want, debuginfo_file_name, note);
		}
	}
	if (fd < 0 && debuglink_file && file_name && want.build_id_len) {
		// Beside the file opened, in its .debug/, and where the debug
		// directories mirror the recorded path; and beside the recorded
		// path (under --symfs) when the file came from perf's build-id
		// cache, which keeps no debug file next to its copy.
		const char *slash = strrchr(file_name, '/');
		int dlen = slash ? (int)(slash - file_name) : 0;
		const char *orig = strrchr(d->id.name, '/');
		int olen = orig ? (int)(orig - d->id.name) : 0;
		struct pd_strbuf home = {0};
		pd_strbuf_printf(&home, "%s%.*s", s->o.symfs ? s->o.symfs : "",
			olen, d->id.name);
		bool moved = home.len != (size_t)dlen
			|| memcmp(home.s, file_name, home.len) != 0;
		for (int k = 0; k < 6 && fd < 0; k++) {
			b = (struct pd_strbuf){0};
			if (k < 2) {
				pd_strbuf_printf(&b, "%.*s/%s%s", dlen, file_name,
					k ? ".debug/" : "", debuglink_file);
			} else if (k < 4 && moved) {
				pd_strbuf_printf(&b, "%s/%s%s", home.s,
					k == 3 ? ".debug/" : "", debuglink_file);
			} else if (k >= 4 && dirs[k - 4]) {
				pd_strbuf_printf(&b, "%s%.*s/%s", dirs[k - 4], olen,
					d->id.name, debuglink_file);
			} else {
				continue;
			}
			fd = try_debug(b.s, &want, debuginfo_file_name, note);
		}
		pd_strbuf_finish(&home);
	}
	free(symfs_dir);
	if (note && fd < 0) {
		note->debuginfo_missed = true;
	}
	return fd >= 0 ? with_dwarf(s, fd, note) : fd;
}

// d's file; with_dwarf() when dwarf is set (the DWARF may be in the file
// itself). note: the tries are noted for d's cache entry.
static int open_dso_file(struct pd_symbols *s, struct pd_dso *d,
		char **path, bool dwarf, bool note) {
	struct pd_strbuf b = {0};
	int fd = -1;
	if (d->build_id_len) {
		char h[41], *cache = pd_symbols_home_debug();
		pd_symbols_hex(h, d->build_id, d->build_id_len);
		pd_strbuf_printf(&b, "%s/.build-id/%.2s/%s/elf", cache, h, h + 2);
		free(cache);
		fd = open_checked(b.s, d, note ? d : NULL, NULL);
	}
	if (fd < 0) {
		b.len = 0;
		pd_strbuf_printf(&b, "%s%s", s->o.symfs ? s->o.symfs : "",
			d->id.name);
		fd = open_checked(b.s, d, note ? d : NULL,
			note ? &d->build_id_differs : NULL);
	}
	if (fd < 0) {
		pd_strbuf_finish(&b);
		return fd;
	}
	*path = b.s;
	return dwarf ? with_dwarf(s, fd, note ? d : NULL) : fd;
}

static int prefix_underscores(const char *s) {
	int n = 0;
	while (s[n] == '_') {
		n++;
	}
	return n;
}

// perf keeps one of the symbols at an address, as its symbol.c decides:
// sized over sizeless, strong over weak, global over local (rank), then
// fewer leading underscores and the longer name, then the first in the
// table (by_name). perf's names are demangled by then: the names of the
// symbols that tie on rank are compared when a lookup finds them, as
// demangling every alias in a large C++ library would take longer than
// loading it.
static unsigned rank(const struct pd_sym *a) {
	return (unsigned)(a->end > a->start) << 2 | (a->bind != STB_WEAK) << 1
		| (a->bind == STB_GLOBAL);
}

// Whether a wins over b, the one before it in the table, by name.
static bool by_name(const char *a, const char *b) {
	int ua = prefix_underscores(a), ub = prefix_underscores(b);
	if (ua != ub) {
		return ua < ub;
	}
	return strlen(a) > strlen(b);
}

static int cmp_sym(const void *x, const void *y) {
	const struct pd_sym *a = x, *b = y;
	if (a->start != b->start) {
		return a->start < b->start ? -1 : 1;
	}
	return a->index < b->index ? -1 : a->index > b->index; // table order
}

// Function symbols of the module sorted by address, one per address,
// sizeless ones extended to the next symbol (perf's symbols__fixup_end).
static void load_symtab(struct pd_dso *d, bool demangle) {
	int n = dwfl_module_getsymtab(d->mod);
	size_t cap = 0, k = 0;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(d->mod, i, &sym, &addr,
			&shndx, NULL, NULL);
		// Functions, and code labels (STT_NOTYPE) as perf takes them.
		int type = GELF_ST_TYPE(sym.st_info);
		bool label = type == STT_NOTYPE && shndx != SHN_ABS
			&& name && name[0] != '$';
		if (!name || !*name || shndx == SHN_UNDEF || (!label
				&& type != STT_FUNC && type != STT_GNU_IFUNC)) {
			continue;
		}
		pd_xgrow(&d->syms, &cap, k + 1, sizeof(*d->syms));
		d->syms[k++] = (struct pd_sym){.start = addr,
			.end = addr + sym.st_size, .name = name, .index = (uint32_t)i,
			.bind = GELF_ST_BIND(sym.st_info)};
	}
	pd_symbols_plt(d, &d->syms, &k, &cap, n > 0 ? (uint32_t)n : 0);
	if (k) {
		qsort(d->syms, k, sizeof(*d->syms), cmp_sym);
	}
	size_t m = 0, naliases = 0, acap = 0;
	for (size_t i = 0, j; i < k; i = j) {
		// The symbols at one address: the first of the best rank, how
		// many have that rank, and whether one of them is demangled.
		size_t best = i, tied = 0;
		for (j = i + 1; j < k && d->syms[j].start == d->syms[i].start; j++) {
			if (rank(&d->syms[j]) > rank(&d->syms[best])) {
				best = j;
			}
		}
		unsigned r = rank(&d->syms[best]);
		bool defer = false;
		for (size_t x = best; x < j; x++) {
			if (rank(&d->syms[x]) == r) {
				tied++;
				defer |= demangle && pd_symbols_mangled(d->syms[x].name);
			}
		}
		size_t win = best;
		if (tied > 1 && defer) {
			pd_xgrow(&d->aliases, &acap, naliases + tied + 1,
				sizeof(*d->aliases));
			uint32_t at = (uint32_t)naliases + 1;
			for (size_t x = best; x < j; x++) {
				const struct pd_sym *y = &d->syms[x];
				if (rank(y) == r) {
					d->aliases[naliases++] = (struct pd_alias){
						y->name, y->end, y->ifunc};
				}
			}
			d->aliases[naliases++] = (struct pd_alias){0};
			d->syms[best].alias = at;
		} else {
			for (size_t x = best + 1; x < j; x++) {
				if (rank(&d->syms[x]) == r && by_name(d->syms[x].name,
						d->syms[win].name)) {
					win = x;
				}
			}
			d->syms[win].alias = 0;
		}
		d->syms[m++] = d->syms[win];
	}
	for (size_t i = 0; i + 1 < m; i++) {
		if (d->syms[i].end == d->syms[i].start) {
			d->syms[i].end = d->syms[i + 1].start;
		}
	}
	d->nsyms = m;
	d->naliases = naliases;
	d->has_symtab = m > 0;
}

// Names sym after the alias perf keeps among those tied with it on rank,
// by their names as perf holds them: demangled as perf does (libiberty,
// no options), the name itself where that fails. The alias's size and
// PLT target go with its name (a sizeless alias keeps the end it was
// given: the next symbol's start, the same for all of them).
static void choose_alias(const struct pd_dso *d, struct pd_sym *sym) {
	const struct pd_alias *a = d->aliases + sym->alias - 1;
	char *best = NULL;
	size_t win = 0;
	for (size_t i = 0; a[i].name; i++) {
		char *dm = pd_symbols_mangled(a[i].name)
			? cplus_demangle(a[i].name, DMGL_AUTO) : NULL;
		const char *cur = dm ? dm : a[i].name;
		if (i == 0 || by_name(cur, best ? best : a[win].name)) {
			free(best);
			best = dm;
			win = i;
		} else {
			free(dm);
		}
	}
	free(best);
	sym->name = a[win].name;
	if (a[win].end > sym->start) {
		sym->end = a[win].end;
	}
	sym->ifunc = a[win].ifunc;
	sym->alias = 0;
}

// The symbol holding addr (its alias chosen first, if that waited).
static struct pd_sym *sym_lookup(struct pd_dso *d, uint64_t addr) {
	size_t lo = 0, hi = d->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->syms[mid].start <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo == 0) {
		return NULL;
	}
	struct pd_sym *s = &d->syms[lo - 1];
	if (s->alias) {
		choose_alias(d, s);
	}
	return addr < s->end || s->end == s->start ? s : NULL;
}

// The name of the symbol found at addr: a PLT entry of an IFUNC is named
// after the IFUNC, whose symbol starts at its resolver.
const char *pd_symbols_sym_name(struct pd_symbols *s, struct pd_dso *d,
		uint64_t addr) {
	const struct pd_sym *sym = sym_lookup(d, addr);
	if (!sym || !sym->ifunc) {
		return sym ? sym->name : NULL;
	}
	const struct pd_sym *f = sym_lookup(d, sym->ifunc);
	if (!f || f->start != sym->ifunc || f->ifunc || !*f->name) {
		return NULL;
	}
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%.*s@plt", (int)strcspn(f->name, "@"), f->name);
	const char *r = pd_texts_intern(s->names, b.s, b.len);
	pd_strbuf_finish(&b);
	return r;
}

// The [vdso] of this process, as a file: it is the recorded one when the
// recording ran on this kernel (perf keeps no copy in the file).
static int open_vdso(struct pd_symbols *s, const struct pd_dso *d,
		char **path) {
	if (d->build_id_len) {
		// perf record keeps a copy of the recorded vdso.
		char h[41], *cache = pd_symbols_home_debug();
		pd_symbols_hex(h, d->build_id, d->build_id_len);
		struct pd_strbuf b = {0};
		pd_strbuf_printf(&b, "%s/[vdso]/%s/vdso", cache, h);
		free(cache);
		int fd = open_checked(b.s, d, NULL, NULL);
		if (fd >= 0) {
			*path = b.s;
			return fd;
		}
		pd_strbuf_finish(&b);
	}
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	if (!base || !pd_symbols_kernel_matches(s)) {
		return -1;
	}
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0
			|| eh->e_ident[EI_CLASS] != ELFCLASS64) {
		return -1;
	}
	size_t size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD
				&& ph[i].p_offset + ph[i].p_filesz > size) {
			size = ph[i].p_offset + ph[i].p_filesz;
		}
	}
	int fd = memfd_create("vdso", MFD_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	if (write(fd, (const void *)base, size) != (ssize_t)size
			|| lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	bool ok = elf && build_id_matches(elf, d);
	elf_end(elf);
	if (!ok) {
		close(fd);
		return -1;
	}
	*path = pd_xstrdup("[vdso]");
	return fd;
}

// Opens d's file (or vdso image) in a new Dwfl of one module at its
// link-time addresses; dwarf: the DWARF will be read (not only the CFI
// and code), by d's owner, which notes the files tried for the cache.
// Reads only what does not change once d is in use, so two threads may
// open the same DSO.
static Dwfl_Module *open_module(struct pd_symbols *s, struct pd_dso *d,
		Dwfl **dwfl, char **path, bool dwarf, struct stat *st) {
	int fd = -1;
	*dwfl = NULL;
	if (d->id.kind == PD_DSO_FILE) {
		fd = open_dso_file(s, d, path, dwarf, dwarf);
	} else if (d->id.kind == PD_DSO_VDSO) {
		fd = open_vdso(s, d, path);
	}
	if (fd < 0) {
		return NULL;
	}
	if (st && fstat(fd, st) != 0) {
		memset(st, 0, sizeof(*st)); // not a regular file: not cached
	}
	*dwfl = dwfl_begin(&s->cb);
	if (!*dwfl) {
		if (dwarf) {
			pd_cache_unsure(d);
		}
		close(fd);
		return NULL;
	}
	// libdwfl owns fd from here on.
	Dwfl_Module *mod = dwfl_report_elf(*dwfl, d->id.base, *path, fd, 0, false);
	dwfl_report_end(*dwfl, NULL, NULL);
	if (mod) {
		void **ud;
		dwfl_module_info(mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
		*ud = dwarf ? &d->ref_load : &d->ref_unwind;
	}
	return mod;
}

bool pd_dso_load(struct pd_symbols *s, struct pd_dso *d) {
	if (d->loaded) {
		return d->mod != NULL;
	}
	d->loaded = true;
	d->mod = open_module(s, d, &d->dwfl, &d->path, true, NULL);
	if (!d->mod || !dwfl_module_getelf(d->mod, &d->bias)) {
		d->mod = NULL;
		return false;
	}
	load_symtab(d, s->o.demangle);
	return true;
}

Dwfl_Module *pd_dso_open_module(struct pd_symbols *s, struct pd_dso *d,
		Dwfl **dwfl, char **path, struct stat *st) {
	*path = NULL;
	Dwfl_Module *mod = open_module(s, d, dwfl, path, false, st);
	if (!mod) {
		free(*path);
		*path = NULL;
	}
	return mod;
}

bool pd_dso_offset_to_addr(struct pd_dso *d, uint64_t offset,
		Dwarf_Addr *addr) {
	return d->mod && pd_module_offset_to_addr(d->mod, offset, addr);
}

size_t pd_dso_loads(const struct pd_dso *d, struct pd_load **out) {
	*out = NULL;
	GElf_Addr bias;
	Elf *elf = d->mod ? dwfl_module_getelf(d->mod, &bias) : NULL;
	size_t n, k = 0, cap = 0;
	if (!elf || elf_getphdrnum(elf, &n) != 0) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			pd_xgrow(out, &cap, k + 1, sizeof(**out));
			(*out)[k++] = (struct pd_load){ph.p_offset, ph.p_memsz,
				ph.p_vaddr + bias};
		}
	}
	return k;
}

bool pd_module_offset_to_addr(Dwfl_Module *mod, uint64_t offset,
		Dwarf_Addr *addr) {
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	size_t n;
	if (!elf || elf_getphdrnum(elf, &n) != 0) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD) {
			continue;
		}
		if (offset >= ph.p_offset && offset - ph.p_offset < ph.p_memsz) {
			*addr = offset - ph.p_offset + ph.p_vaddr + bias;
			return true;
		}
	}
	return false;
}

