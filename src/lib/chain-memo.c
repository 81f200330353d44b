// SPDX-License-Identifier: MIT
// A direct-mapped memo of raw callchains to stack numbers.
#include "chain-memo.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bytes.h"
#include "hash.h"

#define SLOTS PD_CHAIN_MEMO_SLOTS
_Static_assert((SLOTS & (SLOTS - 1)) == 0, "slots are masked");

struct pd_chain_memo_slot {
	struct pd_chain_key key;
	uint64_t gen;
	uint64_t *ips;
	size_t nr, cap;
	uint32_t pid, tid, stack;
	int event;
};

struct pd_chain_memo {
	struct pd_chain_memo_slot *slots; // SLOTS, allocated when first used
};

struct pd_chain_memo *pd_chain_memo_create(void) {
	return pd_xcalloc(1, sizeof(struct pd_chain_memo));
}

void pd_chain_memo_destroy(struct pd_chain_memo *m) {
	if (!m) {
		return;
	}
	for (size_t i = 0; m->slots && i < SLOTS; i++) {
		free(m->slots[i].ips);
	}
	free(m->slots);
	free(m);
}

// Chains differ most near the leaf (after a context marker): hash the
// first few entries, and the middle and last for long chains.
struct pd_chain_memo_slot *pd_chain_memo_slot(struct pd_chain_memo *m,
		const struct pd_sample *s) {
	if (!m->slots) {
		m->slots = pd_xcalloc(SLOTS, sizeof(*m->slots));
	}
	uint64_t h = (uint64_t)s->tid << 32 ^ s->nr;
	size_t k = s->nr < 6 ? s->nr : 6;
	for (size_t i = 0; i < k; i++) {
		h = (h ^ pd_get_u64(s->ips + 8 * i)) * 0x9e3779b97f4a7c15ULL;
	}
	h ^= pd_get_u64(s->ips + 8 * (s->nr / 2)) * 0xc2b2ae3d27d4eb4fULL;
	h ^= pd_get_u64(s->ips + 8 * (s->nr - 1));
	return &m->slots[pd_hash_u64(h) & (SLOTS - 1)];
}

uint32_t pd_chain_memo_index(const struct pd_chain_memo *m,
		const struct pd_chain_memo_slot *e) {
	return (uint32_t)(e - m->slots);
}

bool pd_chain_memo_hit(const struct pd_chain_memo_slot *e,
		const struct pd_sample *s, const struct pd_chain_key *key,
		uint32_t *stack) {
	if (e->ips && e->nr == s->nr && e->key.proc == key->proc
			&& e->gen == (key->proc ? key->proc->generation : 0)
			&& e->key.comm == key->comm && e->pid == s->pid
			&& e->tid == s->tid && e->event == s->event
			&& e->key.mode == key->mode
			&& memcmp(e->ips, s->ips, 8 * s->nr) == 0) {
		*stack = e->stack;
		return true;
	}
	return false;
}

void pd_chain_memo_store(struct pd_chain_memo_slot *e,
		const struct pd_sample *s, const struct pd_chain_key *key,
		uint32_t stack) {
	pd_xgrow(&e->ips, &e->cap, s->nr, sizeof(*e->ips));
	memcpy(e->ips, s->ips, 8 * s->nr);
	e->nr = s->nr;
	e->key = *key;
	e->gen = key->proc ? key->proc->generation : 0;
	e->pid = s->pid;
	e->tid = s->tid;
	e->event = s->event;
	e->stack = stack;
}
