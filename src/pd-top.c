// SPDX-License-Identifier: MIT
// pd-top: self and total samples per function of folded stacks.
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "folded-read.h"
#include "pipes.h"
#include "status.h"
#include "top.h"

static const char usage[] = "usage: pd-top [options] [file...]\n";

static const char help[] =
	"Self and total samples per function of folded stacks (\"stack count\",\n"
	"or \"stack before after\" from pd-diff) from files or stdin.\n"
	"  -b, --by KIND        rows: function (default; not the first frame,\n"
	"                       the process), frame or module\n"
	"      --callees NAME   what NAME calls, with the samples of each edge\n"
	"      --callers NAME   what calls NAME, with the samples of each edge\n"
	"  -f, --format FORMAT  text (default), tsv, json or markdown\n"
	"  -g, --grep REGEX     share of samples whose stack holds a matching\n"
	"                       function (POSIX extended regex); only those rows\n"
	"  -h, --help           show this help and exit\n"
	"  -m, --min-share PCT  leave out rows whose total share is below PCT\n"
	"  -s, --sort KEY       self (default), total, name, self-delta (default\n"
	"                       for differential input) or total-delta\n"
	"  -n, --top N          at most N rows (default 30 on a terminal, else\n"
	"                       all; 0: all)\n"
	"      --version        print the version and exit\n";

enum { OPT_CALLEES = 256, OPT_CALLERS, OPT_VERSION };

// The index of s in the NULL-terminated list, or -1 after a message.
static int choice(const char *opt, const char *s, const char *const *list) {
	for (int i = 0; list[i]; i++) {
		if (strcmp(s, list[i]) == 0) {
			return i;
		}
	}
	warnx("--%s: unknown value: %s", opt, s);
	return -1;
}

// Parses a number in [0, max], whole if integer, with an optional "%"
// where pct is set.
static bool number(const char *opt, const char *s, double max, bool integer,
		bool pct, double *v) {
	char *end;
	*v = strtod(s, &end);
	end += pct && end != s && *end == '%';
	if (end == s || *end != '\0' || !isfinite(*v) || *v < 0 || *v > max
			|| (integer && *v != floor(*v))) {
		warnx("--%s: invalid value: %s", opt, s);
		return false;
	}
	return true;
}

// perf.data is not folded text: say what to do instead of "line 1: ...".
// Only regular files are looked at: peeking into a pipe would eat its
// first bytes.
static bool is_perf_data(const char *path) {
	struct stat sb;
	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0
			|| !S_ISREG(sb.st_mode)) {
		return false;
	}
	FILE *f = fopen(path, "rb");
	char magic[8];
	bool perf = f && fread(magic, 1, 8, f) == 8
		&& memcmp(magic, "PERFILE2", 8) == 0;
	if (f) {
		fclose(f);
	}
	if (perf) {
		warnx("%s: perf.data, not folded stacks: use pd-collapse %s |"
			" pd-top", path, path);
	}
	return perf;
}

// POSIX ERE has no \\d (glibc reads it as "d"): refuse it rather than
// match something else than pd-svg's search would. Other differences
// ((?i), lookahead) make regcomp fail; a hint is added then.
static bool compile(regex_t *re, const char *pattern) {
	for (const char *p = pattern; *p; p++) {
		if (*p == '\\' && (p[1] == 'd' || p[1] == 'D')) {
			warnx("--grep: \\%c is not a digit class in POSIX extended"
				" regular expressions: use %s", p[1],
				p[1] == 'd' ? "[0-9]" : "[^0-9]");
			return false;
		}
		p += *p == '\\' && p[1];
	}
	int e = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (e != 0) {
		char msg[256];
		regerror(e, re, msg, sizeof(msg));
		warnx("--grep: %s: %s%s", msg, pattern, strstr(pattern, "(?")
			? " (POSIX extended regular expressions have no (?...))"
			: "");
		return false;
	}
	return true;
}

static enum pd_status run(int nfiles, char **files, struct pd_top_options *o,
		struct pd_top_report *r) {
	struct pd_top *t = pd_top_create(o);
	enum pd_status st = PD_OK;
	size_t ncounts = 0;
	for (int i = 0; st == PD_OK && i < (nfiles ? nfiles : 1); i++) {
		const char *path = nfiles ? files[i] : "-";
		st = is_perf_data(path) ? PD_EDATA
			: pd_folded_read(path, 0, &ncounts, pd_top_add_line, t);
	}
	r->diff = ncounts == 2;
	if (st == PD_OK && !r->diff && (r->sort == PD_TOP_SORT_SELF_DELTA
			|| r->sort == PD_TOP_SORT_TOTAL_DELTA)) {
		warnx("--sort %s: needs differential input (stack before after)",
			r->sort == PD_TOP_SORT_SELF_DELTA ? "self-delta"
			: "total-delta");
		st = PD_EUSAGE;
	}
	if (st == PD_OK) {
		st = pd_top_check(t);
	}
	if (st == PD_OK) {
		pd_top_write(stdout, t, r);
		st = pd_stdout_close();
	}
	pd_top_destroy(t);
	return st;
}

int main(int argc, char *argv[]) {
	static const struct option longopts[] = {
		{"by", required_argument, NULL, 'b'},
		{"callees", required_argument, NULL, OPT_CALLEES},
		{"callers", required_argument, NULL, OPT_CALLERS},
		{"format", required_argument, NULL, 'f'},
		{"grep", required_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		{"min-share", required_argument, NULL, 'm'},
		{"sort", required_argument, NULL, 's'},
		{"top", required_argument, NULL, 'n'},
		{"version", no_argument, NULL, OPT_VERSION},
		{0},
	};
	static const char *const bys[] = {"function", "frame", "module", NULL};
	static const char *const formats[] = {"text", "tsv", "json", "markdown",
		NULL};
	static const char *const sorts[] = {"self", "total", "name",
		"self-delta", "total-delta", NULL};
	struct pd_top_options o = {.by = PD_TOP_BY_FUNCTION};
	struct pd_top_report r = {.format = PD_TOP_TEXT};
	bool tty = isatty(STDOUT_FILENO), limit_set = false;
	const char *callees = NULL, *callers = NULL;
	double v;
	int opt, i;
	pd_pipe_widen(STDIN_FILENO); // (its output is a few kB)
	while ((opt = getopt_long(argc, argv, "b:f:g:hm:s:n:", longopts,
			NULL)) != -1) {
		bool ok = true;
		switch (opt) {
		case 'b':
			ok = (i = choice("by", optarg, bys)) >= 0;
			o.by = (enum pd_top_by)i;
			break;
		case OPT_CALLEES:
			callees = optarg;
			break;
		case OPT_CALLERS:
			callers = optarg;
			break;
		case 'f':
			ok = (i = choice("format", optarg, formats)) >= 0;
			r.format = (enum pd_top_format)i;
			break;
		case 'g':
			r.grep = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			fputs(help, stdout);
			return PD_OK;
		case 'm':
			ok = number("min-share", optarg, 100, false, true, &v);
			r.min_share = v;
			break;
		case 's':
			ok = (i = choice("sort", optarg, sorts)) >= 0;
			r.sort = (enum pd_top_sort)(i + 1);
			break;
		case 'n':
			ok = number("top", optarg, 1e9, true, false, &v);
			r.limit = (size_t)v;
			limit_set = true;
			break;
		case OPT_VERSION:
			puts("pd-top " PD_VERSION);
			return PD_OK;
		default: // getopt has already named the bad option
			fputs(usage, stderr);
			return PD_EUSAGE;
		}
		if (!ok) {
			return PD_EUSAGE;
		}
	}
	if (callers && callees && strcmp(callers, callees) != 0) {
		warnx("--callers and --callees must name the same function");
		return PD_EUSAGE;
	}
	o.focus = callers ? callers : callees;
	r.callers = callers != NULL;
	r.callees = callees != NULL;
	if (o.focus && r.grep) {
		warnx("--grep does not go with --callers or --callees");
		return PD_EUSAGE;
	}
	if (!limit_set && tty) {
		r.limit = 30;
	}
	struct winsize ws;
	if (tty && r.format == PD_TOP_TEXT) {
		r.width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col
			? ws.ws_col : 80;
	}
	regex_t re;
	if (r.grep) {
		if (!compile(&re, r.grep)) {
			return PD_EUSAGE;
		}
		o.grep = &re;
	}
	enum pd_status st = run(argc - optind, argv + optind, &o, &r);
	if (r.grep) {
		regfree(&re);
	}
	return st;
}
