// SPDX-License-Identifier: MIT
// The persistent cache of resolved addresses: per ELF file (by build id, or
// by name when it has none) and options, the frames each address resolved
// to, in $XDG_CACHE_HOME/pd (else ~/.cache/pd). A run over binaries seen
// before then names their addresses without opening them, inflating their
// debug info or loading their symbol tables.
//
// An entry is only used if resolving would give the same: it lists every
// file the resolution tried to open (the binary where perf's build-id cache
// and --symfs put it, its separate debug info...), with the size,
// modification time, inode, mode and owner each had, or that it was
// missing; all must be as they were, and none may change during the run
// that writes the entry, nor fail to open for want of memory or file
// descriptors (else it writes none). Entries are checked whole (a checksum)
// and written to a temporary file renamed into place, so a torn or
// concurrent write leaves either the old entry or the new one; a bad entry
// is ignored and replaced. The temporary files of a run killed while
// writing are removed by the next write of the same entry, ten minutes on.
// The cache never changes what is printed.
//
// An entry is complete when the file's names come from its symbol table
// alone (it has no DWARF, or inline frames are off): it then holds the
// symbol table as loaded (and the load segments), so that an address it
// lacks is named from it, not by loading the file. A new recording of the
// same program (each commit profiled in CI) has new addresses in every
// library, which would otherwise load them all.
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols-internal.h"
#include "alloc.h"
#include "hash.h"
#include "strbuf.h"
#include "texts.h"

#define MAGIC "PDLOC\0\0\2"
// Options that change names; bumped with the format.
#define FLAG_DEMANGLE 1u
#define FLAG_INLINE 2u

struct header {
	char magic[8];
	uint64_t checksum; // pd_hash of the body
	uint64_t body;     // bytes after the header
	uint32_t flags;
	uint32_t name;     // the DSO's name: offset in strings
	uint32_t nprobes, naddrs, nframes, strings;
	uint8_t found, symtab, build_id_len;
	uint8_t differs; // the file there has another build id
	uint8_t build_id[20];
	uint8_t pd_build[20]; // the build id of the pd that wrote it
	uint32_t nsegs, nsyms, naliases; // a complete entry's
	uint8_t complete;
	uint8_t pad[7];
};

// tests/fuzz/fuzz-loc.c writes fields of it, tests/unit/cache_entry.py
// reads complete.
_Static_assert(sizeof(struct header) == 112
	&& offsetof(struct header, complete) == 104
	&& offsetof(struct header, checksum) == 8
	&& offsetof(struct header, body) == 16
	&& offsetof(struct header, name) == 28
	&& offsetof(struct header, build_id) == 52
	&& offsetof(struct header, flags) == 24
	&& offsetof(struct header, strings) == 44
	&& offsetof(struct header, build_id_len) == 50
	&& offsetof(struct header, pd_build) == 72, "fuzz-loc.c's layout");

// A file the resolution tried to open, as it was.
struct probe_rec {
	uint32_t path;    // offset in strings
	uint32_t exists;
	uint64_t size, mtime, ino, dev;
	uint32_t mode, uid, gid, pad; // a chmod or chown changes what opens
};

struct addr_rec {
	uint64_t addr, inlined;
	uint32_t first, n; // names: frames[first, first + n), offsets in strings
};

// A complete entry's symbol table: load segments (struct pd_load, file
// offsets to the symbols' addresses), symbols sorted by start and alias
// runs, each ended by a record named NONE (as struct pd_dso's).

struct sym_rec {
	uint64_t start, end, ifunc;
	uint32_t name, alias;
};

struct alias_rec {
	uint64_t end, ifunc;
	uint32_t name, pad;
};

#define NONE UINT32_MAX

struct probe {
	char *path;
	struct probe_rec st; // path unused
};

struct fresh {
	uint64_t addr, inlined;
	size_t first;   // in names
	uint32_t n;
};

struct cache {
	char *file;     // the entry's path
	// The entry read, if valid: nbuf bytes from pd_huge_malloc (read
	// into 4 KiB pages, gxx-fp's 4 MB entry took a fault per page).
	uint8_t *buf;
	size_t nbuf;
	const struct header *h;
	const struct addr_rec *addrs;
	const struct pd_load *segs;
	const struct sym_rec *syms;
	const struct alias_rec *aliases;
	const uint32_t *frames;
	const char *strings;
	uint64_t *top; // the address of every PD_KTOP-th of addrs
	struct probe *probes; // the entry's, then this run's (if it loaded d)
	size_t nprobes, probes_cap;
	struct fresh *fresh;  // resolved this run
	size_t nfresh, fresh_cap;
	const char **names;
	size_t nnames, names_cap;
	// A file tried changed, or could not be tried: write nothing.
	bool changed;
};

static uint32_t flags_of(const struct pd_symbols *s) {
	return (s->o.demangle ? FLAG_DEMANGLE : 0)
		| (s->o.inline_frames ? FLAG_INLINE : 0);
}

static void stat_probe(const char *path, struct probe_rec *r) {
	struct stat st;
	*r = (struct probe_rec){0};
	if (stat(path, &st) != 0) {
		return;
	}
	r->exists = 1;
	r->size = (uint64_t)st.st_size;
	r->mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000u
		+ (uint64_t)st.st_mtim.tv_nsec;
	r->mode = (uint32_t)st.st_mode;
	r->uid = (uint32_t)st.st_uid;
	r->gid = (uint32_t)st.st_gid;
	r->ino = (uint64_t)st.st_ino;
	r->dev = (uint64_t)st.st_dev;
}

static bool same_stat(const struct probe_rec *a, const struct probe_rec *b) {
	return a->exists == b->exists && a->size == b->size
		&& a->mtime == b->mtime && a->ino == b->ino && a->dev == b->dev
		&& a->mode == b->mode && a->uid == b->uid && a->gid == b->gid;
}

static const char *string_at(const struct cache *c, uint32_t off) {
	return c->strings + off;
}

// Whether a complete entry's symbol table holds together: names in the
// strings, symbols in order, each alias run inside the records, not
// empty, and ended.
static bool symtab_ok(const struct cache *c, const struct header *h) {
	for (uint32_t i = 0; i < h->nsyms; i++) {
		const struct sym_rec *y = &c->syms[i];
		if (y->name >= h->strings || y->alias > h->naliases
				|| (y->alias && c->aliases[y->alias - 1].name == NONE)
				|| (i && y->start <= c->syms[i - 1].start)) {
			return false;
		}
	}
	for (uint32_t i = 0; i < h->naliases; i++) {
		if (c->aliases[i].name != NONE
				&& c->aliases[i].name >= h->strings) {
			return false;
		}
	}
	return h->naliases == 0 || c->aliases[h->naliases - 1].name == NONE;
}

// Checks the entry in c->buf (n bytes) for d; false if it does not hold
// together or is not d's.
static bool parse(struct cache *c, size_t n, const struct pd_symbols *s,
		const struct pd_dso *d) {
	const struct header *h = (const void *)c->buf;
	if (n < sizeof(*h) || memcmp(h->magic, MAGIC, 8) != 0
			|| h->body != n - sizeof(*h)
			|| h->checksum != pd_hash(c->buf + sizeof(*h), n - sizeof(*h),
				0)) {
		return false;
	}
	uint64_t need = (uint64_t)h->nprobes * sizeof(struct probe_rec)
		+ (uint64_t)h->naddrs * sizeof(struct addr_rec)
		+ (uint64_t)h->nsegs * sizeof(struct pd_load)
		+ (uint64_t)h->nsyms * sizeof(struct sym_rec)
		+ (uint64_t)h->naliases * sizeof(struct alias_rec)
		+ (uint64_t)h->nframes * 4 + h->strings;
	uint8_t build[20];
	pd_cache_pd_build(build);
	if (need != h->body || h->strings == 0 || h->flags != flags_of(s)
			|| h->complete > 1 || (!h->complete
				&& (h->nsegs || h->nsyms || h->naliases))
			|| memcmp(h->pd_build, build, 20) != 0
			|| h->build_id_len != d->build_id_len
			|| memcmp(h->build_id, d->build_id, d->build_id_len) != 0) {
		return false;
	}
	const uint8_t *p = c->buf + sizeof(*h);
	const struct probe_rec *probes = (const void *)p;
	p += h->nprobes * sizeof(struct probe_rec);
	c->addrs = (const void *)p;
	p += h->naddrs * sizeof(struct addr_rec);
	c->segs = (const void *)p;
	p += h->nsegs * sizeof(struct pd_load);
	c->syms = (const void *)p;
	p += h->nsyms * sizeof(struct sym_rec);
	c->aliases = (const void *)p;
	p += h->naliases * sizeof(struct alias_rec);
	c->frames = (const void *)p;
	c->strings = (const char *)p + h->nframes * 4;
	if (c->strings[h->strings - 1] != '\0' || h->name >= h->strings
			|| strcmp(string_at(c, h->name), d->id.name) != 0) {
		return false;
	}
	for (uint32_t i = 0; i < h->nframes; i++) {
		if (c->frames[i] >= h->strings) {
			return false;
		}
	}
	for (uint32_t i = 0; i < h->naddrs; i++) {
		const struct addr_rec *a = &c->addrs[i];
		if (a->n > 64 || a->first > h->nframes
				|| a->n > h->nframes - a->first
				|| (i && a->addr <= c->addrs[i - 1].addr)) {
			return false;
		}
	}
	if (!symtab_ok(c, h)) {
		return false;
	}
	// Every file tried must be as it was.
	for (uint32_t i = 0; i < h->nprobes; i++) {
		struct probe_rec now;
		if (probes[i].path >= h->strings) {
			return false;
		}
		stat_probe(string_at(c, probes[i].path), &now);
		if (!same_stat(&now, &probes[i])) {
			return false;
		}
	}
	pd_xgrow(&c->probes, &c->probes_cap, h->nprobes, sizeof(*c->probes));
	for (uint32_t i = 0; i < h->nprobes; i++) {
		c->probes[i].path = pd_xstrdup(string_at(c, probes[i].path));
		c->probes[i].st = probes[i];
	}
	c->nprobes = h->nprobes;
	c->h = h;
	// A lookup searches these first: a block of addrs, not all of
	// them (a binary search over 100k took a miss per step: ~30 ms of
	// a run's CPU that looks up as many).
	c->top = pd_xmalloc((h->naddrs / PD_KTOP + 1) * sizeof(*c->top));
	for (uint32_t i = 0; i < h->naddrs; i += PD_KTOP) {
		c->top[i / PD_KTOP] = c->addrs[i].addr;
	}
	return true;
}

// The entry's file name: the build id (or the name's hash), and a hash of
// the name, options, --symfs and perf's build-id cache (~/.debug): these
// choose the files tried, so an entry's probes speak only for runs with
// the same (one written under another HOME could hold names from a debug
// file in its ~/.debug that this one lacks).
static char *entry_file(const struct pd_symbols *s, const struct pd_dso *d,
		const char *dir) {
	uint64_t k = pd_hash(d->id.name, strlen(d->id.name), flags_of(s));
	if (s->o.symfs) {
		k ^= pd_hash(s->o.symfs, strlen(s->o.symfs), 1);
	}
	char *home = pd_symbols_home_debug();
	k ^= pd_hash(home, strlen(home), 2);
	free(home);
	char id[41];
	if (d->build_id_len) {
		pd_symbols_hex(id, d->build_id, d->build_id_len);
	} else {
		snprintf(id, sizeof(id), "noid");
	}
	struct pd_strbuf b = {0};
	pd_strbuf_printf(&b, "%s/%s-%016llx.loc", dir, id, (unsigned long long)k);
	return b.s;
}

// Forgets an entry found bad.
static void drop(struct cache *c) {
	pd_huge_free(c->buf, c->nbuf);
	free(c->top);
	for (size_t i = 0; i < c->nprobes; i++) {
		free(c->probes[i].path);
	}
	*c = (struct cache){.file = c->file, .probes = c->probes,
		.probes_cap = c->probes_cap};
}

static void read_entry(struct cache *c, const struct pd_symbols *s,
		const struct pd_dso *d) {
	int fd = open(c->file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		return;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0
			&& (uint64_t)st.st_size < (1ull << 32)) {
		size_t n = (size_t)st.st_size, got = 0;
		c->buf = pd_huge_malloc(n);
		c->nbuf = n;
		while (got < n) {
			ssize_t r = read(fd, c->buf + got, n - got);
			if (r <= 0) {
				break;
			}
			got += (size_t)r;
		}
		if (got != n || !parse(c, n, s, d)) {
			drop(c);
		}
	}
	close(fd);
}

// What a valid entry says of d's file when d is not loaded.
static bool adopt(struct pd_dso *d) {
	const struct header *h = d->cache->h;
	if (h) {
		d->cache_found = h->found;
		d->cache_symtab = h->symtab;
		d->cache_differs = h->differs;
	}
	return h != NULL;
}

bool pd_cache_take(struct pd_symbols *s, struct pd_dso *d, uint8_t *buf,
		size_t n) {
	d->cache_tried = true;
	struct cache *c = d->cache = pd_xcalloc(1, sizeof(*c));
	c->file = pd_xstrdup("");
	c->buf = pd_huge_malloc(n);
	c->nbuf = n;
	memcpy(c->buf, buf, n);
	free(buf);
	if (!parse(c, n, s, d)) {
		drop(c);
	}
	return adopt(d);
}

bool pd_cache_open(struct pd_symbols *s, struct pd_dso *d) {
	if (d->cache_tried) {
		return d->cache && d->cache->h;
	}
	d->cache_tried = true;
	const char *urls = getenv("DEBUGINFOD_URLS");
	if (!s->o.cache || d->id.kind != PD_DSO_FILE || (urls && *urls)) {
		return false; // debuginfod's client tries files we do not see
	}
	char *dir = pd_cache_dir();
	if (!dir) {
		return false;
	}
	struct cache *c = d->cache = pd_xcalloc(1, sizeof(*c));
	c->file = entry_file(s, d, dir);
	free(dir);
	read_entry(c, s, d);
	return adopt(d);
}

bool pd_cache_lookup(struct pd_dso *d, uint64_t addr, struct pd_frames *out) {
	const struct cache *c = d->cache;
	if (!c || !c->h) {
		return false;
	}
	size_t n = c->h->naddrs, lo = 0, hi = (n + PD_KTOP - 1) / PD_KTOP;
	while (lo < hi) { // the block: the last whose first is <= addr
		size_t mid = lo + (hi - lo) / 2;
		if (c->top[mid] <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo == 0) {
		return false;
	}
	hi = (lo - 1) * PD_KTOP + PD_KTOP;
	hi = hi < n ? hi : n;
	lo = (lo - 1) * PD_KTOP;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->addrs[mid].addr < addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo == c->h->naddrs || c->addrs[lo].addr != addr) {
		return false;
	}
	const struct addr_rec *a = &c->addrs[lo];
	out->n = a->n;
	out->resolved = a->n > 0;
	for (uint32_t i = 0; i < a->n; i++) {
		out->names[i] = string_at(c, c->frames[a->first + i]);
		out->inlined[i] = a->inlined >> i & 1;
	}
	return true;
}

bool pd_cache_symbols(struct pd_dso *d) {
	const struct cache *c = d->cache;
	if (!c || !c->h || !c->h->complete) {
		return false;
	}
	if (d->cache_syms) {
		return true;
	}
	d->cache_syms = true;
	const struct header *h = c->h;
	d->syms = pd_xcalloc(h->nsyms + 1, sizeof(*d->syms));
	for (uint32_t i = 0; i < h->nsyms; i++) {
		const struct sym_rec *y = &c->syms[i];
		d->syms[i] = (struct pd_sym){.start = y->start, .end = y->end,
			.name = string_at(c, y->name), .alias = y->alias,
			.ifunc = y->ifunc};
	}
	d->nsyms = h->nsyms;
	d->aliases = pd_xcalloc(h->naliases + 1, sizeof(*d->aliases));
	for (uint32_t i = 0; i < h->naliases; i++) {
		const struct alias_rec *a = &c->aliases[i];
		d->aliases[i] = (struct pd_alias){a->name == NONE ? NULL
			: string_at(c, a->name), a->end, a->ifunc};
	}
	d->naliases = h->naliases;
	return true;
}

bool pd_cache_offset_to_addr(const struct pd_dso *d, uint64_t offset,
		uint64_t *addr) {
	const struct cache *c = d->cache;
	for (uint32_t i = 0; i < c->h->nsegs; i++) {
		const struct pd_load *g = &c->segs[i];
		if (offset >= g->offset && offset - g->offset < g->size) {
			*addr = offset - g->offset + g->addr;
			return true;
		}
	}
	return false;
}

void pd_cache_note(struct pd_dso *d, uint64_t addr,
		const struct pd_frames *f) {
	struct cache *c = d->cache;
	if (!c) {
		return;
	}
	pd_xgrow(&c->fresh, &c->fresh_cap, c->nfresh + 1, sizeof(*c->fresh));
	struct fresh *x = &c->fresh[c->nfresh++];
	*x = (struct fresh){addr, 0, c->nnames, (uint32_t)f->n};
	pd_xgrow(&c->names, &c->names_cap, c->nnames + f->n, sizeof(*c->names));
	for (size_t i = 0; i < f->n; i++) {
		c->names[c->nnames++] = f->names[i];
		x->inlined |= (uint64_t)f->inlined[i] << i;
	}
}

void pd_cache_probe(struct pd_dso *d, const char *path) {
	struct cache *c = d->cache;
	if (!c) {
		return;
	}
	struct probe_rec now;
	stat_probe(path, &now);
	for (size_t i = 0; i < c->nprobes; i++) {
		if (strcmp(c->probes[i].path, path) == 0) {
			// A file that changed since it was first seen (when
			// the entry was checked, or tried earlier in this
			// run): the run's names may come from both states,
			// which no entry can describe.
			c->changed |= !same_stat(&now, &c->probes[i].st);
			return;
		}
	}
	pd_xgrow(&c->probes, &c->probes_cap, c->nprobes + 1, sizeof(*c->probes));
	c->probes[c->nprobes++] = (struct probe){pd_xstrdup(path), now};
}

void pd_cache_unsure(struct pd_dso *d) {
	if (d->cache) {
		d->cache->changed = true;
	}
}

void pd_cache_free(struct pd_dso *d) {
	struct cache *c = d->cache;
	if (!c) {
		return;
	}
	for (size_t i = 0; i < c->nprobes; i++) {
		free(c->probes[i].path);
	}
	free(c->probes);
	free(c->fresh);
	free(c->names);
	pd_huge_free(c->buf, c->nbuf);
	free(c->top);
	free(c->file);
	free(c);
	d->cache = NULL;
}

// ---- writing ----

static int cmp_fresh(const void *a, const void *b) {
	const struct fresh *x = a, *y = b;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

// One address of the new entry, from the old entry or this run.
struct out_addr {
	uint64_t addr, inlined;
	uint32_t n;
	const char *const *names;     // this run's, or
	const uint32_t *old;          // the old entry's offsets
};

// A complete entry's symbol table, names as string ids until placed.
struct symtab {
	struct pd_load *segs;
	struct sym_rec *syms;
	struct alias_rec *aliases;
	size_t nsegs, nsyms, naliases;
};

struct writer {
	struct pd_texts *t;  // strings by id
	struct pd_strbuf body;
	struct symtab tab;
};

static uint32_t text(struct writer *w, const char *s) {
	return pd_texts_id(w->t, s, strlen(s));
}

// Builds the new entry's body: probes, addresses, a complete entry's
// segments, symbols and aliases, frames, strings.
static void build(struct writer *w, const struct cache *c,
		const struct out_addr *v, size_t n, struct header *h) {
	uint32_t nframes = 0;
	// Strings are numbered first, then placed: offsets need all of them.
	uint32_t *probe_ids = pd_xmalloc((c->nprobes + 1) * sizeof(*probe_ids));
	for (size_t i = 0; i < c->nprobes; i++) {
		probe_ids[i] = text(w, c->probes[i].path);
	}
	uint32_t *frame_ids = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		pd_xgrow(&frame_ids, &cap, nframes + v[i].n + 1, sizeof(*frame_ids));
		for (uint32_t k = 0; k < v[i].n; k++) {
			const char *name = v[i].names ? v[i].names[k]
				: string_at(c, v[i].old[k]);
			frame_ids[nframes++] = text(w, name);
		}
	}
	size_t ntexts = pd_texts_count(w->t);
	uint32_t *off = pd_xmalloc((ntexts + 1) * sizeof(*off));
	uint32_t strings = 0;
	for (size_t i = 0; i < ntexts; i++) {
		size_t len;
		pd_texts_get(w->t, (uint32_t)i, &len);
		off[i] = strings;
		strings += (uint32_t)len + 1;
	}
	for (size_t i = 0; i < c->nprobes; i++) {
		struct probe_rec r = c->probes[i].st;
		r.path = off[probe_ids[i]];
		pd_strbuf_add(&w->body, (const char *)&r, sizeof(r));
	}
	uint32_t first = 0;
	for (size_t i = 0; i < n; i++) {
		struct addr_rec r = {v[i].addr, v[i].inlined, first, v[i].n};
		pd_strbuf_add(&w->body, (const char *)&r, sizeof(r));
		first += v[i].n;
	}
	struct symtab *tab = &w->tab; // (none if not complete: NULL arrays)
	pd_strbuf_add(&w->body, (const char *)tab->segs,
		tab->nsegs * sizeof(*tab->segs));
	for (size_t i = 0; i < tab->nsyms; i++) {
		tab->syms[i].name = off[tab->syms[i].name];
		pd_strbuf_add(&w->body, (const char *)&tab->syms[i],
			sizeof(*tab->syms));
	}
	for (size_t i = 0; i < tab->naliases; i++) {
		uint32_t *name = &tab->aliases[i].name;
		*name = *name == NONE ? NONE : off[*name];
		pd_strbuf_add(&w->body, (const char *)&tab->aliases[i],
			sizeof(*tab->aliases));
	}
	for (uint32_t i = 0; i < nframes; i++) {
		pd_strbuf_add(&w->body, (const char *)&off[frame_ids[i]], 4);
	}
	for (size_t i = 0; i < ntexts; i++) {
		size_t len;
		const char *s = pd_texts_get(w->t, (uint32_t)i, &len);
		pd_strbuf_add(&w->body, s, len + 1);
	}
	h->name = off[h->name];
	h->nprobes = (uint32_t)c->nprobes;
	h->naddrs = (uint32_t)n;
	h->nframes = nframes;
	h->strings = strings;
	h->nsegs = (uint32_t)tab->nsegs;
	h->nsyms = (uint32_t)tab->nsyms;
	h->naliases = (uint32_t)tab->naliases;
	free(probe_ids);
	free(frame_ids);
	free(off);
}

// Whether d's names came from its symbol table alone: the new entry is
// then complete. Only a loaded DSO has new addresses to write (one named
// from a complete entry's table notes none). One whose file was not
// found, or whose symbol table libdwfl could not read, is not complete:
// its entry keeps, per address, what became of them.
static bool complete(const struct pd_symbols *s, struct pd_dso *d) {
	Dwarf_Addr bias;
	return d->loaded && d->mod && dwfl_module_getsymtab(d->mod) >= 0
		&& (!s->o.inline_frames || !dwfl_module_getdwarf(d->mod, &bias));
}

static uint32_t name_id(struct writer *w, const char *name) {
	return name ? text(w, name) : NONE;
}

// The symbol table of a complete entry, as d loaded it this run (its
// aliases chosen so far too: choose_alias gives what it gave them), names
// as ids in w's strings.
static void table_of(struct writer *w, const struct pd_dso *d) {
	struct symtab *t = &w->tab;
	t->nsegs = pd_dso_loads(d, &t->segs);
	t->nsyms = d->nsyms;
	t->naliases = d->naliases;
	t->syms = pd_xmalloc((t->nsyms + 1) * sizeof(*t->syms));
	t->aliases = pd_xmalloc((t->naliases + 1) * sizeof(*t->aliases));
	for (size_t i = 0; i < t->nsyms; i++) {
		const struct pd_sym *y = &d->syms[i];
		t->syms[i] = (struct sym_rec){y->start, y->end, y->ifunc,
			text(w, y->name), y->alias};
	}
	for (size_t i = 0; i < t->naliases; i++) {
		const struct pd_alias *a = &d->aliases[i];
		t->aliases[i] = (struct alias_rec){a->end, a->ifunc,
			name_id(w, a->name), 0};
	}
}

// Merges the entry's addresses with this run's and writes the result.
static void save(struct pd_symbols *s, struct pd_dso *d, const char *dir,
		bool full) {
	struct cache *c = d->cache;
	size_t old = c->h ? c->h->naddrs : 0;
	qsort(c->fresh, c->nfresh, sizeof(*c->fresh), cmp_fresh);
	struct out_addr *v = pd_xmalloc((old + c->nfresh + 1) * sizeof(*v));
	size_t n = 0, i = 0, j = 0;
	while (i < old || j < c->nfresh) {
		const struct addr_rec *a = i < old ? &c->addrs[i] : NULL;
		const struct fresh *f = j < c->nfresh ? &c->fresh[j] : NULL;
		if (a && (!f || a->addr < f->addr)) {
			v[n++] = (struct out_addr){a->addr, a->inlined, a->n, NULL,
				c->frames + a->first};
			i++;
		} else {
			if (a && a->addr == f->addr) {
				i++; // resolved again: this run's answer
			}
			v[n++] = (struct out_addr){f->addr, f->inlined, f->n,
				c->names + f->first, NULL};
			j++;
		}
	}
	struct writer w = {.t = pd_texts_create()};
	struct header h = {
		.flags = flags_of(s),
		.found = d->path != NULL, // (only a loaded DSO has new addresses)
		.symtab = d->has_symtab,
		.differs = d->build_id_differs,
		.build_id_len = (uint8_t)d->build_id_len,
	};
	memcpy(h.magic, MAGIC, 8);
	memcpy(h.build_id, d->build_id, d->build_id_len);
	pd_cache_pd_build(h.pd_build);
	h.name = text(&w, d->id.name);
	if (full) {
		table_of(&w, d);
		h.complete = 1;
	}
	build(&w, c, v, n, &h);
	h.body = w.body.len;
	h.checksum = pd_hash(w.body.s, w.body.len, 0);
	pd_cache_replace(c->file, &h, sizeof(h), w.body.s, w.body.len);
	pd_strbuf_finish(&w.body);
	pd_texts_destroy(w.t);
	free(w.tab.segs);
	free(w.tab.syms);
	free(w.tab.aliases);
	free(v);
}

void pd_symbols_cache_save(struct pd_symbols *s) {
	if (s->warm_running) {
		return; // names were not all asked for (pd-collapse --list-events)
	}
	char *dir = NULL;
	for (size_t i = 0; i < s->ndsos; i++) {
		struct pd_dso *d = s->dsos[i];
		struct cache *c = d->cache;
		if (!c || !c->nfresh) {
			continue; // nothing new
		}
		// (May look for its DWARF, a file tried like the others.)
		bool full = complete(s, d);
		if (c->changed) {
			continue; // nothing sure
		}
		if (!dir && !(dir = pd_cache_make_dir())) {
			return;
		}
		save(s, d, dir, full);
	}
	free(dir);
}
