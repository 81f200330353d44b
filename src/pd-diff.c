// SPDX-License-Identifier: MIT
// pd-diff: pair folded profiles as "stack before after" lines; with several
// runs per side, test each function's change and gate on regressions.
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diff-report.h"
#include "diff.h"
#include "folded-read.h"
#include "pipes.h"
#include "profile.h"
#include "status.h"
#include "alloc.h"

static const char usage[] =
	"usage: pd-diff [options] before.folded after.folded\n"
	"       pd-diff [options] base.folded... -- new.folded...\n";

static const char help[] =
	"Pair folded profiles as \"stack before after\" lines (\"-\" = stdin,\n"
	"once); with several runs per side, sum each side's runs (each scaled\n"
	"to equal weight) and test every function's self and total share.\n"
	"      --alpha A           significance level after the FDR correction\n"
	"                          (default 0.05)\n"
	"      --fail-above PCT    exit 1 if a share grew by more than PCT points\n"
	"                          (significantly)\n"
	"      --fail-if RE:+PCT   the same for functions matching RE (repeatable;\n"
	"                          the first match wins over --fail-above)\n"
	"  -h, --help              show this help and exit\n"
	"      --min-delta PCT     never flag changes below PCT points (default 0)\n"
	"      --min-share PCT     test only shares of at least PCT% on average\n"
	"                          (default 0.1)\n"
	"  -n, --normalize         scale the base side to the new side's total\n"
	"      --report FILE       write per-function statistics to FILE\n"
	"      --report-format F   json or md (default: from FILE's extension)\n"
	"  -s, --strip-hex         replace hex addresses (0x1a2b) by 0x... first\n"
	"      --version           print the version and exit\n";

enum {
	OPT_ALPHA = 256, OPT_FAIL_ABOVE, OPT_FAIL_IF, OPT_MIN_DELTA,
	OPT_MIN_SHARE, OPT_REPORT,
	OPT_REPORT_FORMAT, OPT_VERSION,
};

struct args {
	bool normalize;
	unsigned flags;
	const char *report, *format;
	struct pd_diff_config c;
	struct pd_diff_rule *rules;
	size_t nrules, rules_cap;
	const char **files; // base files, then new ones
	size_t nfiles, files_cap;
	bool split;   // "--" seen: files from nbase on are new
	size_t nbase;
};

static bool number(const char *opt, const char *s, double min, double max,
		bool open, double *v) {
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(*v) || *v < min || *v > max
			|| (open && (*v == min || *v == max))) {
		warnx("--%s: invalid value: %s", opt, s);
		return false;
	}
	return true;
}

static void add_file(struct args *a, const char *path) {
	pd_xgrow(&a->files, &a->files_cap, a->nfiles + 1, sizeof(*a->files));
	a->files[a->nfiles++] = path;
}

static struct pd_diff_rule *add_rule(struct args *a) {
	pd_xgrow(&a->rules, &a->rules_cap, a->nrules + 1, sizeof(*a->rules));
	return &a->rules[a->nrules++];
}

// Options and files in order ("-" in the optstring): files before "--"
// are the base runs, those after it the new ones.
static enum pd_status parse(struct args *a, int argc, char *argv[]) {
	static const struct option longopts[] = {
		{"alpha", required_argument, NULL, OPT_ALPHA},
		{"fail-above", required_argument, NULL, OPT_FAIL_ABOVE},
		{"fail-if", required_argument, NULL, OPT_FAIL_IF},
		{"help", no_argument, NULL, 'h'},
		{"min-delta", required_argument, NULL, OPT_MIN_DELTA},
		{"min-share", required_argument, NULL, OPT_MIN_SHARE},
		{"normalize", no_argument, NULL, 'n'},
		{"report", required_argument, NULL, OPT_REPORT},
		{"report-format", required_argument, NULL, OPT_REPORT_FORMAT},
		{"strip-hex", no_argument, NULL, 's'},
		{"version", no_argument, NULL, OPT_VERSION},
		{0},
	};
	double v;
	int opt;
	while ((opt = getopt_long(argc, argv, "-hns", longopts, NULL)) != -1) {
		bool ok = true;
		switch (opt) {
		case 1:
			add_file(a, optarg);
			break;
		case OPT_ALPHA:
			ok = number("alpha", optarg, 0, 1, true, &a->c.alpha);
			break;
		case OPT_FAIL_ABOVE:
			ok = number("fail-above", optarg, 0, 100, false, &v);
			if (ok) {
				pd_diff_rule_above(add_rule(a), v);
			}
			break;
		case OPT_FAIL_IF:
			ok = pd_diff_rule_parse(add_rule(a), optarg) == PD_OK;
			a->nrules -= !ok;
			break;
		case 'h':
			fputs(usage, stdout);
			fputs(help, stdout);
			return PD_FOUND; // done: exit 0
		case OPT_MIN_DELTA:
			ok = number("min-delta", optarg, 0, 100, false,
				&a->c.min_delta);
			break;
		case OPT_MIN_SHARE:
			ok = number("min-share", optarg, 0, 100, false,
				&a->c.min_share);
			break;
		case 'n':
			a->normalize = true;
			break;
		case OPT_REPORT:
			a->report = optarg;
			break;
		case OPT_REPORT_FORMAT:
			a->format = optarg;
			ok = strcmp(optarg, "json") == 0 || strcmp(optarg, "md") == 0;
			if (!ok) {
				warnx("--report-format: expected json or md: %s", optarg);
			}
			break;
		case 's':
			a->flags |= PD_FOLDED_STRIP_HEX;
			break;
		case OPT_VERSION:
			puts("pd-diff " PD_VERSION);
			return PD_FOUND;
		default: // getopt has already named the bad option
			ok = false;
			fputs(usage, stderr);
		}
		if (!ok) {
			return PD_EUSAGE;
		}
	}
	// getopt stops at "--" with optind just past it.
	a->split = optind < argc || (optind > 1 && optind == argc
		&& strcmp(argv[argc - 1], "--") == 0 && optarg != argv[argc - 1]);
	a->nbase = a->nfiles;
	for (int i = optind; i < argc; i++) {
		add_file(a, argv[i]);
	}
	return PD_OK;
}

// The files' layout: two files, or BASE... -- NEW...; "-" at most once.
static bool check_files(struct args *a) {
	if (a->split && a->nbase == 0 && a->nfiles == 2) {
		a->split = false; // "pd-diff -- a b": the two-file form
	}
	if (!a->split) {
		a->nbase = 1;
	}
	size_t stdins = 0;
	for (size_t i = 0; i < a->nfiles; i++) {
		stdins += strcmp(a->files[i], "-") == 0;
	}
	bool two = !a->split && a->nfiles == 2;
	bool runs = a->split && a->nbase > 0 && a->nfiles > a->nbase;
	return (two || runs) && stdins <= 1;
}

static enum pd_status check_report(struct args *a, enum pd_diff_format *fmt) {
	const char *f = a->format;
	if (!a->report) {
		if (f) {
			warnx("--report-format: needs --report");
			return PD_EUSAGE;
		}
		return PD_OK;
	}
	const char *dot = strrchr(a->report, '.');
	if (!f && dot && (strcmp(dot, ".json") == 0 || strcmp(dot, ".md") == 0)) {
		f = dot + 1;
	}
	if (!f) {
		warnx("--report: %s: name ends in neither .json nor .md (use "
			"--report-format)", a->report);
		return PD_EUSAGE;
	}
	*fmt = strcmp(f, "json") == 0 ? PD_DIFF_JSON : PD_DIFF_MARKDOWN;
	return PD_OK;
}

// Tests the functions, writes the report and says what failed.
static enum pd_status report(struct args *a, const struct pd_profile *p,
		enum pd_diff_format fmt) {
	uint64_t *t = pd_xcalloc(a->nfiles, sizeof(*t));
	pd_profile_totals(p, t);
	for (size_t k = 0; k < a->nfiles; k++) {
		if (t[k] == 0) {
			warnx("%s: no samples to compare", strcmp(a->files[k], "-")
				? a->files[k] : "<stdin>");
			free(t);
			return PD_EDATA;
		}
	}
	free(t);
	a->c.rules = a->rules;
	a->c.nrules = a->nrules;
	a->c.files = a->files;
	a->c.nbase = a->nbase;
	a->c.nnew = a->nfiles - a->nbase;
	struct pd_diff_report *r = pd_diff_report_create(p, &a->c);
	enum pd_status st = PD_OK;
	if (a->report) {
		FILE *f = fopen(a->report, "w");
		if (!f) {
			warn("%s", a->report);
			st = PD_EIO;
		} else {
			pd_diff_report_write(f, r, fmt);
			if (ferror(f) | fclose(f)) {
				warn("%s", a->report);
				st = PD_EIO;
			}
		}
	}
	if (st == PD_OK && pd_diff_report_failures(r)) {
		pd_diff_report_warn(r);
		st = PD_FOUND;
	}
	pd_diff_report_destroy(r);
	return st;
}

static enum pd_status run(struct args *a, enum pd_diff_format fmt) {
	if (!a->report && !a->nrules && !(a->flags & PD_FOLDED_STRIP_HEX)) {
		// No statistics: stacks need neither a table nor frames.
		enum pd_status st = pd_diff_files(stdout, a->files, a->nfiles,
			a->nbase, a->normalize);
		return st == PD_OK ? pd_stdout_close() : st;
	}
	// One table for all runs: memory grows with the distinct stacks.
	struct pd_profile *p = pd_profile_create(a->nfiles);
	enum pd_status st = PD_OK;
	for (size_t k = 0; st == PD_OK && k < a->nfiles; k++) {
		st = pd_profile_load(p, a->files[k], k, a->flags);
	}
	// The report first: "pd-diff --report r.json ... | pd-svg --report
	// r.json" reads it once its input has ended.
	enum pd_status gate = PD_OK;
	if (st == PD_OK && (a->report || a->nrules)) {
		gate = report(a, p, fmt);
		st = gate == PD_FOUND ? PD_OK : gate;
	}
	if (st == PD_OK) {
		st = pd_diff_write(stdout, p, a->nbase, a->normalize);
	}
	if (st == PD_OK) {
		st = pd_stdout_close();
	}
	pd_profile_destroy(p);
	return st == PD_OK ? gate : st;
}

int main(int argc, char *argv[]) {
	struct args a = {.c = {.alpha = 0.05, .min_share = 0.1}};
	pd_pipe_widen(STDIN_FILENO);
	pd_pipe_widen(STDOUT_FILENO);
	enum pd_status st = parse(&a, argc, argv);
	enum pd_diff_format fmt = PD_DIFF_JSON;
	if (st == PD_OK && !check_files(&a)) {
		fputs(usage, stderr);
		st = PD_EUSAGE;
	}
	if (st == PD_OK) {
		st = check_report(&a, &fmt);
	}
	if (st == PD_OK) {
		st = run(&a, fmt);
	} else if (st == PD_FOUND) {
		st = PD_OK; // --help or --version
	}
	for (size_t i = 0; i < a.nrules; i++) {
		pd_diff_rule_finish(&a.rules[i]);
	}
	free(a.rules);
	free(a.files);
	return st;
}
