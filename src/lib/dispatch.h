// SPDX-License-Identifier: MIT
// The read loop: every record of a perf.data stream, in perf's order, to
// the one who needs it. Side-band records (COMM, FORK, EXIT, MMAP...) keep
// the process and map timeline; samples and lost counts go to callbacks,
// each seeing the timeline as it was at its time.
#ifndef PD_DISPATCH_H
#define PD_DISPATCH_H

#include "maps.h"
#include "perf.h"
#include "status.h"

struct pd_dispatch_ops {
	void (*sample)(void *arg, struct pd_perf *r, const struct pd_sample *s);
	void (*lost)(void *arg, const struct pd_record *rec); // may be NULL
	void (*progress)(void *arg, struct pd_perf *r);       // may be NULL
	// Every other record (SWITCH, EXIT...), after the timeline has it;
	// may be NULL.
	void (*record)(void *arg, struct pd_perf *r, const struct pd_record *rec);
};

// Reads r to its end. Returns PD_OK at the end of the data or the
// reader's error (already reported); what was delivered stays valid.
enum pd_status pd_dispatch(struct pd_perf *r, struct pd_maps *maps,
	const struct pd_dispatch_ops *ops, void *arg);

#endif
