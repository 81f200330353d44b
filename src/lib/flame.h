// SPDX-License-Identifier: MIT
// Flame graph tree: folded stacks merged by common prefix, with counts.
#ifndef PD_FLAME_H
#define PD_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Opaque; owns its nodes and interned frame names.
struct pd_flame;

// A node in the tree. Node 0 is the root ("all", depth 0); links are node
// numbers with 0 meaning none (the root is nobody's child or sibling).
struct pd_flame_node {
	uint32_t name;     // for pd_flame_name
	uint32_t parent;
	uint32_t child;    // first child
	uint32_t next;     // next sibling
	uint32_t last;     // last child
	uint32_t depth;
	uint64_t total[2]; // inclusive counts (before, after), after finish
	uint64_t self[2];  // counts of stacks ending here
};

enum pd_flame_sort {
	PD_FLAME_SORT_NAME,   // siblings by name bytes, like flamegraph.pl
	PD_FLAME_SORT_WEIGHT, // widest sibling first, then by name
};

// reverse: leaf frame first. chart: keep input order and merge a stack
// only with the previous one (a flame chart). Never NULL (exit 71 on OOM).
struct pd_flame *pd_flame_create(bool reverse, bool chart);
void pd_flame_destroy(struct pd_flame *f); // NULL is fine

// Adds one stack "frame;frame;..." of len bytes with its counts.
void pd_flame_add(struct pd_flame *f, const char *stack, size_t len,
	uint64_t c0, uint64_t c1);

// Keeps one stack "frame;frame;..." of len bytes with its counts c[0, 2)
// (before, after) for pd_flame_build, as the ids of its frames' names:
// equal stacks are merged, and the text is not kept. A flame is filled
// either by pd_flame_add or by pd_flame_collect, never both.
void pd_flame_collect(struct pd_flame *f, const char *stack, size_t len,
	const uint64_t *c);
// A folded-read callback (pd_folded_fn) for ctx, a flame: the line's
// stack with its first two counts (the second 0 if it has one), added
// as it comes in a flame chart, else collected.
void pd_flame_line(void *ctx, const char *stack, size_t len,
	const uint64_t *c, size_t n);
// Sums the two columns over the stacks collected into total[0, 2); false
// if a sum or a merged count did not fit 64 bits (saturated). Before
// pd_flame_build, which lets the stacks go.
bool pd_flame_totals(const struct pd_flame *f, uint64_t *total);

// Whether a node with this total (of the count pd_flame_build was given)
// gets children: false for frames too narrow to draw.
typedef bool pd_flame_keep_fn(void *ctx, uint64_t total);

// Builds the tree of f from every stack collected, top-down, leaving out
// the children of nodes keep rejects; much faster than pd_flame_add per
// stack when most frames are too narrow to draw. Add nothing after.
// Frees the stacks collected.
void pd_flame_build(struct pd_flame *f, int col, pd_flame_keep_fn *keep,
	void *ctx);

// Largest |self[1] - self[0]| over all stacks, after build or finish.
uint64_t pd_flame_max_delta(const struct pd_flame *f);

// Call once after the last add: sums the inclusive totals and orders every
// node's children (col picks the count for WEIGHT; a chart keeps its order).
void pd_flame_finish(struct pd_flame *f, enum pd_flame_sort by, int col);

// Nodes, valid until the next add or destroy.
size_t pd_flame_size(const struct pd_flame *f);
const struct pd_flame_node *pd_flame_nodes(const struct pd_flame *f);

// Interned names 0..pd_flame_names()-1, borrowed from f (not NUL-terminated).
size_t pd_flame_names(const struct pd_flame *f);
const char *pd_flame_name(const struct pd_flame *f, uint32_t id, size_t *len);

#endif
