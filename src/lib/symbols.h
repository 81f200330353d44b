// SPDX-License-Identifier: MIT
// Mapped objects (DSOs) and address-to-name lookup: ELF symbols through
// libdwfl (with separate debug info), kallsyms, perf-PID.map, demangling.
//
// Threads: pd_symbols loads DSOs and resolves names on a loader thread of
// its own while samples are read (pd_symbols_warm, pd_symbols_warm_job).
// Until pd_symbols_warm_finish, only that thread resolves names and
// changes DSOs; others may make DSOs, read their identity (pd_dso_ident)
// and queue work. Debug builds assert it.
#ifndef PD_SYMBOLS_H
#define PD_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <elfutils/libdwfl.h>

enum pd_dso_kind {
	PD_DSO_FILE,   // an ELF file; addresses are file offsets
	PD_DSO_KERNEL, // the kernel and its modules; absolute addresses
	PD_DSO_JIT,    // anonymous memory of one process: /tmp/perf-PID.map
	PD_DSO_VDSO,   // [vdso]; addresses are offsets in the image
	PD_DSO_OTHER,  // [vsyscall], [uprobes], ...: names only
};

// One mapped object, owned by struct pd_symbols; opaque but for its
// identity, set when it is made and never changed.
struct pd_dso;

struct pd_dso_ident {
	enum pd_dso_kind kind;
	uint32_t id;       // 0, 1, 2... in the order DSOs were made
	const char *name;  // as recorded, e.g. /usr/lib/x86_64-linux-gnu/libc.so.6
	const char *base;  // last path component of name
};

// struct pd_dso begins with its identity.
static inline const struct pd_dso_ident *pd_dso_ident(const struct pd_dso *d) {
	return (const struct pd_dso_ident *)(const void *)d;
}

// What was found for a DSO and how its lookups went, for summaries (after
// pd_symbols_warm_finish).
struct pd_dso_stats {
	bool found;        // an ELF file (or image) was opened
	bool has_symbols;  // with any symbols at all
	bool build_id_differs; // not found: the file there is another build
	uint64_t frames, unresolved; // addresses looked up, and not named
};
void pd_dso_stats(const struct pd_dso *d, struct pd_dso_stats *out);

struct pd_symbols_options {
	const char *symfs;    // prefix for every path, as perf --symfs
	const char *kallsyms; // kernel symbols file; NULL: /proc/kallsyms if
	                      // the recording matches the running kernel
	bool demangle;
	bool inline_frames;   // expand inlined calls (DWARF)
	bool cache;           // use and update the persistent cache of
	                      // resolved addresses (symbols-cache.c)
};

struct pd_symbols;

struct pd_symbols *pd_symbols_create(const struct pd_symbols_options *o);
void pd_symbols_destroy(struct pd_symbols *s); // NULL is fine

// The DSO for a mapping of filename by process pid (interned: one object
// per name; anonymous memory gives the process's JIT DSO).
struct pd_dso *pd_symbols_dso(struct pd_symbols *s, const char *filename,
	uint32_t pid);
struct pd_dso *pd_symbols_kernel(struct pd_symbols *s);
// Records a build id for a filename (from the file's BUILD_ID list), or
// for d (from an MMAP2 record): used to find its file. The last one given
// before d is handed to the loader thread wins; later ones are ignored.
void pd_symbols_buildid(struct pd_symbols *s, uint16_t cpumode,
	const uint8_t *id, size_t len, const char *filename);
void pd_symbols_set_build_id(struct pd_symbols *s, struct pd_dso *d,
	const uint8_t *id, size_t len);
// The recorded kernel release, to decide whether /proc/kallsyms fits.
void pd_symbols_set_osrelease(struct pd_symbols *s, const char *release);

// A handle on d's file of its own, owned by the caller (dwfl_end(*dwfl)),
// for the unwinder: d's own may be loading on the loader thread. NULL if
// no file was found. With a module: *path, the file opened (caller
// frees), and *st, what fstat said of it then.
Dwfl_Module *pd_dso_open_module(struct pd_symbols *s, struct pd_dso *d,
	Dwfl **dwfl, char **path, struct stat *st);
// Converts a file offset to the address libdwfl uses for mod; false if no
// loadable segment holds it.
bool pd_module_offset_to_addr(Dwfl_Module *mod, uint64_t offset,
	Dwarf_Addr *addr);

// A resolved location: frame names, outermost first: names[0] is the
// function the code belongs to, names[1..] the calls inlined into it, the
// last one holds the address.
struct pd_frames {
	size_t n;
	const char *names[64]; // interned in the pd_symbols
	bool inlined[64];      // frame i was inlined into frame i - 1
	bool resolved;         // false: no name was found
};

// Resolves addr (dso-relative as described in enum pd_dso_kind; adjusted
// by the caller for return addresses) to frame names. d may be NULL
// (unmapped address). On the loader thread, or after pd_symbols_warm_finish.
void pd_symbols_resolve(struct pd_symbols *s, struct pd_dso *d,
	uint64_t addr, struct pd_frames *out);

// Calls fn for every DSO (for summaries, after pd_symbols_warm_finish).
void pd_symbols_foreach(struct pd_symbols *s,
	void (*fn)(void *arg, struct pd_dso *d), void *arg);

// Loads d (file, symbols, DWARF) on the loader thread, started on first
// use; from then on d is that thread's until pd_symbols_warm_finish.
void pd_symbols_warm(struct pd_symbols *s, struct pd_dso *d);
// Runs fn(arg, i, d, addr) on the loader thread once d (a file queued
// with pd_symbols_warm) is loaded, in the order queued; fn may resolve
// names (pd_symbols_resolve) and write what arg lends it, nothing else.
// Without such a thread (it could not start, or it was stopped) nothing
// runs: the caller does the work itself later.
typedef void (*pd_symbols_job_fn)(void *arg, uint32_t i, struct pd_dso *d,
	uint64_t addr);
void pd_symbols_warm_job(struct pd_symbols *s, struct pd_dso *d,
	pd_symbols_job_fn fn, void *arg, uint32_t i, uint64_t addr);
// Whether the loader thread has DSOs to load, or is behind with its jobs
// (and needs a core): a hint, which may be late, for work that could go
// to a thread of its own. On the thread that queues.
bool pd_symbols_loading(struct pd_symbols *s);
// Runs what is queued, then stops the thread; DSOs and names are the
// caller's again. Whoever queued jobs must call it before freeing what
// they use. After it, pd_symbols_warm and pd_symbols_warm_job do nothing.
void pd_symbols_warm_finish(struct pd_symbols *s);

// Writes what was resolved this run to the persistent cache (files of
// DSOs whose entries are new or changed); after pd_symbols_warm_finish.
// Failing to write is not an error: the cache is only ever a shortcut.
void pd_symbols_cache_save(struct pd_symbols *s);
// The kernel symbol holding addr, with its start address in *start; NULL
// if none. After pd_symbols_warm_finish.
const char *pd_symbols_kernel_symbol(struct pd_symbols *s, uint64_t addr,
	uint64_t *start);

// Starts reading kernel symbols in the background (once).
void pd_symbols_prefetch_kernel(struct pd_symbols *s);

#endif
