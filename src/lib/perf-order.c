// SPDX-License-Identifier: MIT
// perf's event order (see perf-order.h). A record may only be overtaken
// by records up to one round later: at a FINISHED_ROUND perf hands out
// what is no newer than the newest record seen before the previous one.
#include "perf-order.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bytes.h"
#include "env.h"

#define MAX_QUEUED (256u << 20) // bytes held by the queue
#define QBLOCK (1u << 20)       // > any record (u16 size)
// Input blocks held by queued records: past this many bytes of them,
// records are copied instead. A block is held whole for any record in
// it, and some inputs leave blocks mostly unqueued (an AUX area's
// payload skipped after a few side-band records, per CPU and round).
// PD_DEBUG_HELD_MAX=BYTES (1 to MAX_HELD) lowers it: for the tests, whose
// files would never reach it.
#define MAX_HELD (32u << 20)

// Queued records stay where they are: in a mapped file, or in the block
// an input read them into (pd_input_hold), which each holds a reference
// to until it is handed out. Others (decompressed ones) are copied into
// blocks of the queue's own, alike.

struct qent {
	uint64_t time, seq, offset;
	uint8_t *data;       // in the mapped file, or inside block
	struct pd_block *block;
	uint32_t file;
	uint16_t size;
	bool compressed;
	bool held;           // block is an input's (counted in held_bytes)
};

struct source {
	struct pd_input *in;
	bool mapped;            // its records are queued in place
	uint64_t low;           // lowest offset of one of them (flush)
};

struct pd_order {
	struct source *inputs;
	size_t ninputs, inputs_cap;
	struct qent *q, *tmp;
	size_t qn, qcap, tmp_cap;
	size_t ready, next;     // q[next, ready) are ready to hand out
	uint64_t qbytes, seq;
	uint64_t max_time, next_flush;
	struct pd_block *fill;  // block new copies go to (a reference)
	struct pd_block *cur;   // block of the record handed out last
	uint64_t held_bytes;    // input blocks held by queued records
	uint64_t max_held;      // MAX_HELD, or PD_DEBUG_HELD_MAX
};

struct pd_order *pd_order_create(void) {
	struct pd_order *o = pd_xcalloc(1, sizeof(struct pd_order));
	o->max_held = pd_env_number("PD_DEBUG_HELD_MAX", MAX_HELD);
	if (!o->max_held) {
		o->max_held = MAX_HELD;
	}
	return o;
}

void pd_order_destroy(struct pd_order *o) {
	if (!o) {
		return;
	}
	for (size_t i = o->next; i < o->qn; i++) {
		pd_block_unref(o->q[i].block);
	}
	pd_block_unref(o->cur);
	pd_block_unref(o->fill);
	free(o->q);
	free(o->tmp);
	free(o->inputs);
	free(o);
}

void pd_order_add_input(struct pd_order *o, struct pd_input *in) {
	pd_xgrow(&o->inputs, &o->inputs_cap, o->ninputs + 1, sizeof(*o->inputs));
	o->inputs[o->ninputs++] = (struct source){in, pd_input_mapped(in), 0};
}

static inline bool before(const struct qent *x, const struct qent *y) {
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

// Sorts the entries not handed out yet, q[next, qn), by (time, seq) and
// moves them to the front. Rounds hold one time-ordered run per CPU
// buffer, so a natural merge sort (merging the runs found) does little
// work; its first pass does the moving, and the buffers trade places
// instead of being copied back.
static void sort_queue(struct pd_order *o) {
	size_t n = o->qn - o->next;
	pd_xgrow(&o->tmp, &o->tmp_cap, n, sizeof(*o->tmp));
	struct qent *a = o->q + o->next, *b = o->tmp;
	for (;;) {
		size_t runs = 0;
		for (size_t lo = 0; lo < n;) {
			size_t mid = lo + 1;
			while (mid < n && !before(&a[mid], &a[mid - 1])) {
				mid++;
			}
			size_t hi = mid;
			if (mid < n) {
				hi = mid + 1;
				while (hi < n && !before(&a[hi], &a[hi - 1])) {
					hi++;
				}
			}
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				b[k++] = before(&a[j], &a[i]) ? a[j++] : a[i++];
			}
			while (i < mid) {
				b[k++] = a[i++];
			}
			while (j < hi) {
				b[k++] = a[j++];
			}
			lo = hi;
			runs++;
		}
		// After the first pass the other buffer is the queue's own
		// array, from its start.
		a = b;
		b = b == o->tmp ? o->q : o->tmp;
		if (runs <= 1) {
			break;
		}
	}
	if (a == o->tmp) {
		struct qent *t = o->q;
		size_t cap = o->qcap;
		o->q = o->tmp;
		o->qcap = o->tmp_cap;
		o->tmp = t;
		o->tmp_cap = cap;
	}
	o->qn = n;
	o->next = 0;
}

// Gives back the mapped pages that no queued record needs, so memory
// stays bounded on big files.
static void release_inputs(struct pd_order *o) {
	for (size_t i = 0; i < o->ninputs; i++) {
		o->inputs[i].low = UINT64_MAX;
	}
	for (size_t i = o->next; i < o->qn; i++) {
		const struct qent *e = &o->q[i];
		if (!e->block && e->offset < o->inputs[e->file].low) {
			o->inputs[e->file].low = e->offset;
		}
	}
	for (size_t i = 0; i < o->ninputs; i++) {
		pd_input_release(o->inputs[i].in, o->inputs[i].low);
	}
}

// Sorts the queue and marks entries with time <= limit ready.
static void flush(struct pd_order *o, uint64_t limit) {
	release_inputs(o);
	if (o->qn == o->next) {
		o->qn = o->next = o->ready = 0;
		return;
	}
	sort_queue(o);
	size_t n = 0;
	while (n < o->qn && o->q[n].time <= limit) {
		n++;
	}
	o->ready = n;
}

void pd_order_round(struct pd_order *o) {
	flush(o, o->next_flush);
	o->next_flush = o->max_time;
}

void pd_order_flush(struct pd_order *o) {
	flush(o, UINT64_MAX);
}

// A copy of rec in a queue block.
static uint8_t *copy_record(struct pd_order *o, const struct pd_record *rec,
		struct pd_block **out) {
	struct pd_block *b = o->fill;
	if (!b || b->cap - b->used < rec->size) {
		if (b && b->refs == 1) {
			b->used = 0; // nothing points into it any more: reuse
		} else {
			pd_block_unref(b);
			o->fill = b = pd_block_new(QBLOCK);
		}
	}
	uint8_t *copy = b->data + b->used;
	b->used += (rec->size + 7u) & ~(size_t)7;
	memcpy(copy, rec->data, rec->size);
	*out = pd_block_ref(b);
	return copy;
}

// rec's bytes where they are, in the block its input read them into (a
// reference to it); NULL if they are not in one, or if holding it would
// take the input blocks held past max_held.
static struct pd_block *held(struct pd_order *o, const struct pd_record *rec) {
	if (rec->file >= o->ninputs || rec->compressed) {
		return NULL;
	}
	struct pd_block *b = pd_input_hold(o->inputs[rec->file].in);
	if (!b) {
		return NULL;
	}
	uintptr_t d = (uintptr_t)rec->data, start = (uintptr_t)b->data;
	if (d < start || rec->size > b->cap || d - start > b->cap - rec->size
			|| (b->users == 0 && o->held_bytes + b->cap > o->max_held)) {
		pd_block_unref(b);
		return NULL;
	}
	if (b->users++ == 0) {
		o->held_bytes += b->cap;
	}
	return b;
}

// An input block's record is no longer queued.
static void unhold(struct pd_order *o, const struct qent *e) {
	if (e->held && --e->block->users == 0) {
		o->held_bytes -= e->block->cap;
	}
}

bool pd_order_queue(struct pd_order *o, const struct pd_record *rec) {
	if (o->qn == o->qcap) {
		pd_xgrow(&o->q, &o->qcap, o->qn + 1, sizeof(*o->q));
	}
	struct qent *e = &o->q[o->qn++];
	*e = (struct qent){
		.time = rec->time,
		.seq = o->seq++,
		.offset = rec->offset,
		.data = (uint8_t *)rec->data,
		.file = rec->file,
		.size = (uint16_t)rec->size,
		.compressed = rec->compressed,
	};
	bool in_place = rec->file < o->ninputs && !rec->compressed
		&& o->inputs[rec->file].mapped;
	if (!in_place) {
		e->block = held(o, rec);
		e->held = e->block != NULL;
		if (!e->held) {
			e->data = copy_record(o, rec, &e->block);
		}
	}
	o->qbytes += rec->size;
	if (rec->time > o->max_time) {
		o->max_time = rec->time;
	}
	if (o->qbytes <= MAX_QUEUED) {
		return false;
	}
	// Memory pressure: hand out the older half, as perf does.
	flush(o, UINT64_MAX);
	o->ready = o->qn / 2;
	return true;
}

// Records come cold from memory (a stack dump is 8 KiB or more): while
// one is processed, the one PREFETCH_AHEAD places on is loaded: its
// header, sample fields, registers and the top of its stack dump, where
// unwinding reads most, and its end (the dump's valid size).
#define PREFETCH_AHEAD 4
#define PREFETCH_BYTES 2048

static void prefetch_record(const struct qent *e) {
	uint32_t n = e->size < PREFETCH_BYTES ? e->size : PREFETCH_BYTES;
	for (uint32_t i = 0; i < n; i += 64) {
		__builtin_prefetch(e->data + i);
	}
	__builtin_prefetch(e->data + e->size - 1);
}

bool pd_order_next(struct pd_order *o, struct pd_record *rec) {
	if (o->next >= o->ready) {
		return false;
	}
	if (o->next + PREFETCH_AHEAD < o->ready) {
		prefetch_record(&o->q[o->next + PREFETCH_AHEAD]);
	}
	struct qent *e = &o->q[o->next++];
	unhold(o, e);
	pd_block_unref(o->cur);
	o->cur = e->block;
	o->qbytes -= e->size;
	*rec = (struct pd_record){
		.type = pd_get_u32(e->data),
		.misc = pd_get_u16(e->data + 4),
		.size = e->size,
		.data = e->data,
		.offset = e->offset,
		.compressed = e->compressed,
		.file = e->file,
	};
	return true;
}
