// SPDX-License-Identifier: MIT
// Folds a hand-made stream (stream.h) the way pd-collapse does with
// default options, for the unit tests that check its output.
#ifndef PD_TEST_STREAM_COLLAPSE_H
#define PD_TEST_STREAM_COLLAPSE_H

#include "collapse.h"
#include "maps.h"
#include "symbols.h"
#include "check.h"
#include "stream.h"

// The stream written so far, folded: the output (free it) and, in
// *samples, the samples counted. Exits 1 if the stream cannot be opened.
static inline char *stream_collapse(uint64_t *samples) {
	char path[] = "/tmp/pd-test-stream-XXXXXX";
	struct pd_perf *r = stream_open(path);
	if (!r) {
		exit(1);
	}
	struct pd_symbols_options so = {.kallsyms = "/dev/null"};
	struct pd_collapse_options co = {0};
	struct pd_symbols *syms = pd_symbols_create(&so);
	struct pd_maps *maps = pd_maps_create(syms);
	struct pd_collapse *c = pd_collapse_create(&co, syms, maps);
	CHECK(pd_collapse_read(c, r, maps, NULL, NULL) == PD_OK);
	CHECK(pd_collapse_select(c, r) == PD_OK);
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	pd_collapse_write(c, f);
	fclose(f);
	*samples = pd_collapse_stats(c)->samples;
	pd_collapse_destroy(c);
	pd_maps_destroy(maps);
	pd_symbols_destroy(syms);
	pd_perf_close(r);
	unlink(path);
	return out;
}

#endif
