// SPDX-License-Identifier: MIT
// What a record says about itself: its owning event (by sample id or
// IDENTIFIER), pid, tid and time (sample fields or sample_id trailer),
// and a SAMPLE record's fields (struct pd_sample).
#ifndef PD_PERF_SAMPLE_H
#define PD_PERF_SAMPLE_H

#include "perf-events.h"
#include "perf-input.h"
#include "perf.h"

// Sets rec's event, pid, tid and time from its bytes (-1, -1, -1 and 0
// when it does not say).
void pd_sample_fill_record(const struct pd_events *ev, struct pd_record *rec);

// Parses a SAMPLE record read from in. Reports a malformed one at its
// offset and returns PD_EDATA.
enum pd_status pd_sample_parse(const struct pd_events *ev,
	const struct pd_record *rec, struct pd_sample *s,
	const struct pd_input *in);

#endif
