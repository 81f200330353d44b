// SPDX-License-Identifier: MIT
// Work split over the machine's CPUs.
#ifndef PD_PARALLEL_H
#define PD_PARALLEL_H

#include <stddef.h>

// How many threads to split work over: PD_THREADS from the environment
// when it is a decimal number from 1 to 1024, else the CPUs online.
size_t pd_cpus(void);
// Runs fn(ctx, i) for each i in [0, n) on up to pd_cpus() threads (the
// caller's among them), each taking the next i not taken; returns when
// all are done.
void pd_parallel(size_t n, void (*fn)(void *ctx, size_t i), void *ctx);

// Runs run(q, task, ctx) on up to pd_cpus() threads for first and every
// task (size bytes) queued by pd_tasks_push, as a sort queues the parts
// it splits; returns when the queue is empty and no task runs.
struct pd_tasks;
void pd_tasks_run(const void *first, size_t size,
	void (*run)(struct pd_tasks *q, void *task, void *ctx), void *ctx);
// Queues n tasks (from any thread running one).
void pd_tasks_push(struct pd_tasks *q, const void *tasks, size_t n);

#endif
