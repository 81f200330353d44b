// SPDX-License-Identifier: MIT
// perf's event order (tools/perf/util/ordered-events.c): records are
// queued and handed out sorted by time, a round at a time, from any
// number of inputs at once.
#ifndef PD_PERF_ORDER_H
#define PD_PERF_ORDER_H

#include <stdbool.h>

#include "perf-input.h"
#include "perf.h"

// Opaque; owns the copies of queued records and references to the input
// blocks others stay in.
struct pd_order;

struct pd_order *pd_order_create(void);
void pd_order_destroy(struct pd_order *o); // NULL is fine

// Adds the input that records with file == n (the number of inputs
// added before it) come from (borrowed). Records of a mapped input are
// queued in place, and its pages are given back once no queued record
// needs them; those of an input read in blocks, in place too, each with
// a reference to its block (pd_input_hold), up to MAX_HELD bytes of
// blocks (then copied).
void pd_order_add_input(struct pd_order *o, struct pd_input *in);

// Queues a record with the time of rec->time, as its input delivered it
// (no fill of that input since); records of equal time keep the order
// they were queued in. Under memory pressure the older half of
// the queue becomes ready, and it returns true.
bool pd_order_queue(struct pd_order *o, const struct pd_record *rec);
// A FINISHED_ROUND: what is older than the previous round's newest
// record becomes ready.
void pd_order_round(struct pd_order *o);
// The end: everything queued becomes ready.
void pd_order_flush(struct pd_order *o);
// Hands out the next ready record (type, misc, size, data, offset,
// compressed and file; data valid until the next call); false if none.
bool pd_order_next(struct pd_order *o, struct pd_record *rec);

#endif
