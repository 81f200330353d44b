// SPDX-License-Identifier: MIT
// Off-CPU accounting: a thread that leaves the CPU (a sched_switch sample)
// is charged the time until it runs again, to the stack it left with.
// It runs again at a PERF_RECORD_SWITCH(_CPU_WIDE) switch-in record
// (perf record --switch-events) or at a sched_switch whose next_pid it is
// (system-wide recordings see every switch). Stacks are the caller's
// numbers; charges go to a callback, in nanoseconds.
#ifndef PD_OFFCPU_H
#define PD_OFFCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "perf.h"

enum {
	PD_REC_SWITCH = 14,
	PD_REC_SWITCH_CPU_WIDE = 15,
	PD_MISC_SWITCH_OUT = 1 << 13,
};

struct pd_offcpu_stats {
	uint64_t out;        // switch-outs of threads (not the idle task)
	uint64_t charged;    // of those, matched by a switch-in
	uint64_t replaced;   // switched out again before any switch-in
	uint64_t at_end;     // still off CPU at the end, charged up to it
	uint64_t switch_records; // PERF_RECORD_SWITCH(_CPU_WIDE) seen
	uint64_t idle;       // switch-outs of the idle task (system-wide)
};

// charge(arg, stack, ns): stack was off CPU for ns more nanoseconds.
typedef void (*pd_offcpu_charge_fn)(void *arg, uint32_t stack, uint64_t ns);

struct pd_offcpu;

struct pd_offcpu *pd_offcpu_create(pd_offcpu_charge_fn charge, void *arg);
void pd_offcpu_destroy(struct pd_offcpu *o); // NULL is fine

// Thread tid left the CPU at time with stack (tid 0, the idle task, is
// not charged). dead: it left for good (state X or Z), nothing to charge.
void pd_offcpu_out(struct pd_offcpu *o, uint32_t tid, uint64_t time,
	uint32_t stack, bool dead);
// Thread tid runs again at time: its pending stack is charged.
void pd_offcpu_in(struct pd_offcpu *o, uint32_t tid, uint64_t time);
// Any record: switch-in records charge, EXIT forgets the thread (and
// its later switch-outs, until a FORK makes the tid again); every
// timestamp moves the end of the recording.
void pd_offcpu_record(struct pd_offcpu *o, const struct pd_record *rec);
// A time seen (samples): moves the end of the recording.
void pd_offcpu_time(struct pd_offcpu *o, uint64_t time);
// Charges threads still off CPU up to the last time seen (once).
void pd_offcpu_finish(struct pd_offcpu *o);

const struct pd_offcpu_stats *pd_offcpu_stats(const struct pd_offcpu *o);

#endif
