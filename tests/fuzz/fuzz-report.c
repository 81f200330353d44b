// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as the pd-diff report pd-svg --report reads
// (src/lib/json.c, src/lib/diff-report-read.c), as a folded profile
// through the report's statistics and both writers, and as folded files
// through pd-diff's merge of sorted files and hash table of unsorted ones
// (src/lib/diff-files.c).
#include <stdint.h>
#include <stdio.h>

#include "diff-report.h"
#include "diff.h"
#include "json.h"
#include "memfile.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void marks(const char *path) {
	struct pd_diff_marks *m;
	if (pd_diff_marks_read(path, &m) == PD_OK) {
		pd_diff_marks_significant(m, "a", 1);
		pd_diff_marks_significant(m, "\xff\xfe", 2);
		pd_diff_marks_destroy(m);
	}
}

// The same bytes as two runs per side of a folded profile.
static void report(const char *path) {
	struct pd_profile *p = pd_profile_create(4);
	for (size_t k = 0; k < 4; k++) {
		if (pd_profile_load(p, path, k, 0) != PD_OK) {
			pd_profile_destroy(p);
			return;
		}
	}
	uint64_t t[4];
	if (pd_profile_totals(p, t) && t[0] > 0) {
		const char *files[] = {"a", "b", "c", "d"};
		struct pd_diff_rule rule;
		pd_diff_rule_above(&rule, 0);
		struct pd_diff_config c = {.alpha = 0.05, .rules = &rule,
			.nrules = 1, .files = files, .nbase = 2, .nnew = 2};
		struct pd_diff_report *r = pd_diff_report_create(p, &c);
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			pd_diff_report_write(out, r, PD_DIFF_JSON);
			pd_diff_report_write(out, r, PD_DIFF_MARKDOWN);
			fclose(out);
		}
		pd_diff_report_destroy(r);
		pd_diff_rule_finish(&rule);
	}
	pd_profile_destroy(p);
}

// The bytes as base and new runs: the same file twice a side, and the
// file against its second half (sorted input takes the merge, other
// input the hash table, a malformed line the stack table).
static void merge(const char *path, const char *half) {
	FILE *out = fopen("/dev/null", "w");
	if (!out) {
		return;
	}
	const char *two[] = {path, path};
	pd_diff_files(out, two, 2, 1, false);
	const char *other[] = {path, half};
	pd_diff_files(out, other, 2, 1, false);
	const char *four[] = {half, path, path, half};
	pd_diff_files(out, four, 4, 2, true);
	fclose(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	unsigned long line;
	const char *why;
	pd_json_free(pd_json_parse((const char *)data, size, &line, &why));
	struct memfile in, half;
	if (!memfile_open(&in, "report.json", data, size)) {
		return 0;
	}
	marks(in.path);
	report(in.path);
	bool halved = memfile_open(&half, "half.folded", data + size / 2,
		size - size / 2);
	merge(in.path, halved ? half.path : in.path);
	if (halved) {
		memfile_close(&half);
	}
	memfile_close(&in);
	return 0;
}
