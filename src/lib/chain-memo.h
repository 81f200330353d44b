// SPDX-License-Identifier: MIT
// Frame-pointer callchains repeat: a sample whose raw chain, thread, comm,
// event, mode and process maps match a remembered one adds to the same
// stack without looking up each frame again.
#ifndef PD_CHAIN_MEMO_H
#define PD_CHAIN_MEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "maps.h"
#include "perf.h"

// Chains longer than this are not remembered.
#define PD_CHAIN_MEMO_MAX 512
// The slots (a power of two): each remembers the last chain hashed to it.
#define PD_CHAIN_MEMO_SLOTS 1024

// Opaque; PD_CHAIN_MEMO_SLOTS slots.
struct pd_chain_memo;

struct pd_chain_memo *pd_chain_memo_create(void);
void pd_chain_memo_destroy(struct pd_chain_memo *m); // NULL is fine

// What identifies a sample's stack besides its raw chain.
struct pd_chain_key {
	const struct pd_proc *proc; // with its generation, the maps
	const char *comm;           // interned
	int mode;                   // the sample's cpumode
};

struct pd_chain_memo_slot;

// The slot of s's raw chain (1 <= s->nr <= PD_CHAIN_MEMO_MAX).
struct pd_chain_memo_slot *pd_chain_memo_slot(struct pd_chain_memo *m,
	const struct pd_sample *s);
// The slot's number, below PD_CHAIN_MEMO_SLOTS.
uint32_t pd_chain_memo_index(const struct pd_chain_memo *m,
	const struct pd_chain_memo_slot *e);
// The stack the slot remembers for s under key, in *stack; false if none.
// (A "stack" is any 32-bit value the caller stores.)
bool pd_chain_memo_hit(const struct pd_chain_memo_slot *e,
	const struct pd_sample *s, const struct pd_chain_key *key,
	uint32_t *stack);
// Remembers stack for s under key in the slot (replacing its chain).
void pd_chain_memo_store(struct pd_chain_memo_slot *e,
	const struct pd_sample *s, const struct pd_chain_key *key,
	uint32_t stack);

#endif
