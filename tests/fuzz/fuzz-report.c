// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as the pd-diff report pd-svg --report reads
// (src/lib/json.c, src/lib/diff-report-read.c), as a folded profile
// through the report's statistics and both writers, and as folded files
// through pd-diff's merge of sorted files and hash table of unsorted ones
// (src/lib/diff-files.c).
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff-report.h"
#include "diff.h"
#include "json.h"
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
	int fd = memfd_create("report.json", 0);
	if (fd < 0) {
		return 0;
	}
	if (write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		marks(path);
		report(path);
		int hfd = memfd_create("half.folded", 0);
		char half[64];
		snprintf(half, sizeof(half), "%s", path);
		if (hfd >= 0 && write(hfd, data + size / 2, size - size / 2)
				== (ssize_t)(size - size / 2)) {
			snprintf(half, sizeof(half), "/proc/self/fd/%d", hfd);
		}
		merge(path, half);
		if (hfd >= 0) {
			close(hfd);
		}
	}
	close(fd);
	return 0;
}
