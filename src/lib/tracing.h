// SPDX-License-Identifier: MIT
// Tracepoint formats: the tracing data perf stores (feature TRACING_DATA or
// a pipe's HEADER_TRACING_DATA record) read with bounds checks, its event
// formats parsed by libtraceevent, and PERF_SAMPLE_RAW payloads decoded
// field by field through them.
#ifndef PD_TRACING_H
#define PD_TRACING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "strbuf.h"

// Opaque; owns a libtraceevent handle.
struct pd_tracing;

struct pd_tracing *pd_tracing_create(void);
void pd_tracing_destroy(struct pd_tracing *t); // NULL is fine

// Reads one tracing data blob of len bytes (off: its offset in the input,
// for messages). Only the first blob handed over is read. Never fails
// outright: what could not be read is kept as the first problem
// (pd_tracing_problem) and the formats read before it stay usable.
void pd_tracing_read(struct pd_tracing *t, const uint8_t *blob, size_t len,
	uint64_t off);
// Whether a blob was handed over.
bool pd_tracing_present(const struct pd_tracing *t);
// The problem that stopped reading the blob ("tracing data: ..."), with
// the input offset it concerns; NULL if none.
const char *pd_tracing_problem(const struct pd_tracing *t, uint64_t *off);
// The first event format libtraceevent could not parse (the others were
// read), in the same form; NULL if none.
const char *pd_tracing_format_problem(const struct pd_tracing *t,
	uint64_t *off);

// The kernel symbol holding addr from the kallsyms text the tracing data
// may carry (perf wrote one until 2019): its name and start; false if none.
bool pd_tracing_kernel_symbol(struct pd_tracing *t, uint64_t addr,
	const char **name, uint64_t *start);

// A tracepoint: the format of tracepoint id (a tracepoint event's config).
struct pd_tp;
// NULL if the tracing data holds no usable format for id.
struct pd_tp *pd_tracing_tp(struct pd_tracing *t, uint64_t id);
const char *pd_tp_system(const struct pd_tp *tp);
const char *pd_tp_name(const struct pd_tp *tp);
// Writes one line per field of tp: a tab, the name, a tab, the type as
// the format gives it ("char[16]", "__data_loc char[]", "pid_t"...).
void pd_tp_list_fields(const struct pd_tp *tp, FILE *out);

// A field of tp by name (common_* fields included); -1 if it has none.
// Fields are numbered from 0 to pd_tp_nfields() - 1, common ones first.
int pd_tp_field(const struct pd_tp *tp, const char *name);
int pd_tp_nfields(const struct pd_tp *tp);
// Whether field f holds a number (not an array or string).
bool pd_tp_field_is_number(const struct pd_tp *tp, int f);

// Field f of the raw payload raw[0, size) as a number; false if it does
// not fit in raw or is no number. Signed fields are sign-extended (*neg
// tells; *v then holds the two's complement).
bool pd_tp_number(const struct pd_tp *tp, int f, const uint8_t *raw,
	size_t size, uint64_t *v, bool *neg);

// Appends field f of raw[0, size) to b as perf script prints it (through
// the event's print format); strings are cut at their NUL or their end.
// A field the format prints as a kernel symbol (%pS, %ps) is appended as
// PD_TP_SYMBOL, 16 hex digits and 'S' (with an offset) or 's', to be
// named once kernel symbols are at hand (pd_tp_symbol_text). Returns
// false, appending nothing, if the field does not fit in raw.
#define PD_TP_SYMBOL '\x01'
bool pd_tp_text(struct pd_tracing *t, const struct pd_tp *tp, int f,
	const uint8_t *raw, size_t size, struct pd_strbuf *b);
// Turns a PD_TP_SYMBOL mark at s[0, len) (as pd_tp_text wrote it) into
// its text, from name and start (NULL: unknown, shown as 0xADDR) as
// symbol lookup gave them for the address. Returns the address of a mark
// in *addr.
bool pd_tp_symbol_addr(const char *s, size_t len, uint64_t *addr);
void pd_tp_symbol_text(struct pd_strbuf *b, const char *s, size_t len,
	const char *name, uint64_t start);

// The state a task left the CPU in, from a sched_switch-like payload:
// field f (prev_state) shown with the letters of the format's own
// __print_flags table ("S", "D", "R+" for preempted...), as perf prints
// it; a number if the format has no such table. False if f does not fit.
bool pd_tp_task_state(const struct pd_tp *tp, int f, const uint8_t *raw,
	size_t size, struct pd_strbuf *b);

#endif
