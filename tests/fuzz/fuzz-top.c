// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as folded text through pd-top's counting and
// every output format. The first byte picks the options (what a row is,
// the format, --grep or a butterfly, --top); the rest is the file.
#include <regex.h>
#include <stdint.h>
#include <stdio.h>

#include "folded-read.h"
#include "memfile.h"
#include "top.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const char *path, unsigned pick, const regex_t *re,
		FILE *out) {
	static const char *const focus[] = {"main", "a", "[libz.so.1]", "b"};
	struct pd_top_options o = {.by = (enum pd_top_by)(pick % 3)};
	struct pd_top_report r = {
		.format = (enum pd_top_format)(pick / 3 % 4),
		.limit = pick & 0x80 ? 2 : 0,
		.width = pick & 0x40 ? 40 : 0,
		.min_share = pick & 0x20 ? 10 : 0,
	};
	if (pick / 12 % 3 == 1) {
		o.grep = re;
		r.grep = "a|^m";
	} else if (pick / 12 % 3 == 2) {
		o.focus = focus[pick % 4];
		r.callers = true;
		r.callees = pick & 1;
	}
	struct pd_top *t = pd_top_create(&o);
	size_t ncounts = 0;
	if (pd_folded_read(path, 0, &ncounts, pd_top_add_line, t) == PD_OK) {
		r.diff = ncounts == 2;
		if (pd_top_check(t) == PD_OK) {
			pd_top_write(out, t, &r);
		}
	}
	pd_top_destroy(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size == 0) {
		return 0;
	}
	static regex_t re;
	static int compiled;
	if (!compiled) {
		compiled = regcomp(&re, "a|^m", REG_EXTENDED | REG_NOSUB) == 0
			? 1 : -1;
	}
	struct memfile in;
	if (!memfile_open(&in, "in.folded", data + 1, size - 1)) {
		return 0;
	}
	FILE *out = fopen("/dev/null", "w");
	if (out && compiled == 1) {
		run(in.path, data[0], &re, out);
	}
	if (out) {
		fclose(out);
	}
	memfile_close(&in);
	return 0;
}
