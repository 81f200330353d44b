// SPDX-License-Identifier: MIT
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "env.h"

size_t pd_cpus(void) {
	uint64_t v = pd_env_number("PD_THREADS", 1024);
	if (v) {
		return (size_t)v;
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

struct pd_tasks {
	pthread_mutex_t lock;
	pthread_cond_t changed; // tasks queued, or the last one done
	unsigned char *t;       // n tasks of size bytes
	size_t n, cap, size;
	size_t busy; // threads running a task
	void (*run)(struct pd_tasks *q, void *task, void *ctx);
	void *ctx;
};

void pd_tasks_push(struct pd_tasks *q, const void *tasks, size_t n) {
	if (n == 0) {
		return;
	}
	pthread_mutex_lock(&q->lock);
	pd_xgrow(&q->t, &q->cap, (q->n + n) * q->size, 1);
	memcpy(q->t + q->n * q->size, tasks, n * q->size);
	q->n += n;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

// A thread's work: tasks from the queue until it is empty and no thread
// can queue more. The last task queued goes first: a sort's parts are
// then taken depth first, and the queue stays short.
static void tasks_work(void *ctx, size_t i) {
	struct pd_tasks *q = ctx;
	void *task = pd_xmalloc(q->size);
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->n == 0 && q->busy > 0) {
			pthread_cond_wait(&q->changed, &q->lock);
		}
		if (q->n == 0) {
			break;
		}
		q->n--;
		memcpy(task, q->t + q->n * q->size, q->size);
		q->busy++;
		pthread_mutex_unlock(&q->lock);
		q->run(q, task, q->ctx);
		pthread_mutex_lock(&q->lock);
		if (--q->busy == 0 && q->n == 0) {
			pthread_cond_broadcast(&q->changed);
		}
	}
	pthread_mutex_unlock(&q->lock);
	free(task);
}

void pd_tasks_run(const void *first, size_t size,
		void (*run)(struct pd_tasks *q, void *task, void *ctx),
		void *ctx) {
	struct pd_tasks q = {.lock = PTHREAD_MUTEX_INITIALIZER,
		.changed = PTHREAD_COND_INITIALIZER, .size = size, .run = run,
		.ctx = ctx};
	pd_tasks_push(&q, first, 1);
	pd_parallel(pd_cpus(), tasks_work, &q);
	pthread_cond_destroy(&q.changed);
	pthread_mutex_destroy(&q.lock);
	free(q.t);
}
