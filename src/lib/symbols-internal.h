// SPDX-License-Identifier: MIT
// Private to the symbols*.c files: the symbol registry's state.
#ifndef PD_SYMBOLS_INTERNAL_H
#define PD_SYMBOLS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols.h"
#include "util.h"

struct ksym {
	uint64_t addr;
	uint32_t name, len; // the name's place in pd_symbols.ktext
};

struct jitsym {
	uint64_t start, end;
	const char *name;
};

struct jit_table {
	struct jitsym *v;
	size_t n;
};

// A DSO to load (fn NULL), or a job to run once it is loaded.
struct warm_item {
	struct pd_dso *d;
	pd_symbols_job_fn fn;
	void *arg;
	uint64_t addr;
	uint32_t i;
};

struct pd_symbols {
	struct pd_symbols_options o;
	char *debuginfo_path;
	Dwfl_Callbacks cb;
	struct pd_intern *strings; // module file names (the reading thread)
	// Symbol names: the warm thread's while it runs jobs, the caller's
	// after pd_symbols_warm_finish.
	struct pd_intern *names;
	struct pd_dso **dsos; // open addressing, keyed by interned name
	size_t nslots, ndsos;
	struct pd_dso *kernel;
	void (*unwind_free)(void *);
	// kallsyms, read by kernel_thread into ktext
	bool kernel_started, kernel_thread_ok, kernel_tried;
	bool kallsyms_cached; // read from perf's build-id cache
	uint8_t kthread_id[20]; // the build id kernel_thread works with
	size_t kthread_id_len;
	// Background loading of DSOs (pd_symbols_warm); lock guards the
	// queue.
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t warm_thread;
	bool warm_started, warm_closing;
	unsigned debug_delay_us; // debug builds: PD_DEBUG_LOADER_DELAY_US
	struct warm_item *warm_q;
	size_t warm_n, warm_cap, warm_next;
	pthread_t kernel_thread;
	char *ktext; // the whole kallsyms text, mapped or read
	size_t ktext_len;
	bool ktext_mapped;
	struct ksym *ksyms;
	size_t nksyms;
	char *osrelease;
	uint8_t kernel_build_id[20];
	size_t kernel_build_id_len;
	// demangling cache: raw interned name -> tidied name
	struct pd_map64 demangled;
};

// symbols.c: helpers for perf's build-id cache (~/.debug).
char *pd_symbols_home_debug(void); // caller frees
void pd_symbols_hex(char *out, const uint8_t *id, size_t len);

// symbols-kernel.c: kernel (kallsyms) and JIT (perf-PID.map) names.
bool pd_symbols_kernel_matches(struct pd_symbols *s);
void pd_symbols_free_kernel(struct pd_symbols *s);
// symbols.c: names as they are printed (stackcollapse-perf.pl's tidying,
// and demangled), interned.
const char *pd_symbols_tidy(struct pd_symbols *s, const char *name);
const char *pd_symbols_demangle(struct pd_symbols *s, const char *raw);
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
const char *pd_symbols_jit_lookup(struct pd_symbols *s, struct pd_dso *d,
	uint64_t addr);

#endif
