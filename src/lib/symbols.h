// SPDX-License-Identifier: MIT
// Mapped objects (DSOs) and address-to-name lookup: ELF symbols through
// libdwfl (with separate debug info), kallsyms, perf-PID.map, demangling.
#ifndef PD_SYMBOLS_H
#define PD_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdwfl.h>

// A function symbol: [start, end) in the DSO's libdwfl address space.
struct pd_sym {
	uint64_t start, end;
	const char *name; // raw ELF name, owned by libdwfl (or the DSO)
	uint32_t index;   // in the symbol table: earlier wins ties, as in perf
	uint8_t bind;
	uint64_t ifunc;   // a PLT entry for an IFUNC: its resolver (name "")
};

enum pd_dso_kind {
	PD_DSO_FILE,   // an ELF file; addresses are file offsets
	PD_DSO_KERNEL, // the kernel and its modules; absolute addresses
	PD_DSO_JIT,    // anonymous memory of one process: /tmp/perf-PID.map
	PD_DSO_VDSO,   // [vdso]; addresses are offsets in the image
	PD_DSO_OTHER,  // [vsyscall], [uprobes], ...: names only
};

// One mapped object; owned by struct pd_symbols.
struct pd_dso {
	enum pd_dso_kind kind;
	struct pd_symbols *owner;
	char *name;             // as recorded, e.g. /usr/lib/x86_64-linux-gnu/libc.so.6
	const char *base;       // last path component of name
	uint32_t pid;           // PD_DSO_JIT: the process
	uint8_t build_id[20];
	size_t build_id_len;    // 0: not known (yet)
	// Filled on first use by pd_dso_load.
	bool loaded;
	char *path;             // the file actually opened (NULL: none)
	Dwfl *dwfl;             // one module at its link-time addresses
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	struct pd_sym *syms;    // functions sorted by address (dwfl addresses)
	size_t nsyms;
	char *plt_names;        // the names of synthesized name@plt symbols
	bool has_symtab;        // any symbols at all
	bool has_debuginfo;     // DWARF found
	bool warm_queued;       // handed to pd_symbols_warm
	// Per-DSO state of the DWARF unwinder (unwind.c), NULL until used;
	// freed by the function given to pd_symbols_set_unwind_free.
	void *unwind;
	void *jit;              // PD_DSO_JIT: the parsed perf-PID.map
	void *scopes;           // functions by address (symbols-inline.c)
	// Statistics for the summary.
	uint64_t frames, unresolved;
};

struct pd_symbols_options {
	const char *symfs;    // prefix for every path, as perf --symfs
	const char *kallsyms; // kernel symbols file; NULL: /proc/kallsyms if
	                      // the recording matches the running kernel
	bool demangle;
	bool inline_frames;   // expand inlined calls (DWARF)
};

struct pd_symbols;

struct pd_symbols *pd_symbols_create(const struct pd_symbols_options *o);
void pd_symbols_destroy(struct pd_symbols *s); // NULL is fine

// The DSO for a mapping of filename by process pid (interned: one object
// per name; anonymous memory gives the process's JIT DSO).
struct pd_dso *pd_symbols_dso(struct pd_symbols *s, const char *filename,
	uint32_t pid);
struct pd_dso *pd_symbols_kernel(struct pd_symbols *s);
// Records a build id for a filename (from the file's BUILD_ID list).
void pd_symbols_buildid(struct pd_symbols *s, uint16_t cpumode,
	const uint8_t *id, size_t len, const char *filename);
// The recorded kernel release, to decide whether /proc/kallsyms fits.
void pd_symbols_set_osrelease(struct pd_symbols *s, const char *release);

// Opens the DSO's file (under symfs, build-id cache, path) and its debug
// info once; false if no usable ELF file was found.
bool pd_dso_load(struct pd_symbols *s, struct pd_dso *d);

// Converts a file offset in d to the address libdwfl uses for d->mod
// (or for mod); false if no loadable segment holds it.
bool pd_dso_offset_to_addr(struct pd_dso *d, uint64_t offset,
	Dwarf_Addr *addr);
bool pd_module_offset_to_addr(Dwfl_Module *mod, uint64_t offset,
	Dwarf_Addr *addr);

// A second handle on d's file, owned by the caller (dwfl_end(*dwfl)), for
// the unwinder: d's own may be loading on the background thread. NULL if
// no file was found.
Dwfl_Module *pd_dso_open_module(struct pd_symbols *s, struct pd_dso *d,
	Dwfl **dwfl);

// A resolved location: frame names, outermost first: names[0] is the
// function the code belongs to, names[1..] the calls inlined into it, the
// last one holds the address.
struct pd_frames {
	size_t n;
	const char *names[64]; // interned in the pd_symbols
	bool inlined[64];      // frame i was inlined into frame i - 1
	bool resolved;         // false: names[0] is "[module]" or "[unknown]"
};

// Resolves addr (dso-relative as described in enum pd_dso_kind; adjusted
// by the caller for return addresses) to frame names. d may be NULL
// (unmapped address).
void pd_symbols_resolve(struct pd_symbols *s, struct pd_dso *d,
	uint64_t addr, struct pd_frames *out);

void pd_symbols_set_unwind_free(struct pd_symbols *s, void (*fn)(void *));

// Calls fn for every DSO (for summaries).
void pd_symbols_foreach(struct pd_symbols *s,
	void (*fn)(void *arg, struct pd_dso *d), void *arg);

// Loads d (file, symbols, DWARF) on a background thread. Until
// pd_symbols_warm_finish returns, the caller must not touch DSOs it queued;
// after it, pd_symbols_warm does nothing.
void pd_symbols_warm(struct pd_symbols *s, struct pd_dso *d);
// Runs fn(arg, i, d, addr) on that thread once d (a file queued with
// pd_symbols_warm) is loaded, in the order queued; fn may resolve names
// in d (pd_symbols_resolve) but must not race with the caller otherwise.
// False when there is no such thread: the caller does the work itself.
typedef void (*pd_symbols_job_fn)(void *arg, uint32_t i, struct pd_dso *d,
	uint64_t addr);
bool pd_symbols_warm_job(struct pd_symbols *s, struct pd_dso *d,
	pd_symbols_job_fn fn, void *arg, uint32_t i, uint64_t addr);
// Runs what is queued, then stops the thread. Whoever queued jobs must
// call it before freeing what they use.
void pd_symbols_warm_finish(struct pd_symbols *s);

// Starts reading kernel symbols in the background (once).
void pd_symbols_prefetch_kernel(struct pd_symbols *s);
// Whether kernel symbols are available (after the first kernel lookup).
bool pd_symbols_have_kernel(struct pd_symbols *s);

#endif
