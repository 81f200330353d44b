// SPDX-License-Identifier: MIT
// Decompressed copies of ELF files with compressed DWARF. Debian's -dbg
// and -dbgsym packages compress theirs (SHF_COMPRESSED, zlib); libdw 0.188
// inflates every such section with zlib when it opens the file, which for
// libc's debug file costs more than reading a whole profile. libdeflate
// inflates the same bytes in well under half the time, and the sections pd
// never reads (line tables, location lists, macros) need not be inflated
// at all. Sections compressed with zstd (ld and objcopy
// --compress-debug-sections=zstd) libdw 0.188 cannot read at all.
#include "elf-inflate.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zstd.h>

#include "alloc.h"

#ifndef ELFCOMPRESS_ZSTD
#define ELFCOMPRESS_ZSTD 2 // gABI; glibc 2.36's elf.h lacks it
#endif

// Sections that name lookups and CFI never read: inflating them is waste.
static const char *const unread[] = {".debug_line", ".debug_loc",
	".debug_loclists", ".debug_macro", ".debug_macinfo"};

// An inflated section may not claim more than its compressor can expand
// to (below) nor more than this.
#define MAX_SECTION ((uint64_t)1 << 32)

static bool is_unread(const char *name) {
	for (size_t i = 0; i < sizeof(unread) / sizeof(*unread); i++) {
		if (strcmp(name, unread[i]) == 0) {
			return true;
		}
	}
	return false;
}

static uint64_t align_up(uint64_t v, uint64_t a) {
	return (v + a - 1) & ~(a - 1);
}

// The section's name, or "" when it does not lie inside .shstrtab.
static const char *section_name(const unsigned char *map,
		const Elf64_Shdr *strs, uint32_t off) {
	if (off >= strs->sh_size) {
		return "";
	}
	const char *s = (const char *)map + strs->sh_offset + off;
	return memchr(s, '\0', strs->sh_size - off) ? s : "";
}

// Plans the copy: rewrites sh[] (new offsets, sizes, flags) and returns
// how many sections are to be inflated, or -1 if the file is not one this
// handles (then libdw reads the original as before).
static int plan(const unsigned char *map, size_t size, const Elf64_Ehdr *eh,
		Elf64_Shdr *sh, uint64_t *end, bool all) {
	if (eh->e_shstrndx >= eh->e_shnum) {
		return -1;
	}
	const Elf64_Shdr strs = sh[eh->e_shstrndx];
	if (strs.sh_type == SHT_NOBITS || strs.sh_offset > size
			|| strs.sh_size > size - strs.sh_offset) {
		return -1;
	}
	int n = 0;
	*end = align_up(size, 4096);
	for (size_t i = 1; i < eh->e_shnum; i++) {
		Elf64_Shdr *s = &sh[i];
		if (s->sh_type == SHT_NOBITS || s->sh_type == SHT_NULL) {
			continue;
		}
		if (s->sh_offset > size || s->sh_size > size - s->sh_offset) {
			return -1;
		}
		const char *name = section_name(map, &strs, s->sh_name);
		if (!(s->sh_flags & SHF_COMPRESSED)
				|| strncmp(name, ".debug_", 7) != 0) {
			continue;
		}
		if (!all && is_unread(name)) {
			s->sh_type = SHT_NOBITS;
			s->sh_flags &= ~(uint64_t)SHF_COMPRESSED;
			s->sh_size = 0;
			continue;
		}
		Elf64_Chdr ch;
		if (s->sh_size < sizeof(ch)) {
			return -1;
		}
		memcpy(&ch, map + s->sh_offset, sizeof(ch));
		uint64_t a = ch.ch_addralign;
		// zstd expands at most 32768:1 (a 4-byte RLE block gives
		// 128 KiB); zlib 1032:1.
		uint64_t ratio = ch.ch_type == ELFCOMPRESS_ZSTD ? 32768 : 1032;
		if ((ch.ch_type != ELFCOMPRESS_ZLIB
				&& ch.ch_type != ELFCOMPRESS_ZSTD)
				|| ch.ch_size > MAX_SECTION
				|| ch.ch_size / ratio > s->sh_size
				|| (a & (a - 1)) != 0 || a > 4096) {
			return -1;
		}
		a = a ? a : 1;
		s->sh_offset = align_up(*end, a);
		s->sh_size = ch.ch_size;
		s->sh_addralign = a;
		s->sh_flags &= ~(uint64_t)SHF_COMPRESSED;
		*end = s->sh_offset + s->sh_size;
		n++;
	}
	return n;
}

// Fills the copy: headers and uncompressed sections where they were (so
// program headers and notes keep pointing at the right bytes), inflated
// sections after the original's end, and the new section table last.
static bool fill(unsigned char *out, const unsigned char *map,
		const Elf64_Ehdr *eh, const Elf64_Shdr *old, const Elf64_Shdr *sh,
		uint64_t shoff) {
	struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
	ZSTD_DCtx *zs = NULL; // made when a section needs it
	if (!z) {
		return false;
	}
	bool ok = true;
	for (size_t i = 1; i < eh->e_shnum && ok; i++) {
		const Elf64_Shdr *o = &old[i], *s = &sh[i];
		if (s->sh_type == SHT_NOBITS || s->sh_type == SHT_NULL) {
			continue;
		}
		if (!(o->sh_flags & SHF_COMPRESSED) || (s->sh_flags
				& SHF_COMPRESSED)) {
			memcpy(out + o->sh_offset, map + o->sh_offset, o->sh_size);
			continue;
		}
		Elf64_Chdr ch;
		memcpy(&ch, map + o->sh_offset, sizeof(ch));
		const unsigned char *in = map + o->sh_offset + sizeof(ch);
		size_t in_size = o->sh_size - sizeof(ch);
		if (ch.ch_type == ELFCOMPRESS_ZSTD) {
			if (!zs && !(zs = ZSTD_createDCtx())) {
				ok = false;
				break;
			}
			size_t got = ZSTD_decompressDCtx(zs, out + s->sh_offset,
				s->sh_size, in, in_size);
			ok = !ZSTD_isError(got) && got == s->sh_size;
		} else {
			size_t got = 0;
			ok = libdeflate_zlib_decompress(z, in, in_size,
				out + s->sh_offset, s->sh_size, &got)
				== LIBDEFLATE_SUCCESS && got == s->sh_size;
		}
	}
	libdeflate_free_decompressor(z);
	ZSTD_freeDCtx(zs);
	memcpy(out + shoff, sh, (size_t)eh->e_shnum * sizeof(*sh));
	// Headers last: a section that claims to overlap them cannot undo
	// the new section table's offset.
	if (eh->e_phnum) {
		memcpy(out + eh->e_phoff, map + eh->e_phoff,
			(size_t)eh->e_phnum * eh->e_phentsize);
	}
	Elf64_Ehdr neh = *eh;
	neh.e_shoff = shoff;
	memcpy(out, &neh, sizeof(neh));
	return ok;
}

static int inflate_map(const unsigned char *map, size_t size, bool all) {
	Elf64_Ehdr eh;
	if (size < sizeof(eh)) {
		return -1;
	}
	memcpy(&eh, map, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0
			|| eh.e_ident[EI_CLASS] != ELFCLASS64
			|| eh.e_ident[EI_DATA] != ELFDATA2LSB
			|| __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
			|| eh.e_shentsize != sizeof(Elf64_Shdr)
			|| eh.e_shnum == 0 || eh.e_shoff > size
			|| eh.e_shnum > (size - eh.e_shoff) / sizeof(Elf64_Shdr)
			|| (eh.e_phnum && (eh.e_phoff > size
				|| (uint64_t)eh.e_phnum * eh.e_phentsize
					> size - eh.e_phoff))) {
		return -1;
	}
	size_t tbl = (size_t)eh.e_shnum * sizeof(Elf64_Shdr);
	Elf64_Shdr *old = pd_xmalloc(tbl), *sh = pd_xmalloc(tbl);
	memcpy(old, map + eh.e_shoff, tbl);
	memcpy(sh, old, tbl);
	uint64_t end;
	int fd = -1;
	if (plan(map, size, &eh, sh, &end, all) > 0) {
		uint64_t shoff = align_up(end, 8), total = shoff + tbl;
		fd = memfd_create("pd-debuginfo", MFD_CLOEXEC);
		void *out = MAP_FAILED;
		if (fd >= 0 && ftruncate(fd, (off_t)total) == 0) {
			out = mmap(NULL, total, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0);
		}
		if (out != MAP_FAILED) {
			// Fault in the inflated part in one go; the rest
			// stays sparse where the compressed bytes were.
			uint64_t from = align_up(size, 4096);
			madvise((char *)out + from, total - from,
				MADV_POPULATE_WRITE);
		}
		bool ok = out != MAP_FAILED
			&& fill(out, map, &eh, old, sh, shoff);
		if (out != MAP_FAILED) {
			munmap(out, total);
		}
		if (!ok) {
			if (fd >= 0) {
				close(fd);
			}
			// No copy could be made, or a stream is corrupt.
			fd = out == MAP_FAILED ? -2 : -1;
		}
	}
	free(old);
	free(sh);
	return fd;
}

int pd_elf_inflate(int fd, bool all) {
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		return -1;
	}
	size_t size = (size_t)st.st_size;
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		return -2;
	}
	int out = inflate_map(map, size, all);
	munmap(map, size);
	return out;
}
