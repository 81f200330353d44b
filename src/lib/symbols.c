// SPDX-License-Identifier: MIT
// The DSO registry and address-to-name lookup (ELF files in symbols-elf.c,
// kallsyms and perf-PID.map in symbols-kernel.c, inline chains in
// symbols-inline.c), with demangling and stackcollapse-perf.pl's tidying.
#include "symbols.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "symbols-internal.h"
#include "texts.h"
#include "alloc.h"
#include "env.h"
#include "hash.h"
#include "strbuf.h"

static const char *const anon_prefixes[] = {"//anon", "/dev/zero",
	"/anon_hugepage", "[stack", "/SYSV", "[heap]", "[anon:", "/memfd:"};

// Anonymous memory of a process is one DSO named after its perf map,
// /tmp/perf-PID.map; a memfd keeps its own name (and is unresolved as
// [memfd:NAME]), as perf does, but is looked up in that map too.
static bool is_memfd(const char *name) {
	return strncmp(name, "/memfd:", 7) == 0;
}

static enum pd_dso_kind classify(const char *name) {
	for (size_t i = 0; i < sizeof(anon_prefixes) / sizeof(*anon_prefixes);
			i++) {
		if (strncmp(name, anon_prefixes[i], strlen(anon_prefixes[i]))
				== 0) {
			return PD_DSO_JIT;
		}
	}
	if (strcmp(name, "[vdso]") == 0) {
		return PD_DSO_VDSO;
	}
	if (name[0] == '[' || name[0] == '\0') {
		return PD_DSO_OTHER;
	}
	return PD_DSO_FILE;
}

struct pd_symbols *pd_symbols_create(const struct pd_symbols_options *o) {
	struct pd_symbols *s = pd_xcalloc(1, sizeof(*s));
	s->o = *o;
	pd_symbols_elf_init(s);
	s->names = pd_texts_create();
#ifndef NDEBUG
	// (At most 10 s a job.)
	s->debug_delay_us = (unsigned)pd_env_number("PD_DEBUG_LOADER_DELAY_US",
		10000000);
#endif
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	s->warm_tail = &s->warm_head;
	s->kernel = pd_symbols_dso(s, "[kernel.kallsyms]", (uint32_t)-1);
	s->kernel->id.kind = PD_DSO_KERNEL;
	return s;
}

void pd_symbols_destroy(struct pd_symbols *s) {
	if (!s) {
		return;
	}
	// Items the loader has not taken yet are not needed any more (a
	// block it has taken still runs before the join).
	if (s->warm_local) {
		s->warm_local->n = 0;
	}
	pthread_mutex_lock(&s->lock);
	*s->warm_tail = s->warm_spare; // spare: pd_symbols_warm_finish frees
	s->warm_spare = s->warm_head;
	s->warm_head = NULL;
	s->warm_tail = &s->warm_head;
	s->warm_waiting = 0;
	pthread_mutex_unlock(&s->lock);
	pd_symbols_warm_finish(s);
	for (size_t i = 0; i < s->ndsos; i++) {
		struct pd_dso *d = s->dsos[i];
		pd_symbols_free_scopes(d);
		pd_symbols_free_elf(d);
		pd_cache_free(d);
		free((char *)d->id.name);
		free(d);
	}
	free(s->dsos);
	pd_index_free(&s->by_name);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	if (s->kernel_started && !s->kernel_tried && s->kernel_thread_ok) {
		pthread_join(s->kernel_thread, NULL);
	}
	pd_symbols_free_kernel(s);
	pd_symbols_free_jit(s);
	free(s->osrelease);
	pd_map64_free(&s->demangled);
	free(s->debuginfo_path);
	pd_texts_destroy(s->names);
	free(s);
}

static const char *basename_of(const char *p) {
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

struct pd_dso *pd_symbols_dso(struct pd_symbols *s, const char *filename,
		uint32_t pid) {
	enum pd_dso_kind kind = classify(filename);
	char buf[64];
	if (kind == PD_DSO_JIT && !is_memfd(filename)) {
		snprintf(buf, sizeof(buf), "/tmp/perf-%u.map", pid);
		filename = buf;
	}
	// A memfd's name is per process.
	uint32_t key_pid = kind == PD_DSO_JIT ? pid : 0;
	size_t len = strlen(filename);
	uint64_t h = pd_hash(filename, len, key_pid ^ pd_hash_secret);
	size_t j = pd_index_slot(&s->by_name, h);
	for (uint32_t e; (e = pd_index_probe(&s->by_name, h, &j));
			j = pd_index_next(&s->by_name, j)) {
		const struct pd_dso *x = s->dsos[e - 1];
		if (strcmp(x->id.name, filename) == 0
				&& (x->id.kind != PD_DSO_JIT || x->pid == key_pid)) {
			return s->dsos[e - 1];
		}
	}
	uint32_t id = pd_index_add(&s->by_name, j, h);
	struct pd_dso *d = pd_xcalloc(1, sizeof(*d));
	char *name = pd_xstrdup(filename);
	d->id = (struct pd_dso_ident){kind, id, name, basename_of(name)};
	d->owner = s;
	d->pid = pid;
	d->ref_load = (struct dso_ref){d, true};
	d->ref_unwind = (struct dso_ref){d, false};
	pd_xgrow(&s->dsos, &s->dsos_cap, (size_t)id + 1, sizeof(*s->dsos));
	s->dsos[id] = d;
	s->ndsos = (size_t)id + 1;
	return d;
}

struct pd_dso *pd_symbols_kernel(struct pd_symbols *s) {
	return s->kernel;
}

void pd_symbols_set_build_id(struct pd_symbols *s, struct pd_dso *d,
		const uint8_t *id, size_t len) {
	// A DSO handed to the loader thread is no longer ours to change,
	// and one loaded has been looked up without it.
	if (d->warm_queued) {
		return;
	}
	if (d->loaded) {
		return;
	}
	len = len < 20 ? len : 20;
	memcpy(d->build_id, id, len);
	d->build_id_len = len;
}

void pd_symbols_buildid(struct pd_symbols *s, uint16_t cpumode,
		const uint8_t *id, size_t len, const char *filename) {
	if (len > 20) {
		len = 20;
	}
	if (cpumode == 1 && (strcmp(filename, "[kernel.kallsyms]") == 0
			|| strcmp(filename, "vmlinux") == 0)) {
		memcpy(s->kernel_build_id, id, len);
		s->kernel_build_id_len = len;
		return;
	}
	enum pd_dso_kind kind = classify(filename);
	if (kind != PD_DSO_FILE && kind != PD_DSO_VDSO) {
		return;
	}
	pd_symbols_set_build_id(s, pd_symbols_dso(s, filename, 0), id, len);
}

void pd_symbols_set_osrelease(struct pd_symbols *s, const char *release) {
	free(s->osrelease);
	s->osrelease = release ? pd_xstrdup(release) : NULL;
}

void pd_symbols_foreach(struct pd_symbols *s,
		void (*fn)(void *arg, struct pd_dso *d), void *arg) {
	assert(pd_symbols_owner(s));
	for (size_t i = 0; i < s->ndsos; i++) {
		fn(arg, s->dsos[i]);
	}
}

void pd_dso_stats(const struct pd_dso *d, struct pd_dso_stats *out) {
	assert(pd_symbols_owner(d->owner));
	*out = (struct pd_dso_stats){
		.found = d->loaded || !d->cache_tried ? d->path != NULL
			: d->cache_found,
		.has_symbols = d->loaded || !d->cache_tried ? d->has_symtab
			: d->cache_symtab,
		.build_id_differs = d->loaded || !d->cache_tried
			? d->build_id_differs : d->cache_differs,
		.frames = d->frames,
		.unresolved = d->unresolved,
	};
}

// ---- names ----

// stackcollapse-perf.pl's tidying: ';' would split the frame, quotes go.
const char *pd_symbols_tidy(struct pd_symbols *s, const char *name) {
	struct pd_strbuf b = {0};
	bool changed = false;
	for (const char *p = name; *p; p++) {
		if (*p == '"' || *p == '\'') {
			changed = true;
			continue;
		}
		if (*p == ';' || *p == '\n' || *p == '\r') {
			changed = true;
			pd_strbuf_addc(&b, *p == ';' ? ':' : ' ');
			continue;
		}
		pd_strbuf_addc(&b, *p);
	}
	const char *r = changed ? pd_texts_intern(s->names, b.s ? b.s : "", b.len)
		: pd_texts_intern(s->names, name, strlen(name));
	pd_strbuf_finish(&b);
	return r;
}

// The demangler keeps the parameter list of a thunk's target ("virtual
// thunk to A::~A()"): cut it, and what qualifies it, as for any function.
static void cut_thunk_params(char *d) {
	static const char *const thunks[] = {"non-virtual thunk to ",
		"virtual thunk to ", "covariant return thunk to "};
	bool thunk = false;
	for (size_t i = 0; i < sizeof(thunks) / sizeof(*thunks); i++) {
		thunk |= strncmp(d, thunks[i], strlen(thunks[i])) == 0;
	}
	size_t n = strlen(d);
	while (thunk && n && (d[n - 1] == ' ' || d[n - 1] == '&'
			|| (n >= 5 && strncmp(d + n - 5, "const", 5) == 0)
			|| (n >= 8 && strncmp(d + n - 8, "volatile", 8) == 0))) {
		n -= d[n - 1] == ' ' || d[n - 1] == '&' ? 1
			: d[n - 1] == 't' ? 5 : 8;
	}
	if (!thunk || !n || d[n - 1] != ')') {
		return;
	}
	int depth = 0;
	for (size_t i = n; i-- > 0;) {
		depth += d[i] == ')' ? 1 : d[i] == '(' ? -1 : 0;
		if (depth == 0) {
			// operator() keeps its own parentheses
			if (i >= 8 && strncmp(d + i - 8, "operator", 8) == 0) {
				return;
			}
			d[i] = '\0';
			return;
		}
	}
}

bool pd_symbols_mangled(const char *name) {
	return name[0] == '_' && (name[1] == 'Z' || name[1] == 'R'
		|| strncmp(name, "_GLOBAL_", 8) == 0);
}

// Demangles C++ and Rust (legacy and v0) names without the top-level
// parameter list; template arguments and lambda signatures stay.
const char *pd_symbols_demangle(struct pd_symbols *s, const char *raw) {
	size_t len = strlen(raw);
	if (len > 4 && strcmp(raw + len - 4, "@plt") == 0 && s->o.demangle) {
		// name@plt: the name demangled, then the suffix
		char *base = pd_xstrdup(raw);
		base[len - 4] = '\0';
		struct pd_strbuf b = {0};
		pd_strbuf_printf(&b, "%s@plt", pd_symbols_demangle(s, base));
		const char *r = pd_texts_intern(s->names, b.s, b.len);
		pd_strbuf_finish(&b);
		free(base);
		return r;
	}
	const char *key = pd_texts_intern(s->names, raw, len);
	if (!s->o.demangle) {
		return pd_symbols_tidy(s, key);
	}
	const uint64_t *known = pd_map64_find(&s->demangled, (uintptr_t)key);
	if (known) {
		return (const char *)(uintptr_t)*known;
	}
	const char *val;
	char *d = NULL;
	if (pd_symbols_mangled(key)) {
		d = cplus_demangle(key, DMGL_AUTO);
	}
	if (d) {
		cut_thunk_params(d);
	}
	val = pd_symbols_tidy(s, d ? d : key);
	free(d);
	pd_map64_insert(&s->demangled, (uintptr_t)key, (uintptr_t)val);
	return val;
}

// ---- resolving ----

void pd_symbols_resolve(struct pd_symbols *s, struct pd_dso *d,
		uint64_t addr, struct pd_frames *out) {
	out->n = 0;
	out->resolved = false;
	if (!d) {
		return;
	}
	assert(pd_symbols_owner(s));
	d->frames++;
	const char *name = NULL, *inl[63], *outer = NULL;
	size_t ninl = 0;
	bool note = true;
	switch (d->id.kind) {
	case PD_DSO_KERNEL:
		name = pd_symbols_kernel_lookup(s, addr);
		break;
	case PD_DSO_JIT:
		name = pd_symbols_jit_lookup(s, d, addr);
		break;
	case PD_DSO_FILE:
	case PD_DSO_VDSO: {
		Dwarf_Addr a;
		if (pd_cache_open(s, d) && pd_cache_lookup(d, addr, out)) {
			d->unresolved += !out->resolved;
			return;
		}
		if (pd_cache_symbols(d)) {
			// A complete entry: its symbol table names any address
			// of the file, as loading it would. (What it names is
			// not noted: the entry need not be written again.)
			note = false;
			if (pd_cache_offset_to_addr(d, addr, &a)) {
				name = pd_symbols_sym_name(s, d, a);
			}
		} else if (pd_dso_load(s, d)
				&& pd_dso_offset_to_addr(d, addr, &a)) {
			name = pd_symbols_sym_name(s, d, a);
			if (s->o.inline_frames) {
				ninl = pd_symbols_inline_chain(s, d, a, inl, 63,
					&outer);
			}
			if (!name && ninl) {
				name = outer;
			}
		}
		break;
	}
	default:
		break;
	}
	if (!name || !*name) {
		d->unresolved++;
		if (note) {
			pd_cache_note(d, addr, out);
		}
		return;
	}
	out->names[0] = d->id.kind == PD_DSO_KERNEL ? name
		: pd_symbols_demangle(s, name);
	out->inlined[0] = false;
	out->n = 1;
	out->resolved = true;
	while (ninl) {
		out->names[out->n] = inl[--ninl];
		out->inlined[out->n++] = true;
	}
	if (note) {
		pd_cache_note(d, addr, out);
	}
}
