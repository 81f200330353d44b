// SPDX-License-Identifier: MIT
// Flame graph colours: palettes, language-aware rules, differential scale.
#include "svg-color.h"

#include <string.h>

#include "hash.h"

static const char *const palette_names[] = {
	"hot", "mem", "io", "red", "green", "blue", "aqua", "yellow",
	"purple", "orange", "java", "js", "perl", "python", "rust",
};

bool pd_palette_parse(const char *s, enum pd_palette *p) {
	for (size_t i = 0; i < sizeof(palette_names) / sizeof(*palette_names);
			i++) {
		if (strcmp(s, palette_names[i]) == 0) {
			*p = (enum pd_palette)i;
			return true;
		}
	}
	return false;
}

static char annotation(const char *s, size_t len) {
	if (len >= 4 && s[len - 4] == '_' && s[len - 3] == '['
			&& s[len - 1] == ']' && strchr("kjiw", s[len - 2])) {
		return s[len - 2];
	}
	return 0;
}

bool pd_color_is_offcpu(const char *name, size_t len) {
	if (len == 9 && memcmp(name, "[off-cpu]", 9) == 0) {
		return true;
	}
	if (len < 3 || len > 10 || name[0] != '[' || name[len - 1] != ']') {
		return false;
	}
	// Letters of the kernel's task states (sched_switch's prev_state),
	// '|' between two, '+' for preempted, '?' for unknown.
	for (size_t i = 1; i + 1 < len; i++) {
		if (!strchr("RSDTtXZPIKWNx+|?", name[i]) || name[i] == '\0') {
			return false;
		}
	}
	return true;
}

size_t pd_color_strip_annotation(const char *name, size_t len) {
	return annotation(name, len) ? len - 4 : len;
}

static bool has(const char *s, size_t len, const char *needle) {
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

static bool starts(const char *s, size_t len, const char *prefix) {
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool java_package(const char *s, size_t len) {
	static const char *const pkgs[] = {
		"java/", "javax/", "jdk/", "net/", "org/", "com/", "io/", "sun/",
	};
	if (len > 0 && s[0] == 'L') {
		s++;
		len--;
	}
	for (size_t i = 0; i < sizeof(pkgs) / sizeof(*pkgs); i++) {
		if (starts(s, len, pkgs[i])) {
			return true;
		}
	}
	return false;
}

static bool rust_std(const char *s, size_t len) {
	if (len > 0 && s[0] == '<') {
		s++;
		len--;
	}
	return starts(s, len, "std::") || starts(s, len, "core::")
		|| starts(s, len, "alloc::");
}

// Language palettes pick a plain palette by the kind of frame. Marks come
// first: _[k] kernel (orange), _[i] inlined (aqua), _[j] JIT (green).
static enum pd_palette kind(enum pd_palette p, const char *s, size_t len) {
	if (p < PD_PALETTE_JAVA) {
		return p;
	}
	char a = annotation(s, len);
	if (a == 'k') {
		return PD_PALETTE_ORANGE;
	}
	if (a == 'i') {
		return PD_PALETTE_AQUA;
	}
	if (a == 'j') {
		// JS builtins are JIT frames without a source path.
		return p == PD_PALETTE_JS && !memchr(s, '/', len)
			? PD_PALETTE_AQUA : PD_PALETTE_GREEN;
	}
	switch (p) {
	case PD_PALETTE_JAVA:
		if (java_package(s, len) || has(s, len, ":::")) {
			return PD_PALETTE_GREEN;
		}
		return has(s, len, "::") ? PD_PALETTE_YELLOW : PD_PALETTE_RED;
	case PD_PALETTE_JS:
		if (has(s, len, "::")) {
			return PD_PALETTE_YELLOW;
		}
		if ((memchr(s, '/', len) && has(s, len, ".js"))
				|| (len == 1 && s[0] == ' ')) {
			return PD_PALETTE_GREEN;
		}
		return memchr(s, ':', len) ? PD_PALETTE_AQUA : PD_PALETTE_RED;
	case PD_PALETTE_PERL:
		if (has(s, len, "::")) {
			return PD_PALETTE_YELLOW;
		}
		return has(s, len, "Perl") || has(s, len, ".pl")
			? PD_PALETTE_GREEN : PD_PALETTE_RED;
	case PD_PALETTE_PYTHON:
		if (has(s, len, ".py")) {
			return PD_PALETTE_GREEN;
		}
		if (len > 0 && s[0] == '<') {
			return PD_PALETTE_AQUA; // <module>, <built-in method ...>
		}
		return has(s, len, "::") ? PD_PALETTE_YELLOW : PD_PALETTE_RED;
	case PD_PALETTE_RUST:
		if (rust_std(s, len)) {
			return PD_PALETTE_YELLOW;
		}
		return has(s, len, "::") ? PD_PALETTE_GREEN : PD_PALETTE_RED;
	default:
		return p;
	}
}

// A value in [0, 1) weighted towards the first bytes, so names sharing a
// prefix get nearby colours.
static double prefix_hash(const char *s, size_t len, bool backwards) {
	double v = 0, max = 1, weight = 1;
	unsigned mod = 10;
	for (size_t i = 0; i < len && i < 3; i++, mod++) {
		unsigned char c = (unsigned char)s[backwards ? len - 1 - i : i];
		v += (double)(c % mod) / (mod - 1) * weight;
		max += weight;
		weight *= 0.7;
	}
	return 1 - v / max;
}

static uint32_t rgb(double r, double g, double b) {
	return (uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b;
}

uint32_t pd_color_name(enum pd_palette p, const char *name, size_t len,
		bool namehash) {
	double v1, v2, v3;
	if (namehash) {
		v1 = prefix_hash(name, len, false);
		v2 = v3 = prefix_hash(name, len, true);
	} else {
		uint64_t h = pd_hash(name, len, 0x9e3779b97f4a7c15ULL);
		v1 = (double)(h & 0xffff) / 65536;
		v2 = (double)(h >> 16 & 0xffff) / 65536;
		v3 = (double)(h >> 32 & 0xffff) / 65536;
	}
	switch (kind(p, name, len)) {
	case PD_PALETTE_MEM:
		return rgb(0, 190 + 50 * v2, 210 * v1);
	case PD_PALETTE_IO:
		return rgb(80 + 60 * v1, 80 + 60 * v1, 190 + 55 * v2);
	case PD_PALETTE_RED:
		return rgb(200 + 55 * v1, 50 + 80 * v1, 50 + 80 * v1);
	case PD_PALETTE_GREEN:
		return rgb(50 + 60 * v1, 200 + 55 * v1, 50 + 60 * v1);
	case PD_PALETTE_BLUE:
		return rgb(80 + 60 * v1, 80 + 60 * v1, 205 + 50 * v1);
	case PD_PALETTE_AQUA:
		return rgb(50 + 60 * v1, 165 + 55 * v1, 165 + 55 * v1);
	case PD_PALETTE_YELLOW:
		return rgb(175 + 55 * v1, 175 + 55 * v1, 50 + 20 * v1);
	case PD_PALETTE_PURPLE:
		return rgb(190 + 65 * v1, 80 + 60 * v1, 190 + 65 * v1);
	case PD_PALETTE_ORANGE:
		return rgb(190 + 65 * v1, 90 + 65 * v1, 0);
	default: // hot
		return rgb(205 + 50 * v3, 230 * v1, 55 * v2);
	}
}

uint32_t pd_color_delta(int64_t delta, uint64_t max, bool negate) {
	if (negate) {
		delta = -delta;
	}
	// Saturation grows with |delta| / max; 210 keeps the strongest
	// change from turning the label unreadable.
	double m = (double)max, d = (double)(delta < 0 ? -delta : delta);
	uint32_t x = (uint32_t)(210 * (m - d) / m);
	if (delta > 0) {
		return 0xff0000 | x << 8 | x;
	}
	if (delta < 0) {
		return x << 16 | x << 8 | 0xff;
	}
	return 0xffffff;
}
