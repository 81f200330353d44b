// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as a perf.data file through the reader, the
// map timeline and the folding, as pd-collapse runs them (symbols are
// looked up under a symfs that does not exist, so no host file is read).
#include <stdint.h>
#include <stdio.h>

#include "collapse.h"
#include "maps.h"
#include "memfile.h"
#include "perf.h"
#include "symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fold(const char *path, FILE *out) {
	struct pd_perf *r;
	if (pd_perf_open(&r, path) != PD_OK) {
		return;
	}
	struct pd_symbols_options so = {.symfs = "/nonexistent",
		.kallsyms = "/nonexistent", .demangle = true};
	struct pd_symbols *syms = pd_symbols_create(&so);
	struct pd_maps *maps = pd_maps_create(syms);
	struct pd_collapse_options co = {.out = {.pid = true, .kernel = true}};
	struct pd_collapse *c = pd_collapse_create(&co, syms, maps);
	pd_collapse_read(c, r, maps, NULL, NULL);
	if (pd_collapse_select(c, r) == PD_OK) {
		pd_collapse_write(c, out);
	}
	pd_collapse_destroy(c);
	pd_maps_destroy(maps);
	pd_symbols_destroy(syms);
	pd_perf_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct memfile in;
	if (!memfile_open(&in, "perf.data", data, size)) {
		return 0;
	}
	FILE *out = fopen("/dev/null", "w");
	if (out) {
		fold(in.path, out);
		fclose(out);
	}
	memfile_close(&in);
	return 0;
}
