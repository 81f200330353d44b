// SPDX-License-Identifier: MIT
// pd-collapse: fold the callchains of a perf.data file into folded stacks.
#include <err.h>
#include <getopt.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "collapse.h"
#include "config.h"
#include "maps.h"
#include "perf.h"
#include "pipes.h"
#include "status.h"
#include "symbols.h"

static const char usage[] =
	"usage: pd-collapse [-aehklpqtvVw] [options] [perf.data]\n";
static const char help[] =
	"Fold the stacks of perf.data (file or stdin) into folded stacks.\n"
	"\n"
	"  -a, --all              all annotations (--kernel --jit --inline-marks)\n"
	"      --addrs            show raw addresses of unresolved frames\n"
	"  -e, --event NAME       fold event NAME (default: first sampled event)\n"
	"      --field NAME       append NAME=value of a tracepoint field at the\n"
	"                         leaf (repeatable)\n"
	"  -h, --help             show this help\n"
	"      --inline-marks     annotate inlined frames with _[i]\n"
	"      --jit              annotate JIT frames with _[j]\n"
	"      --kallsyms FILE    read kernel symbols from FILE\n"
	"  -k, --kernel           annotate kernel frames with _[k]\n"
	"  -l, --list-events      list events with their sample counts (with\n"
	"                         --verbose: tracepoints' fields and types)\n"
	"      --max-stack N      unwind at most N user frames from stack dumps (127)\n"
	"      --no-cache         do not use or update the cache in ~/.cache/pd\n"
	"      --no-demangle      keep mangled symbol names\n"
	"      --no-inline        do not expand inlined calls into frames\n"
	"      --off-cpu          time threads spent off CPU, per stack, in\n"
	"                         microseconds (from sched:sched_switch)\n"
	"      --on-off-cpu       wall clock: on-CPU samples and off-CPU time in\n"
	"                         one profile, in microseconds\n"
	"  -p, --pid              include the PID with process names\n"
	"  -q, --quiet            no summary on stderr\n"
	"      --strict           exit 65 when samples were lost or the\n"
	"                         recording may be incomplete\n"
	"      --symfs DIR        look for binaries under DIR\n"
	"  -t, --tid              include PID and TID with process names\n"
	"      --task-state       end off-CPU stacks in the state the thread\n"
	"                         left in ([S] sleeping, [D] uninterruptible,\n"
	"                         [R] preempted...)\n"
	"  -v, --verbose          per-module summary of unresolved frames\n"
	"  -V, --version          show the version\n"
	"  -w, --weight=KIND      weight by 'samples' (default), 'period' or a\n"
	"                         numeric field of the tracepoint event\n";

enum {
	OPT_ADDRS = 256,
	OPT_FIELD,
	OPT_INLINE_MARKS,
	OPT_JIT,
	OPT_KALLSYMS,
	OPT_MAX_STACK,
	OPT_NO_CACHE,
	OPT_NO_DEMANGLE,
	OPT_NO_INLINE,
	OPT_OFF_CPU,
	OPT_ON_OFF_CPU,
	OPT_STRICT,
	OPT_SYMFS,
	OPT_TASK_STATE,
};

struct cli {
	struct pd_collapse_options co;
	struct pd_symbols_options so;
	bool list, quiet, strict, verbose, weight_set;
	const char *input;
	const char **fields;
};

// Options that do not go together.
static enum pd_status check_combination(const struct cli *cli) {
	const struct pd_collapse_options *o = &cli->co;
	const char *bad = NULL;
	if (o->off_cpu && o->on_off_cpu) {
		bad = "--off-cpu and --on-off-cpu: choose one";
	} else if (o->task_state && !o->off_cpu && !o->on_off_cpu) {
		bad = "--task-state goes with --off-cpu or --on-off-cpu";
	} else if ((o->off_cpu || o->on_off_cpu) && cli->weight_set) {
		bad = "--off-cpu and --on-off-cpu count microseconds: no --weight";
	} else if (o->off_cpu && o->event) {
		bad = "--off-cpu folds sched:sched_switch: no --event";
	} else if (o->on_off_cpu && o->nfields) {
		bad = "--field does not go with --on-off-cpu";
	} else if (o->nfields > PD_COLLAPSE_FIELDS_MAX) {
		bad = "--field: at most 32 of them";
	}
	if (bad) {
		warnx("%s", bad);
		return PD_EUSAGE;
	}
	return PD_OK;
}

static enum pd_status parse_args(int argc, char *argv[], struct cli *cli) {
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"addrs", no_argument, NULL, OPT_ADDRS},
		{"event", required_argument, NULL, 'e'},
		{"field", required_argument, NULL, OPT_FIELD},
		{"help", no_argument, NULL, 'h'},
		{"inline-marks", no_argument, NULL, OPT_INLINE_MARKS},
		{"jit", no_argument, NULL, OPT_JIT},
		{"kallsyms", required_argument, NULL, OPT_KALLSYMS},
		{"kernel", no_argument, NULL, 'k'},
		{"list-events", no_argument, NULL, 'l'},
		{"max-stack", required_argument, NULL, OPT_MAX_STACK},
		{"no-cache", no_argument, NULL, OPT_NO_CACHE},
		{"no-demangle", no_argument, NULL, OPT_NO_DEMANGLE},
		{"no-inline", no_argument, NULL, OPT_NO_INLINE},
		{"off-cpu", no_argument, NULL, OPT_OFF_CPU},
		{"on-off-cpu", no_argument, NULL, OPT_ON_OFF_CPU},
		{"pid", no_argument, NULL, 'p'},
		{"quiet", no_argument, NULL, 'q'},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"symfs", required_argument, NULL, OPT_SYMFS},
		{"task-state", no_argument, NULL, OPT_TASK_STATE},
		{"tid", no_argument, NULL, 't'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"weight", required_argument, NULL, 'w'},
		{0},
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "ae:hklpqtvVw:", longopts, NULL))
			!= -1) {
		switch (opt) {
		case 'a':
			cli->co.out.kernel = cli->co.out.jit = cli->co.out.inline_marks = true;
			break;
		case OPT_ADDRS:
			cli->co.out.addrs = true;
			break;
		case 'e':
			cli->co.event = optarg;
			break;
		case OPT_FIELD:
			cli->fields = pd_xrealloc(cli->fields,
				(cli->co.nfields + 1) * sizeof(*cli->fields));
			cli->fields[cli->co.nfields++] = optarg;
			cli->co.fields = cli->fields;
			break;
		case 'h':
			fputs(usage, stdout);
			fputs(help, stdout);
			exit(PD_OK);
		case OPT_INLINE_MARKS:
			cli->co.out.inline_marks = true;
			break;
		case OPT_JIT:
			cli->co.out.jit = true;
			break;
		case OPT_KALLSYMS:
			cli->so.kallsyms = optarg;
			break;
		case 'k':
			cli->co.out.kernel = true;
			break;
		case 'l':
			cli->list = true;
			break;
		case OPT_MAX_STACK: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 4096) {
				warnx("--max-stack: expected a number from 1 to 4096, "
					"not '%s'", optarg);
				return PD_EUSAGE;
			}
			cli->co.max_stack = (size_t)v;
			break;
		}
		case OPT_NO_CACHE:
			cli->so.cache = false;
			break;
		case OPT_NO_DEMANGLE:
			cli->so.demangle = false;
			break;
		case OPT_NO_INLINE:
			cli->so.inline_frames = false;
			break;
		case OPT_OFF_CPU:
			cli->co.off_cpu = true;
			break;
		case OPT_ON_OFF_CPU:
			cli->co.on_off_cpu = true;
			break;
		case 'p':
			cli->co.out.pid = true;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case OPT_STRICT:
			cli->strict = true;
			break;
		case OPT_SYMFS:
			cli->so.symfs = optarg;
			break;
		case 't':
			cli->co.out.tid = true;
			break;
		case OPT_TASK_STATE:
			cli->co.task_state = true;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'V':
			printf("pd-collapse %s\n", PD_VERSION);
			exit(PD_OK);
		case 'w':
			cli->weight_set = true;
			cli->co.period = strcmp(optarg, "period") == 0;
			cli->co.weight_field = NULL;
			if (!cli->co.period && strcmp(optarg, "samples") != 0) {
				if (!*optarg) {
					warnx("--weight: expected 'samples', 'period' or "
						"a field name, not ''");
					return PD_EUSAGE;
				}
				cli->co.weight_field = optarg;
			}
			break;
		default: // getopt has already named the bad option
			fputs(usage, stderr);
			return PD_EUSAGE;
		}
	}
	if (argc - optind > 1) {
		fputs(usage, stderr);
		return PD_EUSAGE;
	}
	if (check_combination(cli) != PD_OK) {
		return PD_EUSAGE;
	}
	cli->co.list_events = cli->list;
	cli->co.list_fields = cli->list && cli->verbose;
	cli->input = optind < argc ? argv[optind] : "-";
	if (strcmp(cli->input, "-") == 0 && isatty(STDIN_FILENO)) {
		warnx("will not read perf.data from a terminal");
		fputs(usage, stderr);
		return PD_EUSAGE;
	}
	return PD_OK;
}

struct progress {
	bool on;
	struct timespec start, last;
	bool shown;
};

static double seconds_since(const struct timespec *t) {
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec)
		+ (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress_show(struct progress *pg, struct pd_perf *r,
		uint64_t samples) {
	if (seconds_since(&pg->start) < 1 || seconds_since(&pg->last) < 0.2) {
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &pg->last);
	uint64_t total = pd_perf_total(r);
	fprintf(stderr, "\rpd-collapse: %llu", (unsigned long long)(
		pd_perf_pos(r) >> 20));
	if (total) {
		fprintf(stderr, " of %llu", (unsigned long long)(total >> 20));
	}
	fprintf(stderr, " MiB, %llu samples\033[K", (unsigned long long)samples);
	pg->shown = true;
}

static void buildid_cb(void *arg, uint16_t cpumode, int32_t pid,
		const uint8_t *id, size_t len, const char *filename) {
	pd_symbols_buildid(arg, cpumode, id, len, filename);
}

static void release_cb(void *arg, const char *release) {
	pd_symbols_set_osrelease(arg, release);
}

static void progress_cb(void *arg, struct pd_perf *r, uint64_t samples) {
	progress_show(arg, r, samples);
}

// Says why a recording read without error may still be incomplete
// (pd_perf_incomplete), --quiet or not: it is no summary but a warning
// about the output; returns whether it may.
static bool incomplete_warning(const struct pd_perf *r) {
	bool unfinished;
	uint64_t off;
	if (!pd_perf_incomplete(r, &unfinished, &off)) {
		return false;
	}
	if (unfinished) {
		warnx("%s: the header gives the data no size: perf record did not "
			"finish (killed, or the file copied while it ran); read to the "
			"end of the file", pd_perf_name(r));
	} else {
		warnx("%s@%#llx: the data ends without the FINISHED_ROUND record "
			"perf record ends with: cut short, or written by perf inject "
			"(which leaves none); read to its end", pd_perf_name(r),
			(unsigned long long)off);
	}
	return true;
}

int main(int argc, char *argv[]) {
	struct cli cli = {.so = {.demangle = true, .inline_frames = true,
		.cache = true}};
	// Growing or shrinking the heap with brk or mmap waits for the
	// helper thread that is mapping the input ahead (both need the
	// process's memory-map lock): grow in large steps and never shrink.
	mallopt(M_TOP_PAD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	pd_pipe_widen(STDOUT_FILENO); // stdin: perf-input.c
	enum pd_status st = parse_args(argc, argv, &cli);
	if (st != PD_OK) {
		free(cli.fields);
		return st;
	}
	struct pd_perf *r;
	st = pd_perf_open(&r, cli.input);
	if (st != PD_OK) {
		free(cli.fields);
		return st;
	}
	struct pd_symbols *syms = pd_symbols_create(&cli.so);
	struct pd_maps *maps = pd_maps_create(syms);
	struct pd_collapse *c = pd_collapse_create(&cli.co, syms, maps);
	pd_perf_set_buildid_callback(r, buildid_cb, syms);
	pd_perf_set_release_callback(r, release_cb, syms);

	struct progress pg = {.on = isatty(STDERR_FILENO)};
	clock_gettime(CLOCK_MONOTONIC, &pg.start);
	pg.last = pg.start;
	enum pd_status read_st = pd_collapse_read(c, r, maps,
		pg.on ? progress_cb : NULL, &pg);
	if (pg.shown) {
		fputs("\r\033[K", stderr);
	}
	if (cli.list) {
		pd_collapse_list_events(c, r, stdout);
	} else if (pd_collapse_select(c, r) != PD_OK) {
		warnx("%s: no event named '%s'", pd_perf_name(r), cli.co.event);
		st = PD_EUSAGE;
	} else if (read_st == PD_OK) {
		st = pd_collapse_check(c, r);
		if (st == PD_OK) {
			pd_collapse_write(c, stdout);
		}
	} else {
		pd_collapse_write(c, stdout);
	}
	if (read_st != PD_OK) {
		warnx("%s: output is partial: reading stopped at the error above",
			pd_perf_name(r));
		st = read_st;
	} else if (st == PD_OK && !cli.list) {
		bool incomplete = incomplete_warning(r);
		if (!cli.quiet) {
			pd_collapse_summary(c, r, syms, cli.verbose);
		}
		const struct pd_collapse_stats *s = pd_collapse_stats(c);
		if (cli.strict && (s->lost || s->lost_samples || incomplete)) {
			st = PD_EDATA;
		}
	}
	enum pd_status out_st = pd_stdout_close();
	if (st == PD_OK) {
		st = out_st;
	}
	// After the output is complete: what was learnt, for the next run.
	pd_symbols_cache_save(syms);
	pd_collapse_cache_save(c);
	if (!PD_FREE_AT_EXIT) {
		// Tearing down libdw's trees and the tables costs milliseconds;
		// exiting frees it all at once.
		return st;
	}
	pd_collapse_destroy(c);
	pd_maps_destroy(maps);
	pd_symbols_destroy(syms);
	pd_perf_close(r);
	free(cli.fields);
	return st;
}
