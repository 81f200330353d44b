// SPDX-License-Identifier: MIT
// pd-diff: pair two folded profiles as "stack before after" lines.
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "folded-read.h"
#include "profile.h"
#include "status.h"

static const char usage[] =
	"usage: pd-diff [-hns] [--version] before.folded after.folded\n";

static const char help[] =
	"Pair two folded profiles as \"stack before after\" lines (\"-\" = stdin).\n"
	"  -h, --help        show this help and exit\n"
	"  -n, --normalize   scale the first profile to the second's total\n"
	"  -s, --strip-hex   replace hex addresses (0x1a2b) by 0x... first\n"
	"      --version     print the version and exit\n";

enum { OPT_VERSION = 256 };

int main(int argc, char *argv[]) {
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"normalize", no_argument, NULL, 'n'},
		{"strip-hex", no_argument, NULL, 's'},
		{"version", no_argument, NULL, OPT_VERSION},
		{0},
	};
	bool normalize = false;
	unsigned flags = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "hns", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(usage, stdout);
			fputs(help, stdout);
			return PD_OK;
		case 'n':
			normalize = true;
			break;
		case 's':
			flags |= PD_FOLDED_STRIP_HEX;
			break;
		case OPT_VERSION:
			puts("pd-diff " PD_VERSION);
			return PD_OK;
		default: // getopt has already named the bad option
			fputs(usage, stderr);
			return PD_EUSAGE;
		}
	}
	if (argc - optind != 2 || (strcmp(argv[optind], "-") == 0
			&& strcmp(argv[optind + 1], "-") == 0)) {
		fputs(usage, stderr);
		return PD_EUSAGE;
	}
	// One table for both sides: memory grows with the distinct stacks only.
	struct pd_profile *p = pd_profile_create(2);
	enum pd_status st = pd_profile_load(p, argv[optind], 0, flags);
	if (st == PD_OK) {
		st = pd_profile_load(p, argv[optind + 1], 1, flags);
	}
	if (st == PD_OK) {
		if (normalize) {
			pd_profile_normalize(p, 0, 1);
		}
		pd_profile_write(stdout, p);
		st = pd_stdout_close();
	}
	pd_profile_destroy(p);
	return st;
}
