// SPDX-License-Identifier: MIT
// Kernel symbols: perf's kallsyms copy, /proc/kallsyms or --kallsyms, read
// on a thread of their own (or their index from the cache directory, see
// symbols-kcache.c).
#include "symbols.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "symbols-internal.h"
#include "texts.h"
#include "alloc.h"
#include "bytes.h"
#include "helper.h"
#include "strbuf.h"

static bool read_running_kernel_build_id(uint8_t *id, size_t *len) {
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	uint8_t buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	for (ssize_t off = 0; n > 0 && off + 12 <= n;) {
		uint32_t namesz = pd_get_u32(buf + off);
		uint32_t descsz = pd_get_u32(buf + off + 4);
		uint32_t type = pd_get_u32(buf + off + 8);
		size_t name_off = (size_t)off + 12;
		size_t desc_off = name_off + ((namesz + 3u) & ~3u);
		if (namesz > 4096 || descsz > 4096
				|| desc_off + descsz > (size_t)n) {
			break;
		}
		if (type == 3 && namesz == 4
				&& memcmp(buf + name_off, "GNU", 4) == 0) {
			*len = descsz < 20 ? descsz : 20;
			memcpy(id, buf + desc_off, *len);
			return true;
		}
		off = (ssize_t)(desc_off + ((descsz + 3u) & ~3u));
	}
	return false;
}

// /proc/kallsyms describes the recording only if it ran on this kernel
// (as far as is known: the build id and the release may come later).
bool pd_symbols_kernel_matches(struct pd_symbols *s) {
	uint8_t id[20];
	size_t len;
	if (s->kernel_build_id_len) {
		return read_running_kernel_build_id(id, &len)
			&& len >= s->kernel_build_id_len
			&& memcmp(id, s->kernel_build_id,
				s->kernel_build_id_len) == 0;
	}
	if (s->osrelease) {
		struct utsname u;
		return uname(&u) == 0 && strcmp(u.release, s->osrelease) == 0;
	}
	return true;
}

// By address, then in the file's order (names lie in it, compacted or
// not): lookups take the last symbol at an address, as from a sorted file.
static int cmp_ksym(const void *a, const void *b) {
	const struct ksym *x = a, *y = b;
	if (x->addr != y->addr) {
		return x->addr < y->addr ? -1 : 1;
	}
	return (x->name > y->name) - (x->name < y->name);
}

static const int8_t hexdigit[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

// Indexes the text symbols of kallsyms text ("addr type name[\t[module]]"
// lines): each keeps its name's place in the text, which lookups end with
// a NUL when they first return it. Addresses read 0 when kptr_restrict
// hides them: those are dropped. A text that was read, not mapped, is
// compacted as it goes: each name, ended by a NUL, moves down to follow
// the one before, and the pages left past the last are given back.
static void parse_kallsyms(struct pd_symbols *s) {
	char *text = s->ktext, *w = text;
	const char *end = text + s->ktext_len;
	size_t cap = s->ktext_len / 32 + 16;
	s->ksyms = pd_xmalloc(cap * sizeof(*s->ksyms));
	s->nksyms = 0;
	bool sorted = true;
	uint64_t last = 0;
	for (const char *p = text; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		uint64_t addr = 0;
		const char *q = p;
		int v;
		while (q < eol && (v = hexdigit[(unsigned char)*q]) != 0) {
			addr = addr << 4 | (uint64_t)(v - 1);
			q++;
		}
		if (q > p && eol - q > 3 && q[0] == ' ' && q[2] == ' ' && addr
				&& (q[1] == 't' || q[1] == 'T' || q[1] == 'w'
					|| q[1] == 'W')) {
			const char *name = q + 3;
			const char *tab = memchr(name, '\t', (size_t)(eol - name));
			if (s->nksyms == cap) {
				pd_xgrow(&s->ksyms, &cap, cap + 1, sizeof(*s->ksyms));
			}
			size_t len = (size_t)((tab ? tab : eol) - name);
			if (!s->ktext_mapped) {
				// w + len + 1 <= eol + 1: no line ahead is touched.
				memmove(w, name, len);
				w[len] = '\0';
				name = w;
				w += len + 1;
			}
			s->ksyms[s->nksyms++] = (struct ksym){addr,
				(uint32_t)(name - text), (uint32_t)len};
			sorted &= addr >= last;
			last = addr;
		}
		p = eol + 1;
	}
	if (!sorted) {
		qsort(s->ksyms, s->nksyms, sizeof(*s->ksyms), cmp_ksym);
	}
	if (!s->ktext_mapped) {
		// The buffer stays allocated at its size; only its pages past
		// the names go (they are not read again).
		pd_give_back(w, (size_t)(text + s->ktext_len + 1 - w));
	}
}

// Takes the whole file into s->ktext: mapped (privately writable, for the
// NULs) when it is a regular file ending in a newline, else read.
static bool load_text(struct pd_symbols *s, int fd) {
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
			&& (uint64_t)st.st_size < UINT32_MAX) {
		char *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED && m[st.st_size - 1] == '\n') {
			s->ktext = m;
			s->ktext_len = (size_t)st.st_size;
			s->ktext_mapped = true;
			return true;
		}
		if (m != MAP_FAILED) {
			munmap(m, (size_t)st.st_size);
		}
	}
	size_t cap = 1 << 23, len = 0;
	char *buf = pd_xmalloc(cap);
	for (;;) {
		if (cap - len < (1 << 16)) {
			pd_xgrow(&buf, &cap, cap + 1, 1);
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n <= 0 || len + (size_t)n >= UINT32_MAX) {
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\n'; // a last line without one ends here too
	s->ktext = buf;
	s->ktext_len = len;
	s->ktext_mapped = false;
	return true;
}

void pd_symbols_free_kernel(struct pd_symbols *s) {
	if (s->kread) {
		close(s->kfd);
		free(s->ktop);
		pd_map64_free(&s->kblocks);
		pd_arena_finish(&s->kblock_mem);
		s->kread = false;
		s->ktop = NULL;
	} else if (s->ktext_mapped) {
		munmap(s->ktext, s->ktext_len);
		free(s->ksyms);
	} else {
		free(s->ktext);
		free(s->ksyms);
	}
	s->ktext = NULL;
	s->ktext_len = 0;
	s->ksyms = NULL;
	s->nksyms = 0;
}

// Reads the kernel symbol file; runs on its own thread so the kernel's
// slow formatting of /proc/kallsyms overlaps with other work.
static void *read_kallsyms(void *arg) {
	struct pd_symbols *s = arg;
	int fd = -1;
	char *path = NULL; // of a regular file, which the cache may index
	if (s->o.kallsyms) {
		path = pd_xstrdup(s->o.kallsyms);
	} else if (s->kthread_id_len) {
		// perf record keeps a copy for the recorded kernel's build id:
		// exact even on another machine, and much faster to read.
		char h[41], *cache = pd_symbols_home_debug();
		pd_symbols_hex(h, s->kthread_id, s->kthread_id_len);
		struct pd_strbuf b = {0};
		pd_strbuf_printf(&b, "%s/[kernel.kallsyms]/%s/kallsyms", cache, h);
		path = b.s;
		free(cache);
	}
	if (path) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		s->kallsyms_cached = fd >= 0 && !s->o.kallsyms;
	}
	struct pd_kcache_src src;
	bool cacheable = fd >= 0 && s->o.cache && pd_kcache_source(fd, &src);
	// Formatting /proc/kallsyms costs the kernel 20-40 ms: not for a
	// recording of another kernel, whose symbols it would not give.
	if (fd < 0 && !s->o.kallsyms && s->kthread_proc) {
		fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	}
	if (fd >= 0 && !(cacheable && pd_kcache_load(s, path, &src))
			&& load_text(s, fd)) {
		parse_kallsyms(s);
		if (cacheable) {
			pd_kcache_save(s, path, fd, &src);
		}
		if (s->ktext_mapped) {
			// Lookups read only the names they return: the pages
			// come back then, from the file (nothing was written).
			madvise(s->ktext, s->ktext_len, MADV_DONTNEED);
		}
	}
	if (fd >= 0) {
		close(fd);
	}
	free(path);
	return NULL;
}

static void *kallsyms_thread(void *arg) {
	pd_thread_helper();
	return read_kallsyms(arg);
}

// What read_kallsyms works from: the recorded kernel as known now (its
// build id may still arrive), and whether it is the running one.
static void take_kernel(struct pd_symbols *s) {
	memcpy(s->kthread_id, s->kernel_build_id, sizeof(s->kthread_id));
	s->kthread_id_len = s->kernel_build_id_len;
	s->kthread_proc = pd_symbols_kernel_matches(s);
}

void pd_symbols_prefetch_kernel(struct pd_symbols *s) {
	if (s->kernel_started) {
		return;
	}
	s->kernel_started = true;
	take_kernel(s);
	s->kernel_thread_ok = pthread_create(&s->kernel_thread, NULL,
		kallsyms_thread, s) == 0;
	if (!s->kernel_thread_ok) {
		read_kallsyms(s);
	}
}

bool pd_symbols_have_kernel(struct pd_symbols *s) {
	if (!s->kernel_tried) {
		s->kernel_tried = true;
		pd_symbols_prefetch_kernel(s);
		if (s->kernel_thread_ok) {
			pthread_join(s->kernel_thread, NULL);
		}
		if (s->kthread_id_len != s->kernel_build_id_len
				|| memcmp(s->kthread_id, s->kernel_build_id,
					s->kernel_build_id_len) != 0) {
			// The recorded build id came after the thread started
			// (pipe mode, non-seekable input): read again with it.
			pd_symbols_free_kernel(s);
			s->kallsyms_cached = false;
			take_kernel(s);
			read_kallsyms(s);
		}
		// Only now is the recording's build id surely known.
		if (!s->o.kallsyms && !s->kallsyms_cached
				&& !pd_symbols_kernel_matches(s)) {
			s->nksyms = 0;
		}
		s->kernel->has_symtab = s->nksyms > 0;
		s->kernel->loaded = true;
	}
	return s->nksyms > 0;
}

// A block of PD_KTOP symbols of a cache entry and their names, read
// once, when a lookup first falls in it.
struct kblock {
	struct ksym k[PD_KTOP];
	uint64_t from;  // text[0, len) is the entry's names [from, from + len)
	size_t len;
	char *text;
};

// Block b, or NULL if it cannot be read (the entry was cut short or
// rewritten since it was checked).
static const struct kblock *kblock(struct pd_symbols *s, size_t b) {
	uint64_t *known = pd_map64_find(&s->kblocks, b + 1);
	if (known) {
		return (const struct kblock *)(uintptr_t)*known;
	}
	size_t lo = b * PD_KTOP, n = s->nksyms - lo < PD_KTOP ? s->nksyms - lo
		: PD_KTOP;
	struct ksym k[PD_KTOP];
	if (pread(s->kfd, k, n * sizeof(*k), (off_t)(s->ksyms_at
			+ lo * sizeof(*k))) != (ssize_t)(n * sizeof(*k))
			|| k[0].addr != s->ktop[b]) {
		return NULL;
	}
	// The names follow one another in the symbols' order, and lie
	// within the names checked when the entry was loaded (ksym_name
	// checks each again).
	uint64_t from = k[0].name, to = (uint64_t)k[n - 1].name
		+ k[n - 1].len + 1;
	if (from >= to || to > s->ktext_len) {
		return NULL;
	}
	struct kblock *x = pd_arena_alloc(&s->kblock_mem, sizeof(*x));
	memcpy(x->k, k, n * sizeof(*k));
	x->from = from;
	x->len = (size_t)(to - from);
	x->text = pd_arena_alloc(&s->kblock_mem, x->len);
	if (pread(s->kfd, x->text, x->len, (off_t)(s->ktext_at + from))
			!= (ssize_t)x->len) {
		x->len = 0; // no names, and no more reads
	}
	pd_map64_insert(&s->kblocks, b + 1, (uintptr_t)x);
	return x;
}

// Whether a symbol holds addr: if so, it is in *k and, with kread, its
// block in *x.
static bool ksym_find(struct pd_symbols *s, uint64_t addr, struct ksym *k,
		const struct kblock **x) {
	if (!pd_symbols_have_kernel(s)
			|| addr < (s->kread ? s->ktop[0] : s->ksyms[0].addr)) {
		return false;
	}
	size_t lo = 0, hi = s->nksyms, base = 0;
	const struct ksym *v = s->ksyms; // v[i - base] is symbol i
	if (s->kread) {
		size_t tlo = 0, thi = (s->nksyms + PD_KTOP - 1) / PD_KTOP;
		while (thi - tlo > 1) {
			size_t mid = tlo + (thi - tlo) / 2;
			if (s->ktop[mid] <= addr) {
				tlo = mid;
			} else {
				thi = mid;
			}
		}
		if (!(*x = kblock(s, tlo))) {
			return false;
		}
		base = lo = tlo * PD_KTOP;
		hi = lo + PD_KTOP < s->nksyms ? lo + PD_KTOP : s->nksyms;
		v = (*x)->k;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid - base].addr <= addr) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	// The last symbol has no end; do not stretch it over unmapped space.
	if (lo + 1 == s->nksyms && addr - v[lo - base].addr > 0x100000) {
		return false;
	}
	*k = v[lo - base];
	return true;
}

// The name of symbol k (as ksym_find gave it, with its block x), or NULL.
static const char *ksym_name(struct pd_symbols *s, const struct ksym *k,
		const struct kblock *x) {
	if (!s->kread) {
		s->ktext[k->name + k->len] = '\0';
		return s->ktext + k->name;
	}
	if (k->name < x->from || k->name - x->from >= x->len
			|| k->len >= x->len - (k->name - x->from)
			|| x->text[k->name - x->from + k->len] != '\0') {
		return NULL;
	}
	return x->text + (k->name - x->from);
}

const char *pd_symbols_kernel_lookup(struct pd_symbols *s, uint64_t addr) {
	struct ksym k;
	const struct kblock *x = NULL;
	return ksym_find(s, addr, &k, &x) ? ksym_name(s, &k, x) : NULL;
}

// The symbol holding addr and its start, for names shown with an offset
// (tracepoint fields printed as %pS).
const char *pd_symbols_kernel_symbol(struct pd_symbols *s, uint64_t addr,
		uint64_t *start) {
	struct ksym k;
	const struct kblock *x = NULL;
	if (!ksym_find(s, addr, &k, &x)) {
		return NULL;
	}
	*start = k.addr;
	return ksym_name(s, &k, x);
}
