// SPDX-License-Identifier: MIT
// pd-svg: draw folded or differential folded stacks as an interactive SVG.
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diff-report.h"
#include "flame.h"
#include "folded-read.h"
#include "pipes.h"
#include "status.h"
#include "svg.h"
#include "strbuf.h"

static const char usage[] = "usage: pd-svg [options] [file...]\n";

static const char help[] =
	"Draw folded stacks (\"stack count\") or a differential profile\n"
	"(\"stack before after\") from files or stdin as an SVG on stdout.\n"
	"  -c, --colors PALETTE  hot (default), mem, io, red, green, blue, aqua,\n"
	"                        yellow, purple, orange, java, js, perl, python, rust\n"
	"      --countname NAME  what the counts are (default samples)\n"
	"      --factor X        multiply shown counts by X (default 1)\n"
	"      --flamechart      keep input order, merge adjacent stacks only\n"
	"      --fontsize N      font size in pixels (default 12)\n"
	"      --fonttype FONT   font family (default Verdana)\n"
	"      --hash            similar names get similar colours\n"
	"      --height N        frame height in pixels (default 16)\n"
	"  -h, --help            show this help and exit\n"
	"  -i, --inverted        icicle graph: root at the top\n"
	"      --minwidth N[%]   leave out frames narrower than N pixels or N%\n"
	"                        of the total (default 0.1)\n"
	"      --nametype TEXT   label of the details line (default Function:)\n"
	"      --negate          swap differential hues (blue grew, red shrank)\n"
	"      --notes TEXT      notes stored in the SVG\n"
	"      --off-cpu-colors PALETTE  palette of off-CPU frames ([off-cpu],\n"
	"                        [S]... and below; default blue; none: as others)\n"
	"      --report FILE     pd-diff's JSON report: frames whose self share\n"
	"                        did not change significantly drawn grey\n"
	"      --reverse         reverse every stack (leaf first) before merging\n"
	"      --sort ORDER      siblings by name (default) or weight\n"
	"      --subtitle TEXT   second line below the title\n"
	"      --title TEXT      title (default Flame Graph)\n"
	"      --version         print the version and exit\n"
	"      --width N         image width in pixels (default 1200)\n";

enum {
	OPT_COUNTNAME = 256, OPT_FACTOR, OPT_FLAMECHART, OPT_FONTSIZE,
	OPT_FONTTYPE, OPT_HASH, OPT_HEIGHT, OPT_MINWIDTH, OPT_NAMETYPE,
	OPT_NEGATE, OPT_NOTES, OPT_OFF_CPU_COLORS, OPT_REPORT, OPT_REVERSE, OPT_SORT,
	OPT_SUBTITLE, OPT_TITLE,
	OPT_VERSION, OPT_WIDTH,
};

// Parses a number in [min, max], whole if integer; a "%" suffix only
// where pct is given.
static bool number(const char *opt, const char *s, double min, double max,
		bool integer, double *v, bool *pct) {
	char *end;
	*v = strtod(s, &end);
	if (pct) {
		*pct = *end == '%';
		end += *pct;
	}
	if (end == s || *end != '\0' || !isfinite(*v) || *v < min || *v > max
			|| (integer && *v != (double)(long)*v)) {
		warnx("--%s: invalid value: %s", opt, s);
		return false;
	}
	return true;
}

int main(int argc, char *argv[]) {
	static const struct option longopts[] = {
		{"colors", required_argument, NULL, 'c'},
		{"countname", required_argument, NULL, OPT_COUNTNAME},
		{"factor", required_argument, NULL, OPT_FACTOR},
		{"flamechart", no_argument, NULL, OPT_FLAMECHART},
		{"fontsize", required_argument, NULL, OPT_FONTSIZE},
		{"fonttype", required_argument, NULL, OPT_FONTTYPE},
		{"hash", no_argument, NULL, OPT_HASH},
		{"height", required_argument, NULL, OPT_HEIGHT},
		{"help", no_argument, NULL, 'h'},
		{"inverted", no_argument, NULL, 'i'},
		{"minwidth", required_argument, NULL, OPT_MINWIDTH},
		{"nametype", required_argument, NULL, OPT_NAMETYPE},
		{"negate", no_argument, NULL, OPT_NEGATE},
		{"notes", required_argument, NULL, OPT_NOTES},
		{"off-cpu-colors", required_argument, NULL, OPT_OFF_CPU_COLORS},
		{"report", required_argument, NULL, OPT_REPORT},
		{"reverse", no_argument, NULL, OPT_REVERSE},
		{"sort", required_argument, NULL, OPT_SORT},
		{"subtitle", required_argument, NULL, OPT_SUBTITLE},
		{"title", required_argument, NULL, OPT_TITLE},
		{"version", no_argument, NULL, OPT_VERSION},
		{"width", required_argument, NULL, OPT_WIDTH},
		{0},
	};
	struct pd_svg_options o = pd_svg_defaults();
	bool reverse = false, chart = false;
	const char *report = NULL;
	enum pd_flame_sort sort = PD_FLAME_SORT_NAME;
	double v;
	int opt;
	pd_pipe_widen(STDIN_FILENO);
	pd_pipe_widen(STDOUT_FILENO);
	while ((opt = getopt_long(argc, argv, "c:hi", longopts, NULL)) != -1) {
		bool ok = true;
		switch (opt) {
		case 'c':
			ok = pd_palette_parse(optarg, &o.palette);
			if (!ok) {
				warnx("--colors: unknown palette: %s", optarg);
			}
			break;
		case OPT_COUNTNAME:
			o.countname = optarg;
			break;
		case OPT_FACTOR:
			ok = number("factor", optarg, 1e-12, 1e12, false, &o.factor,
				NULL);
			break;
		case OPT_FLAMECHART:
			chart = true;
			break;
		case OPT_FONTSIZE:
			ok = number("fontsize", optarg, 1, 1000, false, &o.fontsize,
				NULL);
			break;
		case OPT_FONTTYPE:
			o.fonttype = optarg;
			break;
		case OPT_HASH:
			o.hash = true;
			break;
		case OPT_HEIGHT:
			ok = number("height", optarg, 2, 1000, true, &v, NULL);
			o.frameheight = (unsigned)v;
			break;
		case 'h':
			fputs(usage, stdout);
			fputs(help, stdout);
			return PD_OK;
		case 'i':
			o.inverted = true;
			break;
		case OPT_MINWIDTH:
			ok = number("minwidth", optarg, 0, 1e9, false, &o.minwidth,
				&o.minwidth_pct);
			break;
		case OPT_NAMETYPE:
			o.nametype = optarg;
			break;
		case OPT_NEGATE:
			o.negate = true;
			break;
		case OPT_NOTES:
			o.notes = optarg;
			break;
		case OPT_OFF_CPU_COLORS:
			o.offcpu = strcmp(optarg, "none") != 0;
			ok = !o.offcpu || pd_palette_parse(optarg, &o.offcpu_palette);
			if (!ok) {
				warnx("--off-cpu-colors: unknown palette: %s", optarg);
			}
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case OPT_REVERSE:
			reverse = true;
			break;
		case OPT_SORT:
			ok = strcmp(optarg, "name") == 0 || strcmp(optarg, "weight") == 0;
			sort = optarg[0] == 'w' ? PD_FLAME_SORT_WEIGHT : PD_FLAME_SORT_NAME;
			if (!ok) {
				warnx("--sort: expected name or weight: %s", optarg);
			}
			break;
		case OPT_SUBTITLE:
			o.subtitle = optarg;
			break;
		case OPT_TITLE:
			o.title = optarg;
			break;
		case OPT_VERSION:
			puts("pd-svg " PD_VERSION);
			return PD_OK;
		case OPT_WIDTH:
			ok = number("width", optarg, 100, 1e6, true, &v, NULL);
			o.width = (unsigned)v;
			break;
		default: // getopt has already named the bad option
			fputs(usage, stderr);
			return PD_EUSAGE;
		}
		if (!ok) {
			return PD_EUSAGE;
		}
	}
	if (!o.title) {
		o.title = chart ? "Flame Chart" : o.inverted ? "Icicle Graph"
			: "Flame Graph";
	}
	struct pd_flame *f = pd_flame_create(reverse, chart);
	size_t ncounts = 0;
	enum pd_status st = PD_OK;
	int nfiles = argc - optind;
	for (int i = 0; st == PD_OK && i < (nfiles ? nfiles : 1); i++) {
		const char *path = nfiles ? argv[optind + i] : "-";
		st = pd_folded_read(path, 0, &ncounts, pd_flame_line, f);
	}
	o.diff = ncounts == 2;
	if (st == PD_OK && !chart) {
		uint64_t t[2];
		if (!pd_flame_totals(f, t)) {
			// Each file's totals are checked as it is read; together
			// they may still not fit.
			warnx("the inputs' counts add up to more than 64 bits");
			st = PD_EDATA;
		} else {
			struct pd_svg_keep_ctx k = {&o, t[o.diff ? 1 : 0]};
			pd_flame_build(f, o.diff ? 1 : 0, pd_svg_keep, &k);
		}
	}
	// The report after the input: pd-diff writes it before its output.
	struct pd_diff_marks *marks = NULL;
	if (st == PD_OK && report) {
		st = pd_diff_marks_read(report, &marks);
	}
	if (st == PD_OK && marks && !o.diff) {
		warnx("--report: the input is not differential (stack before after)");
		st = PD_EUSAGE;
	}
	bool *grey = NULL;
	struct pd_strbuf sub = {0};
	if (st == PD_OK) {
		pd_flame_finish(f, sort, o.diff ? 1 : 0);
		if (marks) {
			grey = pd_diff_marks_grey(marks, f);
			o.grey = grey;
			pd_strbuf_printf(&sub, "%s%sgrey: self share not changed "
				"significantly (q > %g, pd-diff report)", o.subtitle
				? o.subtitle : "", o.subtitle ? " - " : "",
				pd_diff_marks_alpha(marks));
			o.subtitle = sub.s;
		}
		pd_svg_write(stdout, f, &o);
		st = pd_stdout_close();
	}
	free(grey);
	pd_strbuf_finish(&sub);
	pd_diff_marks_destroy(marks);
	pd_flame_destroy(f);
	return st;
}
