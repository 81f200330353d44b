// SPDX-License-Identifier: MIT
// Distinct stacks: sequences of 32-bit ids, each with N 64-bit weights.
// pd-collapse keys stacks by process and code locations, the folded
// profile (pd-diff) by whole-stack texts, pd-svg's flame tree by frame
// names; the first two sort them as lines.
#ifndef PD_STACKS_H
#define PD_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "texts.h"

// Opaque; stacks are numbered from 0 in the order they were first added.
struct pd_stacks;

// ncols weight columns (at least 1). Never NULL (exit 71 on OOM).
struct pd_stacks *pd_stacks_create(size_t ncols);
void pd_stacks_destroy(struct pd_stacks *s); // NULL is fine

// Adds w[0, ncols) to the stack ids[0, n), made if new; returns its number.
// Weights saturate at UINT64_MAX (see pd_stacks_overflowed).
uint32_t pd_stacks_add(struct pd_stacks *s, const uint32_t *ids, size_t n,
	const uint64_t *w);
// Appends the stack ids[0, n) with weights w, which the caller knows is
// not in s yet (it keeps its own map, e.g. from a text id); returns its
// number. Cheaper than pd_stacks_add: it is indexed only if an add comes.
uint32_t pd_stacks_push(struct pd_stacks *s, const uint32_t *ids, size_t n,
	const uint64_t *w);
// Adds w to column col of stack i.
void pd_stacks_bump(struct pd_stacks *s, uint32_t i, size_t col, uint64_t w);

size_t pd_stacks_size(const struct pd_stacks *s);
size_t pd_stacks_cols(const struct pd_stacks *s);
// Stack i's ids (*n of them) and its ncols weights; valid until the next add.
const uint32_t *pd_stacks_ids(const struct pd_stacks *s, uint32_t i,
	size_t *n);
const uint64_t *pd_stacks_weights(const struct pd_stacks *s, uint32_t i);
uint64_t *pd_stacks_weights_mut(struct pd_stacks *s, uint32_t i);
// For a reader that goes through the stacks once, in order, at the end:
// gives back the memory of the ids of stacks [0, upto) (whole pages of
// it), after which their ids must not be read. Weights stay. The first
// call frees the index too: no stack is added after it.
void pd_stacks_release_ids(struct pd_stacks *s, uint32_t upto);
// Whether a weight ever saturated.
bool pd_stacks_overflowed(const struct pd_stacks *s);

// The stack numbers ordered by their lines: ids are texts of t joined by
// ';', in byte order (pd_texts_cmp). Caller frees.
uint32_t *pd_stacks_sorted(const struct pd_stacks *s, const struct pd_texts *t);

#endif
