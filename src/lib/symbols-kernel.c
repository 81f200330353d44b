// SPDX-License-Identifier: MIT
// Kernel symbols (perf's kallsyms copy, /proc/kallsyms or --kallsyms, read
// on a thread of their own) and JIT symbols from /tmp/perf-PID.map.
#include "symbols.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "symbols-internal.h"
#include "util.h"

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

// /proc/kallsyms describes the recording only if it ran on this kernel.
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

static int cmp_ksym(const void *a, const void *b) {
	const struct ksym *x = a, *y = b;
	if (x->addr != y->addr) {
		return x->addr < y->addr ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

static int hexval(char ch) {
	if (ch >= '0' && ch <= '9') {
		return ch - '0';
	}
	if (ch >= 'a' && ch <= 'f') {
		return ch - 'a' + 10;
	}
	return -1;
}

// Parses whole kallsyms lines ("addr type name[\t[module]]") from buf,
// keeping text symbols; their names go to s->kbuf, and each symbol holds
// its name's offset until read_kallsyms turns offsets into pointers.
// Addresses read 0 when kptr_restrict hides them: those are dropped.
static void parse_kallsyms(struct pd_symbols *s, const char *buf, size_t len,
		size_t *cap, size_t *kcap, size_t *klen) {
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		uint64_t addr = 0;
		const char *q = p;
		int v;
		while (q < eol && (v = hexval(*q)) >= 0) {
			addr = addr << 4 | (uint64_t)v;
			q++;
		}
		if (q > p && eol - q > 3 && q[0] == ' ' && q[2] == ' ' && addr
				&& (q[1] == 't' || q[1] == 'T' || q[1] == 'w'
					|| q[1] == 'W')) {
			const char *name = q + 3;
			size_t n = 0;
			while (name + n < eol && name[n] != '\t') {
				n++;
			}
			pd_xgrow(&s->kbuf, kcap, *klen + n + 1, 1);
			memcpy(s->kbuf + *klen, name, n);
			s->kbuf[*klen + n] = '\0';
			pd_xgrow(&s->ksyms, cap, s->nksyms + 1, sizeof(*s->ksyms));
			s->ksyms[s->nksyms++] = (struct ksym){addr,
				(const char *)(uintptr_t)*klen};
			*klen += n + 1;
		}
		p = eol + 1;
	}
}

// Reads the kernel symbol file in pieces; runs on its own thread so the
// kernel's slow formatting of /proc/kallsyms overlaps with other work.
static void *read_kallsyms(void *arg) {
	struct pd_symbols *s = arg;
	int fd = -1;
	if (s->o.kallsyms) {
		fd = open(s->o.kallsyms, O_RDONLY | O_CLOEXEC);
	} else if (s->kthread_id_len) {
		// perf record keeps a copy for the recorded kernel's build id:
		// exact even on another machine, and much faster to read.
		char h[41], *cache = pd_symbols_home_debug();
		pd_symbols_hex(h, s->kthread_id, s->kthread_id_len);
		struct pd_strbuf b = {0};
		pd_strbuf_printf(&b, "%s/[kernel.kallsyms]/%s/kallsyms", cache, h);
		fd = open(b.s, O_RDONLY | O_CLOEXEC);
		s->kallsyms_cached = fd >= 0;
		pd_strbuf_finish(&b);
		free(cache);
	}
	if (fd < 0 && !s->o.kallsyms) {
		fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		return NULL;
	}
	enum { CHUNK = 1 << 18 };
	char *buf = pd_xmalloc(2 * CHUNK);
	size_t have = 0, cap = 0, kcap = 0, klen = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, 2 * CHUNK - have);
		if (n <= 0) {
			// A last line without a newline still counts.
			parse_kallsyms(s, buf, have, &cap, &kcap, &klen);
			break;
		}
		have += (size_t)n;
		char *last = memrchr(buf, '\n', have);
		if (!last) {
			if (have == 2 * CHUNK) {
				have = 0; // a line this long is not kallsyms
			}
			continue;
		}
		size_t used = (size_t)(last - buf) + 1;
		parse_kallsyms(s, buf, used, &cap, &kcap, &klen);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	free(buf);
	close(fd);
	for (size_t i = 0; i < s->nksyms; i++) {
		s->ksyms[i].name = s->kbuf + (uintptr_t)s->ksyms[i].name;
	}
	bool sorted = true;
	for (size_t i = 1; i < s->nksyms && sorted; i++) {
		sorted = s->ksyms[i - 1].addr <= s->ksyms[i].addr;
	}
	if (!sorted) {
		qsort(s->ksyms, s->nksyms, sizeof(*s->ksyms), cmp_ksym);
	}
	return NULL;
}

void pd_symbols_prefetch_kernel(struct pd_symbols *s) {
	if (s->kernel_started) {
		return;
	}
	s->kernel_started = true;
	// The thread works from a copy: the build id may still arrive.
	memcpy(s->kthread_id, s->kernel_build_id, sizeof(s->kthread_id));
	s->kthread_id_len = s->kernel_build_id_len;
	s->kernel_thread_ok = pthread_create(&s->kernel_thread, NULL,
		read_kallsyms, s) == 0;
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
			free(s->ksyms);
			free(s->kbuf);
			s->ksyms = NULL;
			s->kbuf = NULL;
			s->nksyms = 0;
			s->kallsyms_cached = false;
			memcpy(s->kthread_id, s->kernel_build_id,
				sizeof(s->kthread_id));
			s->kthread_id_len = s->kernel_build_id_len;
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

const char *pd_symbols_kernel_lookup(struct pd_symbols *s, uint64_t addr) {
	if (!pd_symbols_have_kernel(s) || addr < s->ksyms[0].addr) {
		return NULL;
	}
	size_t lo = 0, hi = s->nksyms;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->ksyms[mid].addr <= addr) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	// The last symbol has no end; do not stretch it over unmapped space.
	if (lo + 1 == s->nksyms && addr - s->ksyms[lo].addr > 0x100000) {
		return NULL;
	}
	return s->ksyms[lo].name;
}

// ---- JIT maps: /tmp/perf-PID.map ----

static int cmp_jit(const void *a, const void *b) {
	const struct jitsym *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

static struct jit_table *load_jit(struct pd_symbols *s, struct pd_dso *d) {
	if (d->loaded) {
		return d->jit;
	}
	d->loaded = true;
	struct jit_table *t = pd_xcalloc(1, sizeof(*t));
	d->jit = t;
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%s%s", s->o.symfs ? s->o.symfs : "", d->name);
	FILE *f = fopen(b.s, "re");
	pd_strbuf_finish(&b);
	if (!f) {
		return t;
	}
	size_t cap = 0, linecap = 0;
	char *line = NULL;
	while (getline(&line, &linecap, f) > 0) {
		char *p = line, *end;
		unsigned long long start = strtoull(p, &end, 16);
		if (end == p || *end != ' ') {
			continue;
		}
		p = end + 1;
		unsigned long long size = strtoull(p, &end, 16);
		if (end == p || *end != ' ' || size == 0) {
			continue;
		}
		char *name = end + 1;
		name[strcspn(name, "\n")] = '\0';
		pd_xgrow(&t->v, &cap, t->n + 1, sizeof(*t->v));
		t->v[t->n++] = (struct jitsym){start, start + size,
			pd_intern(s->strings, name, strlen(name))};
	}
	free(line);
	fclose(f);
	if (t->n) {
		qsort(t->v, t->n, sizeof(*t->v), cmp_jit);
	}
	d->has_symtab = t->n > 0;
	return t;
}

const char *pd_symbols_jit_lookup(struct pd_symbols *s, struct pd_dso *d,
		uint64_t addr) {
	struct jit_table *t = load_jit(s, d);
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].start <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	// Later entries win on overlap: scan back over the few candidates.
	for (size_t i = lo; i-- > 0 && lo - i < 16;) {
		if (addr >= t->v[i].start && addr < t->v[i].end) {
			return t->v[i].name;
		}
	}
	return NULL;
}

