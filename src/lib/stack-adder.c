// SPDX-License-Identifier: MIT
// The stack adder: batches of queued operations, handed to one thread.
#include "stack-adder.h"

#include <err.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "parallel.h"
#include "status.h"

// An operation in a batch, in 32-bit words: a tag (its kind and how many
// ids), a slot, the weight (2 words), the table (2 words), then the ids.
enum { HEAD = 6 };
enum { ADD, ADD_KEEP, BUMP };

// Batches of 128 KiB: a handover per several hundred samples (~700 of 40
// frames), more when the memo turns them into bumps. Four, so that the
// reading thread fills one while the adder works through the others.
#define BATCH_WORDS ((size_t)1 << 15)
#define NBATCH 4
_Static_assert(HEAD + PD_ADDER_IDS_MAX <= BATCH_WORDS,
	"the largest operation fits in a batch");
_Static_assert(PD_ADDER_IDS_MAX < 1u << 30, "a tag holds the count");

struct pd_adder {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t queued; // a batch handed over, or stop
	pthread_cond_t done;   // a batch added
	uint32_t *batch[NBATCH];
	size_t len[NBATCH];
	size_t handed, added;  // batches; batch[i % NBATCH] for the i-th
	bool stop;
	bool (*busy)(void *arg);
	void *arg;
	size_t fill;           // words in batch[handed % NBATCH] (the caller's)
	// Stack numbers kept, for bumps: the adder thread's, or the caller's
	// while it adds batches itself (the adder idle: see hand_over).
	uint32_t slots[PD_ADDER_SLOTS];
};

static void put_u64(uint32_t *w, uint64_t v) {
	w[0] = (uint32_t)v;
	w[1] = (uint32_t)(v >> 32);
}

static uint64_t get_u64(const uint32_t *w) {
	return w[0] | (uint64_t)w[1] << 32;
}

static void run(struct pd_adder *a, const uint32_t *w, size_t len) {
	for (size_t i = 0; i < len;) {
		uint32_t kind = w[i] >> 30;
		uint32_t n = w[i] & ((1u << 30) - 1);
		uint32_t slot = w[i + 1];
		uint64_t weight = get_u64(w + i + 2);
		struct pd_stacks *st = (struct pd_stacks *)(uintptr_t)
			get_u64(w + i + 4);
		if (kind == BUMP) {
			pd_stacks_bump(st, a->slots[slot], 0, weight);
		} else {
			uint32_t s = pd_stacks_add(st, w + i + HEAD, n,
				&weight);
			if (kind == ADD_KEEP) {
				a->slots[slot] = s;
			}
		}
		i += HEAD + (kind == BUMP ? 0 : n);
	}
}

// Not a helper thread (pd_thread_helper): the reading thread waits for
// it once its batches are all handed over.
static void *adder_main(void *arg) {
	struct pd_adder *a = arg;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (a->added == a->handed && !a->stop) {
			pthread_cond_wait(&a->queued, &a->lock);
		}
		if (a->added == a->handed) {
			break;
		}
		size_t i = a->added % NBATCH;
		pthread_mutex_unlock(&a->lock);
		run(a, a->batch[i], a->len[i]);
		pthread_mutex_lock(&a->lock);
		a->added++;
		pthread_cond_signal(&a->done);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

struct pd_adder *pd_adder_create(bool (*busy)(void *arg), void *arg) {
	if (pd_cpus() < 2) {
		return NULL;
	}
	struct pd_adder *a = pd_xcalloc(1, sizeof(*a));
	a->busy = busy;
	a->arg = arg;
	for (size_t i = 0; i < NBATCH; i++) {
		a->batch[i] = pd_xmalloc(BATCH_WORDS * sizeof(*a->batch[i]));
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->queued, NULL);
	pthread_cond_init(&a->done, NULL);
	if (pthread_create(&a->thread, NULL, adder_main, a) != 0) {
		a->stop = true;
		pd_adder_destroy(a);
		return NULL;
	}
	return a;
}

// Hands the caller's batch over, or adds it here when another thread
// needs the cores; returns when the next one is free.
static void hand_over(struct pd_adder *a) {
	if (a->busy && a->busy(a->arg)) {
		// On a first run the loader thread's loading is what the run
		// waits for: a third busy thread would slow it (cold runs of
		// rust-fp and cxx-fp took 10-15% longer).
		pthread_mutex_lock(&a->lock);
		while (a->added < a->handed) {
			pthread_cond_wait(&a->done, &a->lock);
		}
		pthread_mutex_unlock(&a->lock);
		run(a, a->batch[a->handed % NBATCH], a->fill);
		a->fill = 0;
		return;
	}
	pthread_mutex_lock(&a->lock);
	a->len[a->handed % NBATCH] = a->fill;
	a->handed++;
	pthread_cond_signal(&a->queued);
	while (a->handed - a->added >= NBATCH) {
		pthread_cond_wait(&a->done, &a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	a->fill = 0;
}

void pd_adder_wait(struct pd_adder *a) {
	if (a->fill) {
		hand_over(a);
	}
	pthread_mutex_lock(&a->lock);
	while (a->added < a->handed) {
		pthread_cond_wait(&a->done, &a->lock);
	}
	pthread_mutex_unlock(&a->lock);
}

void pd_adder_destroy(struct pd_adder *a) {
	if (!a) {
		return;
	}
	if (!a->stop) {
		pd_adder_wait(a);
		pthread_mutex_lock(&a->lock);
		a->stop = true;
		pthread_cond_signal(&a->queued);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
	}
	pthread_cond_destroy(&a->done);
	pthread_cond_destroy(&a->queued);
	pthread_mutex_destroy(&a->lock);
	for (size_t i = 0; i < NBATCH; i++) {
		free(a->batch[i]);
	}
	free(a);
}

// Room for an operation of n ids in the caller's batch.
static uint32_t *room(struct pd_adder *a, size_t n) {
	if (a->fill + HEAD + n > BATCH_WORDS) {
		hand_over(a);
	}
	uint32_t *w = a->batch[a->handed % NBATCH] + a->fill;
	a->fill += HEAD + n;
	return w;
}

static void head(uint32_t *w, uint32_t kind, size_t n, uint32_t slot,
		uint64_t weight, struct pd_stacks *st) {
	w[0] = kind << 30 | (uint32_t)n;
	w[1] = slot;
	put_u64(w + 2, weight);
	put_u64(w + 4, (uintptr_t)st);
}

void pd_adder_add(struct pd_adder *a, struct pd_stacks *st,
		const uint32_t *ids, size_t n, uint64_t w, uint32_t slot) {
	if (n > PD_ADDER_IDS_MAX) {
		errx(PD_ESOFTWARE, "a stack of %zu ids queued", n);
	}
	if (pd_stacks_cols(st) != 1) {
		errx(PD_ESOFTWARE, "a table of %zu columns queued",
			pd_stacks_cols(st));
	}
	uint32_t *p = room(a, n);
	head(p, slot < PD_ADDER_SLOTS ? ADD_KEEP : ADD, n, slot, w, st);
	if (n) {
		memcpy(p + HEAD, ids, n * sizeof(*ids));
	}
}

void pd_adder_bump(struct pd_adder *a, struct pd_stacks *st, uint32_t slot,
		uint64_t w) {
	if (slot >= PD_ADDER_SLOTS) {
		errx(PD_ESOFTWARE, "stack slot %u out of range", slot);
	}
	head(room(a, 0), BUMP, 0, slot, w, st);
}
