// SPDX-License-Identifier: MIT
// Flame graph layout and interactive SVG writer.
#ifndef PD_SVG_H
#define PD_SVG_H

#include <stdbool.h>
#include <stdio.h>

#include "flame.h"
#include "svg-color.h"

struct pd_svg_options {
	const char *title;     // required
	const char *subtitle;  // NULL = none
	const char *notes;     // NULL = none; written to <desc>
	const char *fonttype;
	const char *countname; // "samples"
	const char *nametype;  // "Function:"
	unsigned width;        // image width in pixels
	unsigned frameheight;  // pixels per frame row
	double fontsize;
	double minwidth;       // frames narrower than this are left out...
	bool minwidth_pct;     // ...in percent of the total instead of pixels
	double factor;         // counts are shown multiplied by this
	enum pd_palette palette;
	// Frames of off-CPU time (pd-collapse --on-off-cpu): those under an
	// [off-cpu] or task-state frame ([S], [D], [R+]...), and those whose
	// every stack ends in one, take this palette; ignored in differential
	// graphs.
	bool offcpu;
	enum pd_palette offcpu_palette;
	bool hash;             // similar names, similar colours
	bool inverted;         // icicle graph: root at the top
	bool diff;             // widths from total[1], colours from self deltas
	bool negate;           // swap red and blue in differential colours
	// Differential only: by flame name id, frames drawn grey instead of
	// red or blue (a change that is not significant); NULL = none.
	const bool *grey;
};

// pd-svg's defaults (flamegraph.pl's): title unset, 1200 pixels wide,
// frames of 16 pixels, Verdana 12, minimum width 0.1 pixel.
struct pd_svg_options pd_svg_defaults(void);

// Writes one self-contained SVG of f (already sorted) to out. Errors are
// left in ferror(out).
void pd_svg_write(FILE *out, const struct pd_flame *f,
	const struct pd_svg_options *o);

// Whether a frame of count (out of the root's total) is wide enough to draw.
bool pd_svg_drawn(const struct pd_svg_options *o, uint64_t total,
	uint64_t count);
// A pd_flame_keep_fn: a frame gets children if it is drawn (ctx: a
// struct pd_svg_keep_ctx, total the root's count).
struct pd_svg_keep_ctx {
	const struct pd_svg_options *o;
	uint64_t total;
};
bool pd_svg_keep(void *ctx, uint64_t count);

// The script embedded in every SVG (no names or user text inside it).
extern const char pd_svg_js[];

#endif
