// SPDX-License-Identifier: MIT
// Populating a file mapping ahead of its reader (see prefetch.h). Without
// it, a 371 MB --call-graph dwarf profile costs the reading thread ~6,700
// page faults; with it the second core maps the pages while the first
// parses and unwinds. The reader's output does not depend on it at all.
#include "prefetch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "alloc.h"
#include "helper.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

// The pages mapped at any time, AHEAD + LAG and what the reader still
// holds, add up in pd-collapse's peak RSS: 4 + 4 MiB kept it at 18-20 MB
// from 100 MB to 4 GB when big files were mapped (8 + 16 MiB: 28-30 MB),
// no slower. 2 + 2 MiB, with perf-input.c's 1 MiB release steps, took
// 1-3 MB more off the frame-pointer profiles of bench/real.sh, no slower;
// 1 + 1 MiB was 5-8% slower (2026-12-07).
enum {
	STEP = 1 << 20,   // populate and wake in steps of this
	AHEAD = 2 << 20,  // how far ahead of the reader to map
	LAG = 2 << 20,    // most the thread may fall behind in giving back
	// From 32 MiB down to 4: warm runs on the frame-pointer profiles
	// of bench/real.sh (8-20 MB) took 5-12% less time, cold ones the
	// same (2026-12-05).
	MIN_SIZE = 4 << 20,
};

struct pd_prefetch {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	const uint8_t *map;
	uint64_t size;
	uint64_t done, want; // populated up to done; asked for up to want
	uint64_t kick;       // reader side: the step it last woke us for
	uint64_t released, release; // pages below released given back; asked
	                            // up to release
	bool stop;
};

// Gives back the pages from released up to to; called with the lock
// held, returns with it released.
static void give_back(struct pd_prefetch *p, uint64_t to) {
	uint64_t from = p->released;
	p->released = to;
	pthread_mutex_unlock(&p->lock);
	madvise((void *)(p->map + from), (size_t)(to - from), MADV_DONTNEED);
}

// Reads a byte of each page of [m, m + n) (mapped). Some hypervisors
// map a guest process's page for it only when it first touches the page,
// whatever the guest's page tables say: on the VM these were measured
// on, that costs ~1.8 us a page (41 MB read in 21 ms where 3 would do)
// even after MADV_POPULATE_READ. Touched here, the cost is this thread's.
static void touch(const uint8_t *m, uint64_t n) {
	uint8_t sum = 0;
	for (uint64_t i = 0; i < n; i += 4096) {
		sum += *(const volatile uint8_t *)(m + i);
	}
	(void)sum;
}

static void *prefetch_main(void *arg) {
	struct pd_prefetch *p = arg;
	pd_thread_helper();
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->done >= p->want
				&& p->released >= p->release) {
			pthread_cond_wait(&p->wake, &p->lock);
		}
		if (p->stop) {
			break;
		}
		if (p->released < p->release) {
			give_back(p, p->release);
			pthread_mutex_lock(&p->lock);
			continue;
		}
		// Never below what was given back: a page mapped again there
		// would stay until the end (a 4 GB run kept ~40 MB that way).
		uint64_t start = p->done;
		uint64_t from = start > p->released ? start : p->released;
		uint64_t to = from + STEP < p->want ? from + STEP : p->want;
		if (from >= to) {
			p->done = p->want;
			continue;
		}
		pthread_mutex_unlock(&p->lock);
		int rc = madvise((void *)(p->map + from), (size_t)(to - from),
			MADV_POPULATE_READ);
		if (rc == 0) {
			touch(p->map + from, to - from);
		}
		pthread_mutex_lock(&p->lock);
		if (rc != 0) {
			break; // an older kernel: the reader faults pages in itself
		}
		if (p->released > from) {
			// Given back while we mapped it: give back our part too.
			uint64_t upto = p->released < to ? p->released : to;
			pthread_mutex_unlock(&p->lock);
			madvise((void *)(p->map + from), (size_t)(upto - from),
				MADV_DONTNEED);
			pthread_mutex_lock(&p->lock);
		}
		if (p->done == start) {
			p->done = to;
		}
	}
	p->stop = true;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct pd_prefetch *pd_prefetch_start(const uint8_t *map, uint64_t size) {
	if (size < MIN_SIZE) {
		return NULL;
	}
	struct pd_prefetch *p = pd_xcalloc(1, sizeof(*p));
	p->map = map;
	p->size = size;
	p->want = AHEAD;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, prefetch_main, p) != 0) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->wake);
		free(p);
		return NULL;
	}
	return p;
}

void pd_prefetch_at(struct pd_prefetch *p, uint64_t pos) {
	if (!p || (pos >= p->kick && pos < p->kick + STEP)) {
		return;
	}
	uint64_t here = pos & ~(uint64_t)(STEP - 1);
	p->kick = here;
	pthread_mutex_lock(&p->lock);
	// Start over from here when the reader got ahead of us or seeked
	// back (file mode reads the feature sections at the end first).
	if (p->done < here || p->done > here + AHEAD) {
		p->done = here;
	}
	p->want = here + AHEAD < p->size ? here + AHEAD : p->size;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void pd_prefetch_release(struct pd_prefetch *p, uint64_t to) {
	pthread_mutex_lock(&p->lock);
	if (to - p->released > LAG) {
		// The thread is starved (it runs at a lower priority): give the
		// pages back here, so memory stays bounded whatever the
		// scheduler does. Its own madvise, if any, is of pages below.
		p->release = to;
		give_back(p, to);
		return;
	}
	p->release = to;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void pd_prefetch_stop(struct pd_prefetch *p) {
	if (!p) {
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p);
}
