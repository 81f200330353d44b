// SPDX-License-Identifier: MIT
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc.h"

size_t pd_cpus(void) {
	const char *e = getenv("PD_THREADS");
	if (e && *e) {
		char *end;
		unsigned long v = strtoul(e, &end, 10);
		if (!*end && v >= 1 && v <= 1024) {
			return v;
		}
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 1 ? (size_t)n : 1;
}

struct pool {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next;
};

static void *pool_thread(void *arg) {
	struct pool *p = arg;
	for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;) {
		p->fn(p->ctx, i);
	}
	return NULL;
}

void pd_parallel(size_t n, void (*fn)(void *ctx, size_t i), void *ctx) {
	struct pool p = {.fn = fn, .ctx = ctx, .n = n};
	size_t nt = pd_cpus() - 1;
	nt = n == 0 ? 0 : nt < n - 1 ? nt : n - 1;
	pthread_t *t = pd_xcalloc(nt + 1, sizeof(*t));
	size_t started = 0;
	while (started < nt && pthread_create(&t[started], NULL, pool_thread,
			&p) == 0) {
		started++;
	}
	pool_thread(&p);
	for (size_t k = 0; k < started; k++) {
		pthread_join(t[k], NULL);
	}
	free(t);
}
