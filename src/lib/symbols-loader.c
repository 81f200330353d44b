// SPDX-License-Identifier: MIT
// The loader thread: loads queued DSOs and their DWARF, and runs the jobs
// queued behind them, while the reading thread goes on. A queued DSO is
// the thread's until pd_symbols_warm_finish joins it.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
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
	struct warm_item batch[PD_WARM_BATCH];
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->warm_next == s->warm_n && !s->warm_closing) {
			pthread_cond_wait(&s->wake, &s->lock);
		}
		if (s->warm_next == s->warm_n) {
			break;
		}
		// Up to a batch at a time: one lock for each, not one per job.
		size_t n = s->warm_n - s->warm_next;
		n = n < PD_WARM_BATCH ? n : PD_WARM_BATCH;
		memcpy(batch, s->warm_q + s->warm_next, n * sizeof(*batch));
		s->warm_next += n;
		pthread_mutex_unlock(&s->lock);
		for (size_t k = 0; k < n; k++) {
			run_item(s, &batch[k]);
		}
		atomic_fetch_add_explicit(&s->warm_ran, n,
			memory_order_relaxed);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

// The thread is woken for jobs once this many wait (each wake-up is a
// system call on the reading thread, and the thread runs jobs faster than
// they come); at once for a DSO to load.
#define WAKE_JOBS 1024

// Queues the local items, starting the thread on first use; they are
// dropped if it cannot run. now: wake the thread whatever is queued.
static void warm_flush(struct pd_symbols *s, bool now) {
	if (s->warm_nlocal == 0) {
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
		// The items taken go once they are at least half the queue:
		// it holds about those waiting, not every job of the run
		// (80k on a large program), and each item moves about once.
		if (s->warm_next && s->warm_next >= s->warm_n - s->warm_next
				&& s->warm_n + s->warm_nlocal > s->warm_cap) {
			memmove(s->warm_q, s->warm_q + s->warm_next,
				(s->warm_n - s->warm_next) * sizeof(*s->warm_q));
			s->warm_n -= s->warm_next;
			s->warm_next = 0;
		}
		pd_xgrow(&s->warm_q, &s->warm_cap, s->warm_n + s->warm_nlocal,
			sizeof(*s->warm_q));
		memcpy(s->warm_q + s->warm_n, s->warm_local,
			s->warm_nlocal * sizeof(*s->warm_local));
		s->warm_n += s->warm_nlocal;
		if (now || s->warm_n - s->warm_next >= WAKE_JOBS) {
			pthread_cond_signal(&s->wake);
		}
	}
	s->warm_nlocal = 0;
	pthread_mutex_unlock(&s->lock);
}

// Jobs are small: they go to the thread a batch at a time (the last
// ones at pd_symbols_warm_finish) and wake it a thousand at a time; a
// DSO to load goes at once, after the jobs before it.
static void warm_push(struct pd_symbols *s, struct warm_item it) {
	s->warm_local[s->warm_nlocal++] = it;
	s->warm_pushed++;
	bool now = !it.fn || s->debug_delay_us;
	if (now || s->warm_nlocal == PD_WARM_BATCH) {
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
}

