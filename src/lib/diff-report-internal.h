// SPDX-License-Identifier: MIT
// What diff-report.c computes and diff-report-write.c writes.
#ifndef PD_DIFF_REPORT_INTERNAL_H
#define PD_DIFF_REPORT_INTERNAL_H

#include <stdint.h>

#include "diff-report.h"
#include "stats.h"

enum verdict {
	UNCHANGED, // the whole interval within +-min_delta
	CANT_TELL, // neither flagged nor shown unchanged
	SLOWER,    // share grew: q <= alpha and delta >= min_delta
	FASTER,    // share shrank likewise
	UNTESTED,  // mean share over all runs below min_share
};

enum { SELF, TOTAL };

// One share (self or total) of one function, in percent of each run's
// samples and percentage points.
struct measure {
	double mean[2], sd[2]; // per side over its runs; sd NAN for one run
	struct pd_stats_test t;
	double q;
	enum verdict v;
};

struct func {
	const char *name; // NUL-terminated, owned by the report's texts
	size_t len;
	struct measure m[2];
	enum verdict v;
};

struct failure {
	uint32_t func;
	int measure;
	size_t rule;
};

struct pd_diff_report {
	const struct pd_diff_config *c;
	struct pd_texts *names;
	bool welch; // else two-proportion on summed counts
	size_t ntests;
	uint64_t *totals; // per column
	struct func *f;   // sorted for writing
	size_t nf;
	struct failure *fail;
	size_t nfail;
};

const char *pd_diff_verdict_name(enum verdict v);

#endif
