// SPDX-License-Identifier: MIT
// The loader thread: loads queued DSOs and their DWARF, and runs the jobs
// queued behind them, while the reading thread goes on. A queued DSO is
// the thread's until pd_symbols_warm_finish joins it.
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <elfutils/libdw.h>

#include "symbols-internal.h"
#include "alloc.h"
#include "helper.h"

bool pd_symbols_owner(const struct pd_symbols *s) {
	return !s->warm_running || pthread_equal(pthread_self(), s->warm_thread);
}

// Debug builds: PD_DEBUG_LOADER_DELAY_US=N wakes the loader thread for
// every job and makes it sleep N microseconds before running each, so
// tests can keep it busy while the reading thread finishes, and check
// that no job runs after its owner is gone.
static void debug_delay(struct pd_symbols *s) {
#ifndef NDEBUG
	if (s->debug_delay_us) {
		usleep(s->debug_delay_us);
	}
#else
	(void)s;
#endif
}

// Runs a job, or loads a DSO and its DWARF (decompressing debug
// sections is the slow part).
static void run_item(struct pd_symbols *s, const struct warm_item *it) {
	struct pd_dso *d = it->d;
	if (it->fn) {
		debug_delay(s);
		it->fn(it->arg, it->i, d, it->addr);
	} else if (!pd_cache_open(s, d) && pd_dso_load(s, d)
			&& s->o.inline_frames) {
		// With a valid cache entry d is loaded only for an address
		// the entry lacks, when one comes.
		// One lookup loads the module's address ranges too (a few ms
		// for libc), which the inline lookups need first.
		Dwarf_Addr bias, start;
		if (dwfl_module_getdwarf(d->mod, &bias)) {
			dwfl_module_info(d->mod, NULL, &start, NULL, NULL, NULL,
				NULL, NULL);
			dwfl_module_addrdie(d->mod, start, &bias);
		}
	}
	if (!it->fn) {
		atomic_fetch_sub_explicit(&s->warm_loads, 1,
			memory_order_relaxed);
	}
}

// Runs queued items while the main thread is still reading samples.
static void *warm_main(void *arg) {
	struct pd_symbols *s = arg;
	pd_thread_helper();
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->warm_head && !s->warm_closing) {
			pthread_cond_wait(&s->wake, &s->lock);
		}
		struct warm_block *b = s->warm_head;
		if (!b) {
			break;
		}
		// A block at a time: one lock for each, not one per job.
		s->warm_head = b->next;
		if (!s->warm_head) {
			s->warm_tail = &s->warm_head;
		}
		s->warm_waiting -= b->n;
		pthread_mutex_unlock(&s->lock);
		for (size_t k = 0; k < b->n; k++) {
			run_item(s, &b->item[k]);
		}
		atomic_fetch_add_explicit(&s->warm_ran, b->n,
			memory_order_relaxed);
		pthread_mutex_lock(&s->lock);
		b->next = s->warm_spare; // run: to be filled again
		s->warm_spare = b;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

// The thread is woken for jobs once this many wait (each wake-up is a
// system call on the reading thread, and the thread runs jobs faster than
// they come); at once for a DSO to load.
#define WAKE_JOBS 1024

// Queues the local block, starting the thread on first use; its items are
// dropped if the thread cannot run. now: wake the thread whatever is
// queued.
static void warm_flush(struct pd_symbols *s, bool now) {
	struct warm_block *b = s->warm_local;
	if (!b || b->n == 0) {
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (!s->warm_started && !s->warm_closing) {
		s->warm_running = true; // before the thread can look
		s->warm_started = pthread_create(&s->warm_thread, NULL,
			warm_main, s) == 0;
		s->warm_running = s->warm_started;
		if (!s->warm_started) {
			s->warm_closing = true;
		}
	}
	if (s->warm_started && !s->warm_closing) {
		b->next = NULL;
		*s->warm_tail = b;
		s->warm_tail = &b->next;
		s->warm_waiting += b->n;
		if (now || s->warm_waiting >= WAKE_JOBS) {
			pthread_cond_signal(&s->wake);
		}
		// The next block is one the thread has run, if any.
		s->warm_local = b = s->warm_spare;
		if (b) {
			s->warm_spare = b->next;
		}
	}
	if (b) {
		b->n = 0;
	}
	pthread_mutex_unlock(&s->lock);
}

// Jobs are small: they go to the thread a block at a time (the last
// ones at pd_symbols_warm_finish) and wake it a thousand at a time; a
// DSO to load goes at once, after the jobs before it.
static void warm_push(struct pd_symbols *s, struct warm_item it) {
	struct warm_block *b = s->warm_local;
	if (!b) {
		s->warm_local = b = pd_xmalloc(sizeof(*b));
		b->n = 0;
	}
	b->item[b->n++] = it;
	s->warm_pushed++;
	bool now = !it.fn || s->debug_delay_us;
	if (now || b->n == PD_WARM_BATCH) {
		warm_flush(s, now);
	}
}

void pd_symbols_warm(struct pd_symbols *s, struct pd_dso *d) {
	if (d->id.kind != PD_DSO_FILE || d->warm_queued || s->warm_closing) {
		return;
	}
	d->warm_queued = true;
	atomic_fetch_add_explicit(&s->warm_loads, 1, memory_order_relaxed);
	warm_push(s, (struct warm_item){.d = d});
}

// The loader thread is behind by this many jobs: it cannot keep up.
#define BEHIND (2 * WAKE_JOBS)

bool pd_symbols_loading(struct pd_symbols *s) {
	if (!s->warm_started) {
		return false;
	}
	size_t ran = atomic_load_explicit(&s->warm_ran, memory_order_relaxed);
	return atomic_load_explicit(&s->warm_loads, memory_order_relaxed) > 0
		|| s->warm_pushed - ran > BEHIND;
}

void pd_symbols_warm_job(struct pd_symbols *s, struct pd_dso *d,
		pd_symbols_job_fn fn, void *arg, uint32_t i, uint64_t addr) {
	if (d->id.kind != PD_DSO_FILE || !d->warm_queued || s->warm_closing) {
		return;
	}
	warm_push(s, (struct warm_item){d, fn, arg, addr, i});
}

void pd_symbols_warm_finish(struct pd_symbols *s) {
	warm_flush(s, true);
	pthread_mutex_lock(&s->lock);
	bool started = s->warm_started;
	s->warm_closing = true;
	s->warm_started = false;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	if (started) {
		pthread_join(s->warm_thread, NULL);
		s->warm_running = false;
	}
	// Nothing is queued from now on: the blocks go back to malloc for
	// the output.
	for (struct warm_block *b = s->warm_spare, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	s->warm_spare = NULL;
	free(s->warm_local);
	s->warm_local = NULL;
}

