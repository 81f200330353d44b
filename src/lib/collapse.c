// SPDX-License-Identifier: MIT
// Folding samples into stacks of locations, resolved to names at the end,
// in stackcollapse-perf.pl's output conventions.
#include "collapse.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_FRAMES 4096

// A distinct code location: (dso, dso-relative address). Resolved once.
struct loc {
	struct pd_dso *dso;
	uint64_t addr;  // dso-relative lookup address (already adjusted)
	char *text;     // "frame;frame" after resolving
};

struct early {
	char *text;     // NULL: not made early
	bool unresolved;
};

struct stacks {
	uint32_t *keys;     // arena of keys: [len, comm, pid, tid, locs...]
	size_t keys_len, keys_cap;
	size_t *offs;       // key offset per stack
	uint64_t *counts;
	uint64_t *hashes;
	size_t n, cap;
	uint32_t *index;    // stack number + 1
	size_t slots;
	uint64_t samples;
};

static void stacks_free(struct stacks *s) {
	free(s->keys);
	free(s->offs);
	free(s->counts);
	free(s->hashes);
	free(s->index);
}

#define FRAME_CACHE 4096

struct frame_cache {
	const struct pd_proc *proc; // NULL: kernel
	uint64_t gen, tag;
	uint32_t loc;
	bool valid;
};

// Frame-pointer callchains repeat: a sample whose raw chain, thread,
// comm, mode and process maps match a remembered one adds to the same
// stack without looking up each frame again.
#define CHAIN_MEMO 1024
#define CHAIN_MEMO_MAX 512 // longer chains are not remembered

struct chain_memo {
	const struct pd_proc *proc;
	uint64_t gen;
	const char *comm;
	uint64_t *ips;
	size_t nr, cap;
	uint32_t pid, tid, stack;
	int event, mode;
};

struct pd_collapse {
	struct pd_collapse_options o;
	struct pd_symbols *syms;
	struct pd_maps *maps;
	struct loc *locs;
	size_t nlocs, locs_cap;
	uint32_t *loc_index;
	size_t loc_slots;
	const char **comms; // comm index -> interned name
	size_t ncomms, comms_cap;
	struct stacks *ev;  // per event
	size_t nev;
	int first_event, selected;
	uint64_t *ev_samples;
	struct pd_collapse_stats st;
	uint32_t *scratch;
	struct pd_unwind *unwind;
	bool unwind_tried;
	struct pd_unwind_frame *frames;
	struct frame_cache cache[FRAME_CACHE];
	struct chain_memo *memo; // CHAIN_MEMO slots, allocated when first used
	// Texts of file locations, by location number, made on the symbol
	// thread while samples are read (resolve_job); the reading thread
	// takes them after pd_symbols_warm_finish. Entries not made are zero.
	struct early *early;
	size_t early_cap;
};

struct pd_collapse *pd_collapse_create(const struct pd_collapse_options *o,
		struct pd_symbols *syms, struct pd_maps *maps) {
	struct pd_collapse *c = pd_xcalloc(1, sizeof(*c));
	c->o = *o;
	c->syms = syms;
	c->maps = maps;
	c->loc_slots = 4096;
	c->loc_index = pd_xcalloc(c->loc_slots, sizeof(*c->loc_index));
	c->first_event = c->selected = -1;
	c->scratch = pd_xmalloc((MAX_FRAMES + 4) * sizeof(*c->scratch));
	return c;
}

void pd_collapse_destroy(struct pd_collapse *c) {
	if (!c) {
		return;
	}
	// resolve_job runs on the symbol thread and writes c->early: let it
	// finish every job queued for c before c goes.
	pd_symbols_warm_finish(c->syms);
	for (size_t i = 0; i < c->nlocs; i++) {
		free(c->locs[i].text);
	}
	for (size_t i = 0; i < c->early_cap; i++) {
		free(c->early[i].text);
	}
	free(c->early);
	free(c->locs);
	free(c->loc_index);
	free(c->comms);
	for (size_t i = 0; i < c->nev; i++) {
		stacks_free(&c->ev[i]);
	}
	free(c->ev);
	free(c->ev_samples);
	free(c->scratch);
	free(c->frames);
	for (size_t i = 0; c->memo && i < CHAIN_MEMO; i++) {
		free(c->memo[i].ips);
	}
	free(c->memo);
	pd_unwind_destroy(c->unwind);
	free(c);
}

const struct pd_collapse_stats *pd_collapse_stats(struct pd_collapse *c) {
	return &c->st;
}

// ---- locations ----

static uint64_t loc_hash(const struct pd_dso *d, uint64_t addr) {
	return pd_hash_u64((uintptr_t)d * 31 + addr * 0x9e3779b97f4a7c15ULL);
}

static void loc_rehash(struct pd_collapse *c) {
	free(c->loc_index);
	c->loc_slots *= 2;
	c->loc_index = pd_xcalloc(c->loc_slots, sizeof(*c->loc_index));
	for (size_t i = 0; i < c->nlocs; i++) {
		struct loc *l = &c->locs[i];
		size_t j = loc_hash(l->dso, l->addr) & (c->loc_slots - 1);
		while (c->loc_index[j]) {
			j = (j + 1) & (c->loc_slots - 1);
		}
		c->loc_index[j] = (uint32_t)i + 1;
	}
}

static void resolve_job(void *arg, uint32_t i, struct pd_dso *d,
	uint64_t addr);

static uint32_t loc_get(struct pd_collapse *c, struct pd_dso *d,
		uint64_t addr) {
	size_t j = loc_hash(d, addr) & (c->loc_slots - 1);
	for (; c->loc_index[j]; j = (j + 1) & (c->loc_slots - 1)) {
		struct loc *l = &c->locs[c->loc_index[j] - 1];
		if (l->dso == d && l->addr == addr) {
			return c->loc_index[j] - 1;
		}
	}
	if (d) {
		pd_symbols_warm(c->syms, d);
		pd_symbols_warm_job(c->syms, d, resolve_job, c,
			(uint32_t)c->nlocs, addr);
	}
	pd_xgrow(&c->locs, &c->locs_cap, c->nlocs + 1, sizeof(*c->locs));
	c->locs[c->nlocs] = (struct loc){d, addr, NULL};
	c->loc_index[j] = (uint32_t)++c->nlocs;
	if (c->nlocs * 2 > c->loc_slots) {
		loc_rehash(c);
	}
	return (uint32_t)c->nlocs - 1;
}

// Location of ip in the given cpumode; exact is false for return
// addresses, which are looked up at ip - 1 (inside the call).
static uint32_t locate_slow(struct pd_collapse *c, struct pd_proc *proc,
		bool kernel, uint64_t ip, bool exact) {
	uint64_t look = exact || ip == 0 ? ip : ip - 1;
	if (kernel) {
		pd_symbols_prefetch_kernel(c->syms);
		return loc_get(c, pd_symbols_kernel(c->syms), look);
	}
	const struct pd_map *m = proc ? pd_proc_find(proc, look) : NULL;
	if (!m) {
		return loc_get(c, NULL, look);
	}
	struct pd_dso *d = m->dso;
	uint64_t addr = look;
	if (d->kind == PD_DSO_FILE || d->kind == PD_DSO_VDSO) {
		addr = look - m->start + m->pgoff;
	}
	return loc_get(c, d, addr);
}

// Samples repeat the same few return addresses: a direct-mapped cache of
// (address space and its version, ip) -> location skips the map search
// and the location table for most frames.
static uint32_t locate(struct pd_collapse *c, struct pd_proc *proc,
		int cpumode, uint64_t ip, bool exact) {
	bool kernel = cpumode == PD_MISC_KERNEL
		|| cpumode == PD_MISC_GUEST_KERNEL;
	const struct pd_proc *key = kernel ? NULL : proc;
	uint64_t gen = key ? key->generation : 0;
	uint64_t tag = ip << 1 | exact;
	size_t i = pd_hash_u64(tag ^ (uintptr_t)key) & (FRAME_CACHE - 1);
	struct frame_cache *e = &c->cache[i];
	if (e->tag == tag && e->proc == key && e->gen == gen && e->valid) {
		return e->loc;
	}
	uint32_t loc = locate_slow(c, proc, kernel, ip, exact);
	*e = (struct frame_cache){key, gen, tag, loc, true};
	return loc;
}

// ---- stacks ----

static uint32_t comm_index(struct pd_collapse *c, const char *comm) {
	for (size_t i = c->ncomms; i-- > 0;) {
		if (c->comms[i] == comm) {
			return (uint32_t)i;
		}
		if (c->ncomms - i > 64) {
			break;
		}
	}
	// Long tail: a linear scan is fine, comms are few.
	for (size_t i = 0; i < c->ncomms; i++) {
		if (c->comms[i] == comm) {
			return (uint32_t)i;
		}
	}
	pd_xgrow(&c->comms, &c->comms_cap, c->ncomms + 1, sizeof(*c->comms));
	c->comms[c->ncomms] = comm;
	return (uint32_t)c->ncomms++;
}

static void stacks_init(struct stacks *s) {
	s->slots = 1024;
	s->index = pd_xcalloc(s->slots, sizeof(*s->index));
}

static struct stacks *stacks_for(struct pd_collapse *c, int ev) {
	if ((size_t)ev >= c->nev) {
		size_t n = (size_t)ev + 1;
		c->ev = pd_xrealloc(c->ev, n * sizeof(*c->ev));
		c->ev_samples = pd_xrealloc(c->ev_samples, n * sizeof(*c->ev_samples));
		memset(c->ev + c->nev, 0, (n - c->nev) * sizeof(*c->ev));
		memset(c->ev_samples + c->nev, 0,
			(n - c->nev) * sizeof(*c->ev_samples));
		c->nev = n;
	}
	struct stacks *s = &c->ev[ev];
	if (!s->slots) {
		stacks_init(s);
	}
	return s;
}

// Adds weight to stack i; false if its count saturated.
static bool stacks_bump(struct stacks *s, size_t i, uint64_t weight) {
	bool ok = s->counts[i] + weight >= weight;
	s->counts[i] = ok ? s->counts[i] + weight : UINT64_MAX;
	return ok;
}

// Adds weight to the stack key, whose number goes to *index; false if
// its count saturated.
static bool stacks_add(struct stacks *s, const uint32_t *key, size_t len,
		uint64_t weight, uint32_t *index) {
	uint64_t h = pd_hash(key, len * sizeof(*key), 0);
	size_t j = h & (s->slots - 1);
	for (; s->index[j]; j = (j + 1) & (s->slots - 1)) {
		size_t i = s->index[j] - 1;
		const uint32_t *k = s->keys + s->offs[i];
		if (s->hashes[i] == h && k[0] == len
				&& memcmp(k + 1, key, len * sizeof(*key)) == 0) {
			*index = (uint32_t)i;
			return stacks_bump(s, i, weight);
		}
	}
	size_t cap = s->cap;
	pd_xgrow(&s->offs, &s->cap, s->n + 1, sizeof(*s->offs));
	size_t cap2 = cap;
	pd_xgrow(&s->counts, &cap, s->n + 1, sizeof(*s->counts));
	pd_xgrow(&s->hashes, &cap2, s->n + 1, sizeof(*s->hashes));
	pd_xgrow(&s->keys, &s->keys_cap, s->keys_len + len + 1, sizeof(*s->keys));
	s->offs[s->n] = s->keys_len;
	s->keys[s->keys_len] = (uint32_t)len;
	memcpy(s->keys + s->keys_len + 1, key, len * sizeof(*key));
	s->keys_len += len + 1;
	s->counts[s->n] = weight;
	s->hashes[s->n] = h;
	*index = (uint32_t)s->n;
	s->index[j] = (uint32_t)++s->n;
	if (s->n * 2 > s->slots) {
		pd_index_grow(&s->index, &s->slots, s->hashes, s->n);
	}
	return true;
}

// ---- samples ----

void pd_collapse_lost(struct pd_collapse *c, const struct pd_record *rec) {
	if (rec->type == PD_REC_LOST && rec->size >= 24) {
		c->st.lost += pd_get_u64(rec->data + 16);
	} else if (rec->type == PD_REC_LOST_SAMPLES && rec->size >= 16) {
		c->st.lost_samples += pd_get_u64(rec->data + 8);
	}
}

static bool want_event(struct pd_collapse *c, struct pd_perf *r, int ev) {
	if (c->first_event < 0) {
		c->first_event = ev;
	}
	if (!c->o.event) {
		return ev == c->first_event;
	}
	if (c->selected < 0 && pd_collapse_select(c, r) != PD_OK) {
		c->selected = -2; // unknown yet: fold all, choose at the end
	}
	return c->selected < 0 || ev == c->selected;
}

// Appends the user frames unwound from the sample's stack dump to key[n..].
static size_t unwind(struct pd_collapse *c, struct pd_perf *r,
		struct pd_proc *proc, const struct pd_sample *s, uint32_t *key,
		size_t n) {
	if (!c->unwind_tried) {
		c->unwind_tried = true;
		c->unwind = pd_unwind_create(c->syms, pd_perf_arch(r));
		if (!c->unwind) {
			warnx("%s: cannot unwind stack dumps of %s", pd_perf_name(r),
				pd_perf_arch(r));
		}
		c->frames = pd_xmalloc(MAX_FRAMES * sizeof(*c->frames));
	}
	if (!c->unwind) {
		return n;
	}
	// perf script stops at 127 unwound frames (perf_event_max_stack).
	size_t max = c->o.max_stack ? c->o.max_stack : 127;
	if (max > MAX_FRAMES + 3 - n) {
		max = MAX_FRAMES + 3 - n;
	}
	enum pd_unwind_end end;
	size_t k = pd_unwind_sample(c->unwind, proc, s, c->frames, max, &end);
	for (size_t i = 0; i < k; i++) {
		key[n++] = locate(c, proc, PD_MISC_USER, c->frames[i].pc,
			c->frames[i].exact);
	}
	c->st.unwound++;
	c->st.unwind_ends[end]++;
	if (end != PD_UNWIND_DONE) {
		c->st.truncated++;
	}
	return n;
}

// The memo slot for a sample's raw callchain (s->nr > 0).
static struct chain_memo *memo_slot(struct pd_collapse *c,
		const struct pd_sample *s) {
	if (!c->memo) {
		c->memo = pd_xcalloc(CHAIN_MEMO, sizeof(*c->memo));
	}
	// Chains differ most near the leaf (after a context marker): hash
	// the first few entries, and the middle and last for long chains.
	uint64_t h = (uint64_t)s->tid << 32 ^ s->nr;
	size_t k = s->nr < 6 ? s->nr : 6;
	for (size_t i = 0; i < k; i++) {
		h = (h ^ pd_get_u64(s->ips + 8 * i)) * 0x9e3779b97f4a7c15ULL;
	}
	h ^= pd_get_u64(s->ips + 8 * (s->nr / 2)) * 0xc2b2ae3d27d4eb4fULL;
	h ^= pd_get_u64(s->ips + 8 * (s->nr - 1));
	return &c->memo[pd_hash_u64(h) & (CHAIN_MEMO - 1)];
}

static bool memo_hit(const struct chain_memo *m, const struct pd_sample *s,
		const struct pd_proc *proc, const char *comm, int mode) {
	return m->ips && m->nr == s->nr && m->proc == proc
		&& m->gen == (proc ? proc->generation : 0) && m->comm == comm
		&& m->pid == s->pid && m->tid == s->tid && m->event == s->event
		&& m->mode == mode && memcmp(m->ips, s->ips, 8 * s->nr) == 0;
}

static void memo_store(struct chain_memo *m, const struct pd_sample *s,
		const struct pd_proc *proc, const char *comm, int mode,
		uint32_t stack) {
	pd_xgrow(&m->ips, &m->cap, s->nr, sizeof(*m->ips));
	memcpy(m->ips, s->ips, 8 * s->nr);
	m->nr = s->nr;
	m->proc = proc;
	m->gen = proc ? proc->generation : 0;
	m->comm = comm;
	m->pid = s->pid;
	m->tid = s->tid;
	m->event = s->event;
	m->mode = mode;
	m->stack = stack;
}

void pd_collapse_sample(struct pd_collapse *c, struct pd_perf *r,
		const struct pd_sample *s) {
	stacks_for(c, s->event);
	c->ev_samples[s->event]++;
	if (!want_event(c, r, s->event)) {
		return;
	}
	struct stacks *st = &c->ev[s->event];
	st->samples++;
	struct pd_proc *proc = pd_maps_proc(c->maps, s->pid);
	const char *comm = pd_maps_comm(c->maps, s->pid, s->tid);
	uint64_t weight = c->o.period ? s->period : 1;
	int mode = s->misc & PD_MISC_CPUMODE_MASK;
	bool dump = pd_unwind_has_dump(s);
	struct chain_memo *m = NULL;
	if (s->ips && s->nr && s->nr <= CHAIN_MEMO_MAX && !dump) {
		m = memo_slot(c, s);
		if (memo_hit(m, s, proc, comm, mode)) {
			c->st.samples++;
			c->st.overflowed |= !stacks_bump(st, m->stack, weight);
			return;
		}
	}
	int mode0 = mode;
	uint32_t *key = c->scratch;
	size_t n = 3;
	key[0] = comm_index(c, comm);
	key[1] = c->o.pid || c->o.tid ? s->pid : 0;
	key[2] = c->o.tid ? s->tid : 0;
	// Callchains list the leaf first; keys are stored leaf first too and
	// reversed when written.
	// Frame-pointer return addresses are looked up as they are, as perf
	// does, so stacks name the same functions as perf script's.
	bool usable = true, user = false;
	if (s->ips) {
		for (uint64_t i = 0; i < s->nr && n < MAX_FRAMES + 3; i++) {
			uint64_t ip = pd_get_u64(s->ips + 8 * i);
			if (ip >= PD_CONTEXT_MAX) {
				if (ip == PD_CONTEXT_KERNEL) {
					mode = PD_MISC_KERNEL;
				} else if (ip == PD_CONTEXT_USER) {
					mode = PD_MISC_USER;
				} else if (ip == PD_CONTEXT_HV) {
					mode = PD_MISC_HYPERVISOR;
				} else {
					usable = false; // perf drops such chains
					n = 3;
					break;
				}
				continue;
			}
			key[n++] = locate(c, proc, mode, ip, true);
			user |= mode == PD_MISC_USER;
		}
	} else if (!dump || mode != PD_MISC_USER) {
		key[n++] = locate(c, proc, mode, s->ip, true);
	}
	// --call-graph dwarf: the kernel gave the kernel part, the user part
	// comes from the stack dump (perf joins them the same way).
	if (usable && !user && dump) {
		n = unwind(c, r, proc, s, key, n);
	}
	if (usable && n == 3 && mode == PD_MISC_USER && dump) {
		key[n++] = locate(c, proc, mode, s->ip, true);
	}
	if (!usable || n == 3) {
		c->st.no_stack++;
	}
	c->st.samples++;
	uint32_t stack;
	if (!stacks_add(st, key, n, weight, &stack)) {
		c->st.overflowed = true;
	}
	if (m && usable && n > 3) {
		memo_store(m, s, proc, comm, mode0, stack);
	}
}

// ---- selection and output ----

static bool name_matches(const char *name, const char *want) {
	if (strcmp(name, want) == 0) {
		return true;
	}
	// "cpu-clock" matches "cpu-clock:u" and "cpu-clock:ppp".
	size_t n = strlen(want);
	return strncmp(name, want, n) == 0 && name[n] == ':';
}

enum pd_status pd_collapse_select(struct pd_collapse *c, struct pd_perf *r) {
	if (!c->o.event) {
		c->selected = c->first_event;
		return PD_OK;
	}
	for (size_t i = 0; i < pd_perf_nevents(r); i++) {
		if (name_matches(pd_perf_event(r, i)->name, c->o.event)) {
			c->selected = (int)i;
			return PD_OK;
		}
	}
	return PD_EUSAGE;
}

void pd_collapse_list_events(struct pd_collapse *c, struct pd_perf *r,
		FILE *out) {
	for (size_t i = 0; i < pd_perf_nevents(r); i++) {
		fprintf(out, "%s %llu\n", pd_perf_event(r, i)->name,
			(unsigned long long)(i < c->nev ? c->ev_samples[i] : 0));
	}
}

// Appends one frame name with its annotation.
static void add_name(struct pd_strbuf *b, const char *name, const char *mark) {
	if (b->len) {
		pd_strbuf_addc(b, ';');
	}
	pd_strbuf_adds(b, name);
	if (mark && !strstr(name, mark)) {
		pd_strbuf_adds(b, mark);
	}
}

// The text of location (d, addr): its frames, outermost first.
static char *loc_text(const struct pd_collapse *c, struct pd_dso *d,
		uint64_t addr, bool *unresolved) {
	struct pd_frames f;
	struct pd_strbuf b = {0};
	pd_symbols_resolve(c->syms, d, addr, &f);
	*unresolved = !f.resolved;
	if (!f.resolved) {
		const char *mod = d ? d->base : "unknown";
		if (d && d->kind == PD_DSO_KERNEL) {
			mod = "[kernel.kallsyms]";
		}
		if (c->o.addrs) {
			pd_strbuf_printf(&b, "[%s <%llx>]", mod,
				(unsigned long long)addr);
		} else {
			pd_strbuf_printf(&b, "[%s]", mod);
		}
		return b.s;
	}
	const char *mark = NULL;
	if (d->kind == PD_DSO_KERNEL && c->o.kernel) {
		mark = "_[k]";
	} else if (d->kind == PD_DSO_JIT && c->o.jit) {
		mark = "_[j]";
	}
	for (size_t i = 0; i < f.n; i++) {
		bool in = f.inlined[i] && c->o.inline_marks;
		add_name(&b, f.names[i], in ? "_[i]" : mark);
	}
	return b.s;
}

// On the symbol thread: the text of location i of a file, made while the
// reading thread goes on (c->early is the only part of c written here).
static void resolve_job(void *arg, uint32_t i, struct pd_dso *d,
		uint64_t addr) {
	struct pd_collapse *c = arg;
	if (i >= c->early_cap) {
		size_t old = c->early_cap;
		pd_xgrow(&c->early, &c->early_cap, (size_t)i + 1,
			sizeof(*c->early));
		memset(c->early + old, 0, (c->early_cap - old)
			* sizeof(*c->early));
	}
	c->early[i].text = loc_text(c, d, addr, &c->early[i].unresolved);
}

static char *resolve_loc(struct pd_collapse *c, size_t i) {
	const struct loc *l = &c->locs[i];
	bool unresolved;
	char *text;
	if (i < c->early_cap && c->early[i].text) {
		text = c->early[i].text;
		unresolved = c->early[i].unresolved;
		c->early[i].text = NULL;
	} else {
		text = loc_text(c, l->dso, l->addr, &unresolved);
	}
	c->st.frames++;
	c->st.unresolved += unresolved;
	c->st.unmapped += unresolved && !l->dso;
	return text;
}

static void write_root(struct pd_strbuf *b, const char *comm, uint32_t pid,
		uint32_t tid, const struct pd_collapse_options *o) {
	for (const char *p = comm; *p; p++) {
		pd_strbuf_addc(b, *p == ' ' ? '_' : *p == ';' ? ':' : *p);
	}
	if (o->tid) {
		pd_strbuf_printf(b, "-%u/%u", pid, tid);
	} else if (o->pid) {
		pd_strbuf_printf(b, "-%u", pid);
	}
}

// Output lines are merged and sorted as sequences of text ids (the root
// and each location's frames), not as whole lines: with deep C++ stacks a
// line is kilobytes long and hashing and comparing lines dominated. Ids
// come from interning, so equal texts have equal ids.
struct texts {
	struct pd_intern *intern;
	struct pd_map64 ids; // interned pointer -> id
	const char **s;
	size_t *len;
	size_t n, cap;
};

static uint32_t text_id(struct texts *t, const char *s, size_t len) {
	const char *p = pd_intern(t->intern, s, len);
	const uint64_t *id = pd_map64_find(&t->ids, (uintptr_t)p);
	if (id) {
		return (uint32_t)*id;
	}
	size_t cap = t->cap;
	pd_xgrow(&t->s, &t->cap, t->n + 1, sizeof(*t->s));
	pd_xgrow(&t->len, &cap, t->n + 1, sizeof(*t->len));
	t->s[t->n] = p;
	t->len[t->n] = len;
	pd_map64_insert(&t->ids, (uintptr_t)p, t->n);
	return (uint32_t)t->n++;
}

// The next byte of the line made of texts seq[*i..n) joined by ';' from
// byte *o of seq[*i]; -1 at its end.
static int line_byte(const struct texts *t, const uint32_t *seq, size_t n,
		size_t *i, size_t *o) {
	if (*i >= n) {
		return -1;
	}
	if (*o < t->len[seq[*i]]) {
		return (unsigned char)t->s[seq[*i]][(*o)++];
	}
	*o = 0;
	return ++*i < n ? ';' : -1;
}

// Compares two lines as memcmp would (a prefix first), skipping the
// leading texts they share.
static int cmp_lines(const struct texts *t, const uint32_t *a, size_t na,
		const uint32_t *b, size_t nb) {
	size_t i = 0;
	while (i < na && i < nb && a[i] == b[i]) {
		i++;
	}
	if (i == na && i == nb) {
		return 0;
	}
	size_t ia = i, ib = i, oa = 0, ob = 0;
	if (i < na && i < nb) {
		// Texts differ, often late in long C++ names: memcmp them, and
		// go byte by byte only where one is a prefix of the other.
		size_t la = t->len[a[i]], lb = t->len[b[i]];
		int d = memcmp(t->s[a[i]], t->s[b[i]], la < lb ? la : lb);
		if (d != 0) {
			return d < 0 ? -1 : 1;
		}
		oa = ob = la < lb ? la : lb;
	}
	for (;;) {
		int x = line_byte(t, a, na, &ia, &oa);
		int y = line_byte(t, b, nb, &ib, &ob);
		if (x != y) {
			return x < y ? -1 : 1;
		}
		if (x < 0) {
			return 0; // equal lines from different texts ("a;b" + "c")
		}
	}
}

struct sort_ctx {
	const struct texts *t;
	const struct stacks *lines;
};

static int cmp_line_index(const void *x, const void *y, void *arg) {
	const struct sort_ctx *sc = arg;
	const uint32_t *a = sc->lines->keys + sc->lines->offs[*(const size_t *)x];
	const uint32_t *b = sc->lines->keys + sc->lines->offs[*(const size_t *)y];
	return cmp_lines(sc->t, a + 1, a[0], b + 1, b[0]);
}

static void write_line(struct pd_strbuf *b, const struct texts *t,
		const uint32_t *seq, size_t n, uint64_t count) {
	for (size_t i = 0; i < n; i++) {
		if (i) {
			pd_strbuf_addc(b, ';');
		}
		pd_strbuf_add(b, t->s[seq[i]], t->len[seq[i]]);
	}
	pd_strbuf_printf(b, " %llu\n", (unsigned long long)count);
}

void pd_collapse_write(struct pd_collapse *c, FILE *out) {
	if (c->selected < 0 || (size_t)c->selected >= c->nev) {
		return;
	}
	struct stacks *s = &c->ev[c->selected];
	pd_symbols_warm_finish(c->syms);
	// User code first: kernel symbols may still be loading on their own
	// thread (pd_symbols_prefetch_kernel).
	for (size_t i = 0; i < c->nlocs; i++) {
		struct loc *l = &c->locs[i];
		if (!l->text && (!l->dso || l->dso->kind != PD_DSO_KERNEL)) {
			l->text = resolve_loc(c, i);
		}
	}
	struct texts t = {.intern = pd_intern_create()};
	uint32_t *loc_text = pd_xmalloc((c->nlocs + 1) * sizeof(*loc_text));
	memset(loc_text, 0xff, (c->nlocs + 1) * sizeof(*loc_text));
	struct stacks lines = {0};
	stacks_init(&lines);
	uint32_t *seq = c->scratch;
	struct pd_strbuf b = {0};
	for (size_t i = 0; i < s->n; i++) {
		const uint32_t *k = s->keys + s->offs[i];
		size_t len = k[0], n = 0;
		b.len = 0;
		write_root(&b, c->comms[k[1]], k[2], k[3], &c->o);
		seq[n++] = text_id(&t, b.s, b.len);
		for (size_t j = len; j-- > 3;) {
			uint32_t li = k[1 + j];
			if (loc_text[li] == UINT32_MAX) {
				struct loc *l = &c->locs[li];
				if (!l->text) {
					l->text = resolve_loc(c, li);
				}
				loc_text[li] = text_id(&t, l->text, strlen(l->text));
			}
			seq[n++] = loc_text[li];
		}
		uint32_t index;
		if (!stacks_add(&lines, seq, n, s->counts[i], &index)) {
			c->st.overflowed = true;
		}
	}
	size_t *order = pd_xmalloc((lines.n + 1) * sizeof(*order));
	for (size_t i = 0; i < lines.n; i++) {
		order[i] = i;
	}
	struct sort_ctx sc = {&t, &lines};
	qsort_r(order, lines.n, sizeof(*order), cmp_line_index, &sc);
	b.len = 0;
	for (size_t i = 0; i < lines.n;) {
		const uint32_t *k = lines.keys + lines.offs[order[i]];
		uint64_t count = lines.counts[order[i]];
		// Lines equal as text but not as texts are written once.
		size_t j = i + 1;
		for (; j < lines.n && cmp_line_index(&order[i], &order[j], &sc) == 0;
				j++) {
			uint64_t more = lines.counts[order[j]];
			c->st.overflowed |= count + more < more;
			count = count + more < more ? UINT64_MAX : count + more;
		}
		write_line(&b, &t, k + 1, k[0], count);
		if (b.len >= 1 << 16) {
			fwrite(b.s, 1, b.len, out);
			b.len = 0;
		}
		i = j;
	}
	fwrite(b.s, 1, b.len, out);
	pd_strbuf_finish(&b);
	free(order);
	stacks_free(&lines);
	free(loc_text);
	free(t.s);
	free(t.len);
	pd_map64_free(&t.ids);
	pd_intern_destroy(t.intern);
}

// ---- reading ----

enum pd_status pd_collapse_read(struct pd_collapse *c, struct pd_perf *r,
		struct pd_maps *maps,
		void (*progress)(void *arg, struct pd_perf *r, uint64_t samples),
		void *arg) {
	struct pd_record rec;
	struct pd_sample s;
	enum pd_status st;
	uint64_t n = 0;
	while ((st = pd_perf_next(r, &rec)) == PD_OK) {
		if (progress && (++n & 255) == 0) {
			progress(arg, r, c->st.samples);
		}
		switch (rec.type) {
		case PD_REC_SAMPLE:
			st = pd_perf_parse_sample(r, &rec, &s);
			if (st == PD_OK) {
				pd_collapse_sample(c, r, &s);
			}
			break;
		case PD_REC_LOST:
		case PD_REC_LOST_SAMPLES:
			pd_collapse_lost(c, &rec);
			break;
		default:
			if (!pd_maps_apply(maps, &rec)) {
				pd_perf_record_error(r, &rec, "record of type %u is "
					"too short (%u bytes)", rec.type, rec.size);
				st = PD_EDATA;
			}
		}
		if (st != PD_OK) {
			return st;
		}
	}
	return st == PD_FOUND ? PD_OK : st;
}

// ---- summary ----

struct dso_list {
	struct pd_dso **v;
	size_t n, cap;
};

static void add_unresolved(void *arg, struct pd_dso *d) {
	struct dso_list *l = arg;
	if (d->frames && d->unresolved) {
		pd_xgrow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = d;
	}
}

static int by_name(const void *a, const void *b) {
	return strcmp((*(struct pd_dso *const *)a)->name,
		(*(struct pd_dso *const *)b)->name);
}

// One line per module with unresolved addresses, in name order (the
// module table's order depends on where its strings were allocated).
static void verbose_dsos(struct pd_symbols *syms, const char *name) {
	struct dso_list l = {0};
	pd_symbols_foreach(syms, add_unresolved, &l);
	if (l.n) {
		qsort(l.v, l.n, sizeof(*l.v), by_name);
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct pd_dso *d = l.v[i];
		const char *why = "";
		if (d->kind == PD_DSO_FILE && !d->path) {
			why = " (file not found)";
		} else if (!d->has_symtab) {
			why = " (no symbols)";
		}
		warnx("%s: %s: %llu of %llu addresses unresolved%s", name,
			d->name, (unsigned long long)d->unresolved,
			(unsigned long long)d->frames, why);
	}
	free(l.v);
}

// Separates the parts of the summary line.
static struct pd_strbuf *sep(struct pd_strbuf *b) {
	if (b->len) {
		pd_strbuf_adds(b, ", ");
	}
	return b;
}

#define U(x) ((unsigned long long)(x))

void pd_collapse_summary(struct pd_collapse *c, struct pd_perf *r,
		struct pd_symbols *syms, bool verbose) {
	const struct pd_collapse_stats *s = &c->st;
	const char *name = pd_perf_name(r);
	uint64_t unknown = pd_perf_unknown_records(r);
	struct pd_strbuf b = {0};
	if (s->lost) {
		pd_strbuf_printf(sep(&b), "%llu events lost", U(s->lost));
	}
	if (s->lost_samples) {
		pd_strbuf_printf(sep(&b), "%llu samples lost", U(s->lost_samples));
	}
	if (s->no_stack) {
		pd_strbuf_printf(sep(&b), "%llu of %llu samples had no usable "
			"stack", U(s->no_stack), U(s->samples));
	}
	if (s->truncated) {
		pd_strbuf_printf(sep(&b), "%llu of %llu unwound stacks cut short",
			U(s->truncated), U(s->unwound));
	}
	if (s->unresolved) {
		pd_strbuf_printf(sep(&b), "%llu of %llu distinct addresses "
			"unresolved", U(s->unresolved), U(s->frames));
	}
	if (unknown) {
		pd_strbuf_printf(sep(&b), "%llu records of unknown type skipped",
			U(unknown));
	}
	if (s->overflowed) {
		pd_strbuf_adds(sep(&b), "counts over 2^64 - 1 were capped there");
	}
	if (b.len) {
		bool more = !verbose && (s->unresolved || s->truncated);
		warnx("%s: %s%s", name, b.s, more ? " (see --verbose)" : "");
	}
	pd_strbuf_finish(&b);
	if (!verbose) {
		return;
	}
	for (int e = 1; e < PD_UNWIND_NEND; e++) {
		if (s->unwind_ends[e]) {
			warnx("%s: %llu unwinds stopped: %s", name,
				U(s->unwind_ends[e]),
				pd_unwind_end_name((enum pd_unwind_end)e));
		}
	}
	verbose_dsos(syms, name);
	if (s->unmapped) {
		warnx("%s: %llu addresses outside any mapping", name,
			U(s->unmapped));
	}
}

#undef U
