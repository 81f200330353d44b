// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as folded text through pd-svg's flame tree
// and SVG writer. The first byte picks the options (--reverse,
// --flamechart, --sort weight, --inverted, --minwidth 0, --hash); the
// rest is the file. With --minwidth 0 (every frame kept), the tree built
// from the stacks collected as frame ids must equal the one pd_flame_add
// makes from the text, node for node (and its largest delta): a
// difference aborts.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "folded-read.h"
#include "memfile.h"
#include "svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	struct pd_flame *f, *text; // text: the same stacks by pd_flame_add
};

static void add_line(void *ctx, const char *stack, size_t len,
		const uint64_t *c, size_t n) {
	struct input *in = ctx;
	pd_flame_line(in->f, stack, len, c, n);
	if (in->text) {
		pd_flame_add(in->text, stack, len, c[0], n > 1 ? c[1] : 0);
	}
}

static bool keep_all(void *ctx, uint64_t total) {
	return true;
}

// Whether two nodes have the same name, depth and counts.
static bool same_node(const struct pd_flame *a, uint32_t i,
		const struct pd_flame *b, uint32_t j) {
	const struct pd_flame_node *x = &pd_flame_nodes(a)[i];
	const struct pd_flame_node *y = &pd_flame_nodes(b)[j];
	size_t xl, yl;
	const char *xs = pd_flame_name(a, x->name, &xl);
	const char *ys = pd_flame_name(b, y->name, &yl);
	return xl == yl && memcmp(xs, ys, xl) == 0 && x->depth == y->depth
		&& memcmp(x->total, y->total, sizeof(x->total)) == 0
		&& memcmp(x->self, y->self, sizeof(x->self)) == 0;
}

// Whether two finished trees (children in the same order) are the same,
// node for node: walked with a list of pairs, not recursion (a line of
// 150k frames makes a tree that deep).
static bool same(const struct pd_flame *a, const struct pd_flame *b) {
	if (pd_flame_size(a) != pd_flame_size(b)
			|| pd_flame_max_delta(a) != pd_flame_max_delta(b)) {
		return false;
	}
	const struct pd_flame_node *x = pd_flame_nodes(a), *y = pd_flame_nodes(b);
	size_t n = pd_flame_size(a), top = 0;
	uint32_t (*todo)[2] = malloc((n + 1) * sizeof(*todo));
	bool ok = todo != NULL;
	if (ok) {
		todo[top][0] = todo[top][1] = 0;
		top++;
	}
	while (ok && top > 0) {
		top--;
		uint32_t i = todo[top][0], j = todo[top][1];
		ok = same_node(a, i, b, j);
		uint32_t c = x[i].child, d = y[j].child;
		for (; ok && c && d; c = x[c].next, d = y[d].next) {
			ok = top < n;
			if (ok) {
				todo[top][0] = c;
				todo[top][1] = d;
				top++;
			}
		}
		ok &= !c && !d;
	}
	free(todo);
	return ok;
}

static void run(const char *path, unsigned pick, FILE *out) {
	bool reverse = pick & 1, chart = pick & 2, all = pick & 16;
	struct pd_svg_options o = pd_svg_defaults();
	o.title = "Flame Graph";
	o.minwidth = all ? 0 : 0.1;
	o.inverted = pick & 8;
	o.hash = pick & 32;
	enum pd_flame_sort sort = pick & 4 ? PD_FLAME_SORT_WEIGHT
		: PD_FLAME_SORT_NAME;
	struct input in = {pd_flame_create(reverse, chart), NULL};
	if (all && !chart) {
		in.text = pd_flame_create(reverse, false);
	}
	size_t ncounts = 0;
	bool ok = pd_folded_read(path, 0, &ncounts, add_line, &in) == PD_OK;
	o.diff = ncounts == 2;
	int col = o.diff ? 1 : 0;
	if (ok && !chart) {
		uint64_t t[2];
		ok = pd_flame_totals(in.f, t);
		struct pd_svg_keep_ctx k = {&o, t[col]};
		if (ok && all) {
			pd_flame_build(in.f, col, keep_all, NULL);
		} else if (ok) {
			pd_flame_build(in.f, col, pd_svg_keep, &k);
		}
	}
	if (ok) {
		pd_flame_finish(in.f, sort, col);
		if (in.text) {
			pd_flame_finish(in.text, sort, col);
			if (!same(in.f, in.text)) {
				abort();
			}
		}
		pd_svg_write(out, in.f, &o);
	}
	pd_flame_destroy(in.f);
	pd_flame_destroy(in.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size == 0) {
		return 0;
	}
	struct memfile in;
	if (!memfile_open(&in, "in.folded", data + 1, size - 1)) {
		return 0;
	}
	FILE *out = fopen("/dev/null", "w");
	if (out) {
		run(in.path, data[0], out);
		fclose(out);
	}
	memfile_close(&in);
	return 0;
}
