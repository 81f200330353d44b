// SPDX-License-Identifier: MIT
// Adds stacks to their tables on a thread of its own, in the order they
// are queued, while the reading thread goes on with the next samples.
// The tables are the same as if the reading thread had added each itself.
#ifndef PD_STACK_ADDER_H
#define PD_STACK_ADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stacks.h"

// The slots in which the adder keeps stack numbers for pd_adder_bump.
#define PD_ADDER_SLOTS 1024
// The most ids in one stack queued.
#define PD_ADDER_IDS_MAX 8192

// Opaque. Only the thread that created it queues to it.
struct pd_adder;

// NULL if the machine has one CPU (pd_cpus) or no thread could start:
// the caller then adds stacks itself. While busy(arg) says another
// thread needs the cores (NULL: never), the caller's thread adds the
// batches it fills itself, in their turn.
struct pd_adder *pd_adder_create(bool (*busy)(void *arg), void *arg);
// Waits for what was queued, stops the thread, frees a (NULL is fine).
void pd_adder_destroy(struct pd_adder *a);
// Queues pd_stacks_add(st, ids, n, &w); st has one column. The stack's
// number is then kept in slot, unless slot >= PD_ADDER_SLOTS.
void pd_adder_add(struct pd_adder *a, struct pd_stacks *st,
	const uint32_t *ids, size_t n, uint64_t w, uint32_t slot);
// Queues adding w to the stack kept in slot, which an add queued before
// kept for the same table st.
void pd_adder_bump(struct pd_adder *a, struct pd_stacks *st, uint32_t slot,
	uint64_t w);
// Returns when every stack queued is added: the tables may be read (and
// written) by the caller until it queues again.
void pd_adder_wait(struct pd_adder *a);

#endif
