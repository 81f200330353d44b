// SPDX-License-Identifier: MIT
// Private to the symbols*.c files: the symbol registry's state.
#ifndef PD_SYMBOLS_INTERNAL_H
#define PD_SYMBOLS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache-dir.h"
#include "symbols.h"
#include "texts.h"
#include "hash.h"

struct ksym {
	uint64_t addr;
	uint32_t name, len; // the name's place in ktext (or the entry's names)
};

// A lookup in a cached index first searches every PD_KTOP-th address, so
// that it reads one block of the symbols.
#define PD_KTOP 64

struct jitsym {
	uint64_t start, end;
	const char *name;
};

struct jit_table {
	struct jitsym *v;
	size_t n;
};

// Jobs go to the loader thread in blocks of at most this many (fewer when
// a DSO to load is queued, which goes at once).
#define PD_WARM_BATCH 64

// A DSO to load (fn NULL), or a job to run once it is loaded.
struct warm_item {
	struct pd_dso *d;
	pd_symbols_job_fn fn;
	void *arg;
	uint64_t addr;
	uint32_t i;
};

// Items queued together: the reading thread fills one, the loader thread
// takes it whole and hands it back once run, so blocks are reused, not
// grown and copied.
struct warm_block {
	struct warm_block *next;
	size_t n;
	struct warm_item item[PD_WARM_BATCH];
};

// A function symbol: [start, end) in the DSO's libdwfl address space.
struct pd_sym {
	uint64_t start, end;
	const char *name; // raw ELF name, owned by libdwfl (or the DSO, or
	                  // its cache entry: see pd_cache_symbols)
	union {
		uint32_t index; // while loading: in the symbol table
		// Once loaded: 0, or 1 + where in the DSO's aliases those
		// that tie with this one start (the choice among them waits
		// for a lookup: see pd_symbols_sym_name).
		uint32_t alias;
	};
	uint8_t bind;
	uint64_t ifunc;   // a PLT entry for an IFUNC: its resolver (name "")
};

// A symbol that ties with others at its address until their names are
// compared: what it would give the address.
struct pd_alias {
	const char *name;
	uint64_t end, ifunc;
};

struct scopes; // symbols-inline.c
struct cache;  // symbols-cache.c

// What a libdwfl module's userdata points to: the DSO, and whether files
// its lookups try are noted for the persistent cache (only for the
// loader's handle, not for the unwinder's, which another thread uses).
struct dso_ref {
	struct pd_dso *d;
	bool note;
};

// Who may change a DSO: the thread that made it until it is queued for
// the loader thread (pd_symbols_warm), then that thread until
// pd_symbols_warm_finish, then the caller again.
struct pd_dso {
	struct pd_dso_ident id; // first: see pd_dso_ident()
	struct pd_symbols *owner;
	uint32_t pid;           // PD_DSO_JIT: the process
	// Handed to the loader thread; the reading thread's, away from the
	// loader's fields below (a load of two adjacent flags is one race).
	bool warm_queued;
	uint8_t build_id[20];
	size_t build_id_len;    // 0: not known (yet)
	// Filled on first use by pd_dso_load (syms and aliases, or by
	// pd_cache_symbols, from the cache entry).
	bool loaded;
	char *path;             // the file actually opened (NULL: none)
	Dwfl *dwfl;             // one module at its link-time addresses
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	struct pd_sym *syms;    // functions sorted by address (dwfl addresses)
	size_t nsyms;
	struct pd_alias *aliases; // runs, each ended by a NULL name
	size_t naliases;
	char *plt_names;        // the names of synthesized name@plt symbols
	bool has_symtab;        // any symbols at all
	bool has_debuginfo;     // DWARF found
	// The loader's handle found no separate debug info: libdwfl asks
	// again (for the DWARF after the symbol table), and must get the
	// same answer, not a file that appeared in between.
	bool debuginfo_missed;
	// Its file is there but is not the recorded one (another build id).
	bool build_id_differs;
	struct scopes *scopes;  // functions by address (symbols-inline.c)
	uint64_t frames, unresolved; // lookups, for the summary
	struct dso_ref ref_load, ref_unwind;
	// The persistent cache's entry (symbols-cache.c), and what it says
	// of the file when d was not loaded.
	struct cache *cache;
	bool cache_tried, cache_found, cache_symtab, cache_differs;
	bool cache_syms; // syms and aliases are the entry's (complete)
};

// A load segment of a DSO's file: bytes [offset, offset + size) of it
// are at address addr (of the module's, as its symbols). Also a record of
// complete cache entries (symbols-cache.c), as it is.
struct pd_load {
	uint64_t offset, size, addr;
};

struct pd_symbols {
	struct pd_symbols_options o;
	char *debuginfo_path;
	Dwfl_Callbacks cb;
	// Symbol names: the loader thread's while it runs jobs, the caller's
	// after pd_symbols_warm_finish.
	struct pd_texts *names;
	struct pd_dso **dsos; // by id
	size_t ndsos, dsos_cap;
	struct pd_index by_name;
	struct pd_dso *kernel;
	// kallsyms, read by kernel_thread into ktext
	bool kernel_started, kernel_thread_ok, kernel_tried;
	bool kallsyms_cached; // read from perf's build-id cache
	uint8_t kthread_id[20]; // the build id kernel_thread works with
	size_t kthread_id_len;
	bool kthread_proc; // /proc/kallsyms may be the recorded kernel's
	// The loader thread (symbols-loader.c); lock guards the queue.
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t warm_thread;
	bool warm_started, warm_closing;
	bool warm_running; // the thread exists and owns queued DSOs
	// For pd_symbols_loading: DSOs queued to load and not loaded yet;
	// items queued (the reading thread's count) and run (the loader's).
	atomic_size_t warm_loads, warm_ran;
	size_t warm_pushed;
	unsigned debug_delay_us; // debug builds: PD_DEBUG_LOADER_DELAY_US
	// The queue, in blocks, oldest first, and the blocks the thread has
	// run, to be filled again; warm_waiting items in the queue.
	struct warm_block *warm_head, **warm_tail, *warm_spare;
	size_t warm_waiting;
	// Jobs the reading thread has not queued yet (its alone, or NULL):
	// the block goes to the queue whole, under one lock.
	struct warm_block *warm_local;
	pthread_t kernel_thread;
	char *ktext; // the whole kallsyms text, mapped or read; not with kread
	size_t ktext_len; // with kread: the length of the entry's names
	bool ktext_mapped;
	// A cache entry holding ksyms and ktext, read by lookups with pread
	// (not mapped: a touched page would map its neighbours, a folio of
	// 256 KB or more on recent kernels, and count in the RSS).
	int kfd;         // the entry, when kread
	bool kread;
	uint64_t ksyms_at, ktext_at; // where they start in it
	uint64_t *ktop;  // with kread: the address of every PD_KTOP-th ksym
	struct pd_map64 kblocks; // with kread: block + 1 -> struct kblock *
	struct pd_arena kblock_mem; // those blocks
	struct ksym *ksyms;
	size_t nksyms;
	char *osrelease;
	uint8_t kernel_build_id[20];
	size_t kernel_build_id_len;
	// demangling cache: raw interned name -> tidied name
	struct pd_map64 demangled;
	struct pd_map64 jit_of; // pid + 1 -> struct jit_table * (symbols-jit.c)
};

// symbols-elf.c: ELF files, their debug info and symbol tables.
void pd_symbols_elf_init(struct pd_symbols *s);
char *pd_symbols_home_debug(void); // caller frees; perf's build-id cache
void pd_symbols_hex(char *out, const uint8_t *id, size_t len);
// Opens d's file (and its debug info) once; false if none was found.
bool pd_dso_load(struct pd_symbols *s, struct pd_dso *d);
// A file offset of d as a dwfl address of d->mod.
bool pd_dso_offset_to_addr(struct pd_dso *d, uint64_t offset,
	Dwarf_Addr *addr);
// d's load segments, in the order of its program headers, into *out
// (caller frees); how many.
size_t pd_dso_loads(const struct pd_dso *d, struct pd_load **out);
// The name of the function symbol at dwfl address addr of d, or NULL.
const char *pd_symbols_sym_name(struct pd_symbols *s, struct pd_dso *d,
	uint64_t addr);
void pd_symbols_free_elf(struct pd_dso *d);

// symbols-cache.c: the persistent cache of resolved addresses. Loads and
// checks d's entry once; true if it is valid (lookups may then hit).
bool pd_cache_open(struct pd_symbols *s, struct pd_dso *d);
// The frames addr resolved to, from the entry; false if it has none.
bool pd_cache_lookup(struct pd_dso *d, uint64_t addr, struct pd_frames *out);
// Whether d's entry is complete; its symbol table is then d's (syms,
// aliases).
bool pd_cache_symbols(struct pd_dso *d);
// Once pd_cache_symbols(d) said so: a file offset of d as the address of
// its symbols, as pd_dso_offset_to_addr would map it; false if none.
bool pd_cache_offset_to_addr(const struct pd_dso *d, uint64_t offset,
	uint64_t *addr);
// Fuzzing (tests/fuzz/fuzz-loc.c): buf (n bytes, malloc'd, taken) as d's
// entry, checked as pd_cache_open checks one read; true if it is valid.
bool pd_cache_take(struct pd_symbols *s, struct pd_dso *d, uint8_t *buf,
	size_t n);
// Notes what addr resolved to this run, and a file resolution tried to
// open, for the entry written by pd_symbols_cache_save.
void pd_cache_note(struct pd_dso *d, uint64_t addr,
	const struct pd_frames *f);
void pd_cache_probe(struct pd_dso *d, const char *path);
// A file could not be tried (no memory or file descriptors): what the run
// names says nothing sure of it, and no entry is written.
void pd_cache_unsure(struct pd_dso *d);
void pd_cache_free(struct pd_dso *d);
// symbols-kcache.c: kallsyms files indexed once, kept in the cache
// directory. The file a run reads kallsyms from, as it is now.
struct pd_kcache_src {
	uint64_t size, mtime, ino, dev;
	uint8_t pd_build[20];
	uint8_t pad[4]; // zeros: two compare with memcmp
};
// Whether buf (n bytes, 8-aligned) is an entry made from src by this pd;
// if so, its symbols (sorted, names NUL-ended) point into buf, with every
// PD_KTOP-th address in out->top (caller frees). Bytes read through are
// given to done (if not NULL) once no longer needed.
struct pd_kcache {
	const struct ksym *syms;
	size_t n;
	const char *names;
	size_t names_len;
	uint64_t *top;
};
bool pd_kcache_parse(const uint8_t *buf, size_t n,
	const struct pd_kcache_src *src, struct pd_kcache *out,
	void (*done)(const void *, size_t));
// The checksum an entry's header holds for a body of n bytes.
uint64_t pd_kcache_checksum(const uint8_t *body, size_t n);
// The kallsyms file open on fd, as it is now; whether it may be indexed
// (a regular file with a size: not one of /proc's, size 0, whose contents
// change without a trace in their stat).
bool pd_kcache_source(int fd, struct pd_kcache_src *src);
// Checks the entry for the kallsyms file at path (as src) and keeps it
// open for lookups (s->kread); false if there is none valid. Lookups read
// it again, a block at a time, and check the names they read.
bool pd_kcache_load(struct pd_symbols *s, const char *path,
	const struct pd_kcache_src *src);
// Writes the entry for it from s->ksyms (as parsed), if the file, open on
// fd, is still as src says.
void pd_kcache_save(struct pd_symbols *s, const char *path, int fd,
	const struct pd_kcache_src *src);

// symbols-loader.c: whether the calling thread may change DSOs and name
// tables now (the loader thread while it runs, any other when it does not).
bool pd_symbols_owner(const struct pd_symbols *s);

// symbols-kernel.c: kernel names (kallsyms).
bool pd_symbols_kernel_matches(struct pd_symbols *s);
void pd_symbols_free_kernel(struct pd_symbols *s);
// symbols.c: names as they are printed (stackcollapse-perf.pl's tidying,
// and demangled), interned.
const char *pd_symbols_tidy(struct pd_symbols *s, const char *name);
const char *pd_symbols_demangle(struct pd_symbols *s, const char *raw);
// Whether libiberty may demangle name (C++, Rust, GCC's old global
// constructor and destructor names).
bool pd_symbols_mangled(const char *name);
// symbols-inline.c: the calls inlined at dwfl address a, innermost first,
// into names[] (up to max); the function they are in goes to *outer.
size_t pd_symbols_inline_chain(struct pd_symbols *s, struct pd_dso *d,
	Dwarf_Addr a, const char **names, size_t max, const char **outer);
void pd_symbols_free_scopes(struct pd_dso *d);
// symbols-plt.c: appends name@plt symbols for d's PLT entries to syms
// (numbered from index on); returns how many.
size_t pd_symbols_plt(struct pd_dso *d, struct pd_sym **syms, size_t *n,
	size_t *cap, uint32_t index);
const char *pd_symbols_kernel_lookup(struct pd_symbols *s, uint64_t addr);
// symbols-jit.c: JIT names (perf-PID.map), tables by process.
const char *pd_symbols_jit_lookup(struct pd_symbols *s, struct pd_dso *d,
	uint64_t addr);
void pd_symbols_free_jit(struct pd_symbols *s);
bool pd_symbols_have_kernel(struct pd_symbols *s);

#endif
