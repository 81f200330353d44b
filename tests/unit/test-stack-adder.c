// SPDX-License-Identifier: MIT
// Unit test of the stack adder (src/lib/stack-adder.c): the same random
// operations, on two tables, applied by the test itself and through the
// adder in four ways (its thread adding every batch, the caller adding
// every batch as when busy, the two taking turns, and no busy callback)
// must give the same tables: the same stacks, numbered alike, with the
// same weights, halfway through and at the end.
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stack-adder.h"
#include "stacks.h"

#define OPS 60000
#define TABLES 2

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void) {
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct op {
	int table;
	bool bump;
	uint32_t slot;   // PD_ADDER_SLOTS: none
	uint64_t weight;
	uint32_t *ids;
	size_t n;
};

static struct op ops[OPS];

// Operations as pd-collapse queues them: short stacks over few ids (so
// that they repeat), now and then a long one; a bump only of a slot kept
// for the same table.
static void make_ops(void) {
	int kept[PD_ADDER_SLOTS];
	memset(kept, -1, sizeof(kept));
	for (size_t i = 0; i < OPS; i++) {
		struct op *o = &ops[i];
		o->table = (int)(next() % TABLES);
		o->weight = next() % 1000;
		uint32_t slot = (uint32_t)(next() % PD_ADDER_SLOTS);
		if (next() % 3 == 0 && kept[slot] == o->table) {
			o->bump = true;
			o->slot = slot;
			continue;
		}
		o->slot = next() % 2 ? slot : PD_ADDER_SLOTS;
		if (o->slot < PD_ADDER_SLOTS) {
			kept[slot] = o->table;
		}
		o->n = i % 5000 == 17 ? PD_ADDER_IDS_MAX - next() % 50
			: (size_t)(next() % 12);
		o->ids = malloc((o->n + 1) * sizeof(*o->ids));
		for (size_t k = 0; k < o->n; k++) {
			o->ids[k] = (uint32_t)(next() % 4);
		}
	}
}

// Applies ops[0, upto) to the tables t.
static void reference(struct pd_stacks **t, size_t upto) {
	uint32_t slots[PD_ADDER_SLOTS] = {0};
	for (size_t i = 0; i < upto; i++) {
		const struct op *o = &ops[i];
		if (o->bump) {
			pd_stacks_bump(t[o->table], slots[o->slot], 0,
				o->weight);
			continue;
		}
		uint32_t s = pd_stacks_add(t[o->table], o->ids, o->n,
			&o->weight);
		if (o->slot < PD_ADDER_SLOTS) {
			slots[o->slot] = s;
		}
	}
}

static bool same(struct pd_stacks *x, struct pd_stacks *y) {
	if (pd_stacks_size(x) != pd_stacks_size(y)) {
		return false;
	}
	for (uint32_t i = 0; i < pd_stacks_size(x); i++) {
		size_t nx, ny;
		const uint32_t *a = pd_stacks_ids(x, i, &nx);
		const uint32_t *b = pd_stacks_ids(y, i, &ny);
		if (nx != ny || (nx && memcmp(a, b, nx * sizeof(*a)) != 0)
				|| pd_stacks_weights(x, i)[0]
				!= pd_stacks_weights(y, i)[0]) {
			return false;
		}
	}
	return true;
}

static unsigned calls;

static bool never(void *arg) {
	(void)arg;
	return false;
}

static bool always(void *arg) {
	(void)arg;
	return true;
}

static bool turns(void *arg) {
	(void)arg;
	return ++calls % 3 == 0;
}

static struct pd_stacks *half[TABLES]; // ops[0, OPS / 2] applied

static void through(struct pd_stacks **t, bool (*busy)(void *)) {
	struct pd_adder *a = pd_adder_create(busy, NULL);
	CHECK(a != NULL);
	if (!a) {
		return;
	}
	for (size_t i = 0; i < OPS; i++) {
		const struct op *o = &ops[i];
		if (o->bump) {
			pd_adder_bump(a, t[o->table], o->slot, o->weight);
		} else {
			pd_adder_add(a, t[o->table], o->ids, o->n, o->weight,
				o->slot);
		}
		if (i == OPS / 2) {
			// Read while the adder is idle, then queue again.
			pd_adder_wait(a);
			for (int k = 0; k < TABLES; k++) {
				CHECK(same(half[k], t[k]));
			}
		}
	}
	pd_adder_destroy(a); // waits for the rest
}

int main(void) {
	setenv("PD_THREADS", "2", 1); // an adder thread even on one CPU
	make_ops();
	struct pd_stacks *want[TABLES];
	for (int k = 0; k < TABLES; k++) {
		want[k] = pd_stacks_create(1);
		half[k] = pd_stacks_create(1);
	}
	reference(want, OPS);
	reference(half, OPS / 2 + 1);
	// The operations make both repeated and new stacks.
	CHECK(pd_stacks_size(want[0]) > 1000);
	CHECK(pd_stacks_size(want[0]) < OPS / TABLES);
	bool (*modes[])(void *) = {never, always, turns, NULL};
	for (size_t m = 0; m < sizeof(modes) / sizeof(*modes); m++) {
		struct pd_stacks *got[TABLES];
		for (int k = 0; k < TABLES; k++) {
			got[k] = pd_stacks_create(1);
		}
		through(got, modes[m]);
		for (int k = 0; k < TABLES; k++) {
			if (!same(want[k], got[k])) {
				fprintf(stderr, "way %zu, table %d differs\n",
					m, k);
				check_failures++;
			}
			pd_stacks_destroy(got[k]);
		}
	}
	setenv("PD_THREADS", "1", 1);
	CHECK(pd_adder_create(never, NULL) == NULL);
	for (int k = 0; k < TABLES; k++) {
		pd_stacks_destroy(want[k]);
		pd_stacks_destroy(half[k]);
	}
	for (size_t i = 0; i < OPS; i++) {
		free(ops[i].ids);
	}
	return check_status();
}
