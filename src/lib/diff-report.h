// SPDX-License-Identifier: MIT
// pd-diff's statistics: per-function self and total shares of a
// differential over one or more runs per side, a test per share, FDR
// q-values, verdicts, the CI gate's rules, and the JSON and Markdown
// report writers.
#ifndef PD_DIFF_REPORT_H
#define PD_DIFF_REPORT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

struct pd_profile;

// A gate rule: functions whose name matches regex (all functions for
// --fail-above) fail when a share grows by more than points.
struct pd_diff_rule {
	char *text; // the option as given, for messages and the report
	bool any;   // --fail-above: no regex
	regex_t re;
	double points;
};

// Parses --fail-if's "REGEX:+PCT" (split at the last ':', '+' optional);
// reports what is wrong via warnx and returns PD_EUSAGE.
enum pd_status pd_diff_rule_parse(struct pd_diff_rule *r, const char *spec);
// The rule of --fail-above PCT.
void pd_diff_rule_above(struct pd_diff_rule *r, double points);
void pd_diff_rule_finish(struct pd_diff_rule *r);

struct pd_diff_config {
	double alpha;     // significance level, after the FDR correction
	double min_delta; // percentage points below which nothing is flagged
	// Shares whose mean over all runs (both sides) is below this percent
	// are not tested (independent filtering).
	double min_share;
	// Rules in order: a function is judged by the first --fail-if rule
	// that matches its name, else by a --fail-above rule.
	const struct pd_diff_rule *rules;
	size_t nrules;
	const char *const *files; // the input of each column, for the report
	size_t nbase, nnew;       // columns 0..nbase-1 base, then new
};

enum pd_diff_format {
	PD_DIFF_JSON,
	PD_DIFF_MARKDOWN,
};

// Opaque; holds the tested functions and the gate's outcome.
struct pd_diff_report;

// Tests every function of p (columns as in c, every column's total > 0;
// c and its strings must outlive the report). Never NULL.
struct pd_diff_report *pd_diff_report_create(const struct pd_profile *p,
	const struct pd_diff_config *c);
void pd_diff_report_destroy(struct pd_diff_report *r); // NULL is fine

// The failed (function, share) pairs; failure i's function name and
// whether it was the total share (else self).
size_t pd_diff_report_failures(const struct pd_diff_report *r);
const char *pd_diff_report_failure(const struct pd_diff_report *r, size_t i,
	bool *total);
// One warnx line per failure (at most 10, then a count).
void pd_diff_report_warn(const struct pd_diff_report *r);

// Errors are left in ferror(f).
void pd_diff_report_write(FILE *f, const struct pd_diff_report *r,
	enum pd_diff_format fmt);

// What pd-svg reads back from a JSON report: the functions whose self
// share changed significantly (verdict slower or faster).
struct pd_diff_marks;

// Reads the report at path. Reports "path:line: why" (or "path: why") via
// warnx and returns PD_ENOINPUT or PD_EDATA on failure.
enum pd_status pd_diff_marks_read(const char *path, struct pd_diff_marks **m);
void pd_diff_marks_destroy(struct pd_diff_marks *m); // NULL is fine
// Whether the frame name s[0, len) (as in the folded input: ill-formed
// UTF-8 is matched as the report wrote it, U+FFFD) changed significantly.
bool pd_diff_marks_significant(struct pd_diff_marks *m, const char *s,
	size_t len);
// The report's alpha.
double pd_diff_marks_alpha(const struct pd_diff_marks *m);

struct pd_flame;
// By name id of f, whether its frames are drawn grey: names that did not
// change significantly, or are not in the report. Caller frees.
bool *pd_diff_marks_grey(struct pd_diff_marks *m, const struct pd_flame *f);

#endif
