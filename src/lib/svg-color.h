// SPDX-License-Identifier: MIT
// Flame graph colours: palettes, language-aware rules, differential scale.
#ifndef PD_SVG_COLOR_H
#define PD_SVG_COLOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pd_palette {
	PD_PALETTE_HOT,
	PD_PALETTE_MEM,
	PD_PALETTE_IO,
	PD_PALETTE_RED,
	PD_PALETTE_GREEN,
	PD_PALETTE_BLUE,
	PD_PALETTE_AQUA,
	PD_PALETTE_YELLOW,
	PD_PALETTE_PURPLE,
	PD_PALETTE_ORANGE,
	PD_PALETTE_JAVA,
	PD_PALETTE_JS,
	PD_PALETTE_PERL,
	PD_PALETTE_PYTHON,
	PD_PALETTE_RUST,
};

// Parses a --colors name; false if unknown.
bool pd_palette_parse(const char *s, enum pd_palette *p);

// 0xRRGGBB for a frame name (len bytes, annotations included) from a hash
// of the name; namehash: similar names get similar colours (--hash).
uint32_t pd_color_name(enum pd_palette p, const char *name, size_t len,
	bool namehash);

// 0xRRGGBB for a change of delta out of a largest change max (> 0): red
// grew, blue shrank, white unchanged; negate swaps the hues.
uint32_t pd_color_delta(int64_t delta, uint64_t max, bool negate);

// The fill of a differential frame whose change is not significant.
#define PD_COLOR_GREY 0xc8c8c8
// Whether name is a frame pd-collapse ends off-CPU stacks with:
// "[off-cpu]" or a task state such as "[S]", "[D]", "[R+]" or "[D|K]".
bool pd_color_is_offcpu(const char *name, size_t len);

// Length of name without a trailing annotation _[k], _[j], _[i] or _[w].
size_t pd_color_strip_annotation(const char *name, size_t len);

#endif
