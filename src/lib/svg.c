// SPDX-License-Identifier: MIT
// Flame graph layout and interactive SVG writer.
#include "svg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strbuf.h"

#define XPAD 10
#define FONT_WIDTH 0.59 // average glyph width per pixel of font size

// A frame name made safe for XML: valid UTF-8 with no control characters,
// annotation removed; escaping for markup happens on output.
struct label {
	size_t off, len, cps; // bytes in svg.text, code points
	uint32_t color;
	bool done;
};

struct svg {
	FILE *out;
	char buf[1 << 16];
	size_t n;
	const struct pd_flame *f;
	const struct pd_flame_node *nodes;
	const struct pd_svg_options *o;
	int col;                // count that gives the width
	double scale;           // pixels per count
	uint64_t height, top, bottom, maxdepth; // 64-bit: deep stacks
	uint64_t maxdelta;
	struct label *labels;
	bool *cold; // per node: off-CPU time (o->offcpu), or NULL
	struct pd_strbuf text;
	struct pd_strbuf tmp;
};

static void flush(struct svg *s) {
	fwrite(s->buf, 1, s->n, s->out);
	s->n = 0;
}

static void put(struct svg *s, const char *p, size_t len) {
	if (s->n + len > sizeof(s->buf)) {
		flush(s);
		if (len > sizeof(s->buf)) {
			fwrite(p, 1, len, s->out);
			return;
		}
	}
	memcpy(s->buf + s->n, p, len);
	s->n += len;
}

static void puts_(struct svg *s, const char *p) {
	put(s, p, strlen(p));
}

static void put_u64(struct svg *s, uint64_t v) {
	char d[24];
	size_t i = sizeof(d);
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(s, d + i, sizeof(d) - i);
}

// Like printf("%.2f") for the sizes in an SVG, without its cost.
static void put_fix2(struct svg *s, double v) {
	if (v < 0) {
		uint64_t t = (uint64_t)(-v * 100 + 0.5);
		if (t != 0) {
			put(s, "-", 1);
		}
		v = -v;
	}
	uint64_t t = (uint64_t)(v * 100 + 0.5);
	put_u64(s, t / 100);
	char frac[3] = {'.', (char)('0' + t / 10 % 10), (char)('0' + t % 10)};
	put(s, frac, 3);
}

// A count times --factor, rounded like flamegraph.pl's "%.0f".
static void put_count(struct svg *s, uint64_t c) {
	if (s->o->factor == 1) {
		put_u64(s, c);
		return;
	}
	char b[64];
	int n = snprintf(b, sizeof(b), "%.0f", (double)c * s->o->factor);
	put(s, b, (size_t)n);
}

// Escapes already sanitised text for element content and attributes.
static void put_esc(struct svg *s, const char *p, size_t len) {
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		const char *e;
		switch (p[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		default: continue;
		}
		put(s, p + run, i - run);
		puts_(s, e);
		run = i + 1;
	}
	put(s, p + run, len - run);
}

// Length of the valid UTF-8 sequence at p that XML 1.0 allows (no C0/C1
// controls, surrogates, U+FFFE/U+FFFF), or 0.
static size_t xml_char(const unsigned char *p, size_t len) {
	unsigned c = p[0];
	if (c < 0x80) {
		return c >= 0x20 && c != 0x7f;
	}
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
	if (n == 0 || n > len || c > 0xf4) {
		return 0;
	}
	uint32_t cp = c & (0x3f >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0xa0, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)
			|| cp == 0xfffe || cp == 0xffff) {
		return 0; // overlong, out of range, surrogate, non-character
	}
	return n;
}

// Appends p to b with anything XML cannot hold replaced by U+FFFD;
// returns the number of code points.
static size_t sanitize(struct pd_strbuf *b, const char *p, size_t len) {
	size_t cps = 0;
	for (size_t i = 0; i < len; cps++) {
		size_t n = xml_char((const unsigned char *)p + i, len - i);
		if (n) {
			pd_strbuf_add(b, p + i, n);
			i += n;
		} else {
			pd_strbuf_add(b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	return cps;
}

// Writes user text (title, notes...) sanitised and escaped.
static void put_user(struct svg *s, const char *p) {
	s->tmp.len = 0;
	sanitize(&s->tmp, p, strlen(p));
	put_esc(s, s->tmp.s ? s->tmp.s : "", s->tmp.len);
}

static struct label *label(struct svg *s, uint32_t name) {
	struct label *l = &s->labels[name];
	if (l->done) {
		return l;
	}
	size_t len;
	const char *p = pd_flame_name(s->f, name, &len);
	l->off = s->text.len;
	l->cps = sanitize(&s->text, p, pd_color_strip_annotation(p, len));
	l->len = s->text.len - l->off;
	l->color = pd_color_name(s->o->palette, p, len, s->o->hash);
	l->done = true;
	return l;
}

static void put_pct(struct svg *s, uint64_t c, uint64_t total) {
	put_fix2(s, total ? 100.0 * (double)c / (double)total : 0);
	put(s, "%", 1);
}

static void put_signed(struct svg *s, double d, bool count) {
	if (count ? d >= 0.5 : d >= 0.005) {
		put(s, "+", 1);
	}
	if (count) {
		char b[64];
		int n = snprintf(b, sizeof(b), "%.0f", d);
		put(s, b, (size_t)n);
	} else {
		put_fix2(s, d);
	}
}

// "what before -> after (+change) [countname], before% -> after% (+pp)"
static void put_change(struct svg *s, const char *what, const uint64_t c[2],
		bool unit) {
	const uint64_t *t = s->nodes[0].total;
	puts_(s, what);
	put_count(s, c[0]);
	puts_(s, " -> ");
	put_count(s, c[1]);
	puts_(s, " (");
	put_signed(s, ((double)c[1] - (double)c[0]) * s->o->factor, true);
	puts_(s, unit ? ") " : "), ");
	if (unit) {
		put_user(s, s->o->countname);
		puts_(s, ", ");
	}
	put_pct(s, c[0], t[0]);
	puts_(s, " -> ");
	put_pct(s, c[1], t[1]);
	puts_(s, " (");
	double p0 = t[0] ? 100.0 * (double)c[0] / (double)t[0] : 0;
	double p1 = t[1] ? 100.0 * (double)c[1] / (double)t[1] : 0;
	put_signed(s, p1 - p0, false);
	puts_(s, " pp)");
}

// The self line, shortened in the two common cases to keep SVGs small.
static void put_self(struct svg *s, const struct pd_flame_node *n) {
	if (n->self[0] == 0 && n->self[1] == 0) {
		puts_(s, "self 0");
	} else if (n->self[0] == n->total[0] && n->self[1] == n->total[1]) {
		puts_(s, "self = total");
	} else {
		put_change(s, "self ", n->self, false);
	}
}

static int64_t self_delta(const struct pd_flame_node *n) {
	uint64_t a = n->self[0], b = n->self[1];
	uint64_t d = b >= a ? b - a : a - b;
	int64_t m = d > INT64_MAX ? INT64_MAX : (int64_t)d;
	return b >= a ? m : -m;
}

static void put_frame(struct svg *s, const struct pd_flame_node *n,
		uint64_t start) {
	const struct pd_svg_options *o = s->o;
	struct label *l = label(s, n->name);
	const char *name = s->text.s + l->off;
	double x = XPAD + (double)start * s->scale;
	double w = (double)n->total[s->col] * s->scale;
	uint64_t y = o->inverted
		? s->top + (uint64_t)n->depth * o->frameheight
		: s->height - s->bottom - ((uint64_t)n->depth + 1) * o->frameheight;
	puts_(s, "<g><title>");
	put_esc(s, name, l->len);
	put(s, "\n", 1);
	if (o->diff) {
		put_change(s, "total ", n->total, true);
		put(s, "\n", 1);
		put_self(s, n);
	} else {
		put_count(s, n->total[0]);
		put(s, " ", 1);
		put_user(s, o->countname);
		puts_(s, ", ");
		put_pct(s, n->total[0], s->nodes[0].total[0]);
	}
	puts_(s, "</title><rect x=\"");
	put_fix2(s, x);
	puts_(s, "\" y=\"");
	put_u64(s, y);
	puts_(s, "\" width=\"");
	put_fix2(s, w);
	puts_(s, "\" height=\"");
	put_u64(s, o->frameheight - 1);
	uint32_t color = o->diff ? pd_color_delta(self_delta(n), s->maxdelta,
		o->negate) : l->color;
	if (o->diff && o->grey && o->grey[n->name]) {
		color = PD_COLOR_GREY;
	} else if (s->cold && s->cold[n - s->nodes]) {
		size_t len;
		const char *p = pd_flame_name(s->f, n->name, &len);
		color = pd_color_name(o->offcpu_palette, p, len, o->hash);
	}
	char fill[8];
	snprintf(fill, sizeof(fill), "%06x", color & 0xffffff);
	puts_(s, "\" fill=\"#");
	put(s, fill, 6);
	puts_(s, "\"/>");
	// As many characters as fit; ".." marks a cut.
	double fit = (w - 6) / (o->fontsize * FONT_WIDTH);
	if (fit >= 3) {
		size_t chars = (size_t)fit;
		puts_(s, "<text x=\"");
		put_fix2(s, x + 3);
		puts_(s, "\" y=\"");
		put_fix2(s, y + (o->frameheight - 1) / 2.0 + o->fontsize * 0.35);
		puts_(s, "\">");
		if (l->cps <= chars) {
			put_esc(s, name, l->len);
		} else {
			size_t keep = chars - 2, i = 0;
			for (size_t k = 0; k < keep; k++) {
				i++;
				while (i < l->len && (name[i] & 0xc0) == 0x80) {
					i++;
				}
			}
			put_esc(s, name, i);
			puts_(s, "..");
		}
		puts_(s, "</text>");
	}
	puts_(s, "</g>\n");
}

static double full_width(const struct pd_svg_options *o) {
	return o->width > 2 * XPAD ? o->width - 2 * XPAD : 1;
}

struct pd_svg_options pd_svg_defaults(void) {
	return (struct pd_svg_options){
		.fonttype = "Verdana",
		.countname = "samples",
		.nametype = "Function:",
		.width = 1200,
		.frameheight = 16,
		.fontsize = 12,
		.minwidth = 0.1,
		.factor = 1,
		.offcpu = true,
		.offcpu_palette = PD_PALETTE_BLUE,
	};
}

bool pd_svg_drawn(const struct pd_svg_options *o, uint64_t total,
		uint64_t count) {
	if (count == 0 || total == 0) {
		return false;
	}
	double full = full_width(o);
	double min = o->minwidth_pct ? full * o->minwidth / 100 : o->minwidth;
	return (double)count * (full / (double)total) >= min;
}

bool pd_svg_keep(void *ctx, uint64_t count) {
	const struct pd_svg_keep_ctx *k = ctx;
	return pd_svg_drawn(k->o, k->total, count);
}

// Which nodes are off-CPU time: an off-CPU frame and what lies under it
// (its callers, in a --reverse graph), and frames whose stacks all end
// under one. Narrow subtrees left unbuilt count for neither side.
static bool *cold_nodes(const struct svg *s) {
	size_t n = pd_flame_size(s->f);
	bool *under = pd_xcalloc(n + 1, sizeof(*under));
	uint64_t (*w)[2] = pd_xcalloc(n + 1, sizeof(*w)); // warm, cold
	bool any = false;
	// A child always has a higher number than its parent.
	for (size_t i = 1; i < n; i++) {
		const struct pd_flame_node *nd = &s->nodes[i];
		size_t len;
		const char *p = pd_flame_name(s->f, nd->name, &len);
		under[i] = under[nd->parent] || pd_color_is_offcpu(p, len);
		any |= under[i];
		w[i][under[i]] += nd->self[s->col];
	}
	for (size_t i = n; any && i-- > 1;) {
		const struct pd_flame_node *nd = &s->nodes[i];
		under[i] |= w[i][0] == 0 && w[i][1] > 0;
		w[nd->parent][0] += w[i][0];
		w[nd->parent][1] += w[i][1];
	}
	free(w);
	if (!any) {
		free(under);
		return NULL;
	}
	return under;
}

struct item {
	uint32_t node;
	uint64_t start;
};

// Visits the frames wide enough to draw, parents first; writes them if
// emit, else only finds the deepest.
static void walk(struct svg *s, bool emit) {
	if (s->nodes[0].total[s->col] == 0) {
		return;
	}
	struct item *stack = NULL;
	size_t n = 0, cap = 0;
	pd_xgrow(&stack, &cap, 1, sizeof(*stack));
	stack[n++] = (struct item){0, 0};
	while (n > 0) {
		struct item it = stack[--n];
		const struct pd_flame_node *nd = &s->nodes[it.node];
		uint64_t w = nd->total[s->col];
		if (!pd_svg_drawn(s->o, s->nodes[0].total[s->col], w)) {
			continue;
		}
		if (emit) {
			put_frame(s, nd, it.start);
		} else if (nd->depth > s->maxdepth) {
			s->maxdepth = nd->depth;
		}
		// Push children so that the first one comes out first.
		size_t first = n;
		uint64_t start = it.start;
		for (uint32_t c = nd->child; c; c = s->nodes[c].next) {
			pd_xgrow(&stack, &cap, n + 1, sizeof(*stack));
			stack[n++] = (struct item){c, start};
			start += s->nodes[c].total[s->col];
		}
		for (size_t i = first, j = n; i + 1 < j; i++, j--) {
			struct item t = stack[i];
			stack[i] = stack[j - 1];
			stack[j - 1] = t;
		}
	}
	free(stack);
}

static void put_num(struct svg *s, double v) {
	char b[64];
	int n = snprintf(b, sizeof(b), "%.2f", v);
	while (n > 0 && b[n - 1] == '0') {
		n--;
	}
	if (n > 0 && b[n - 1] == '.') {
		n--;
	}
	put(s, b, (size_t)n);
}

static void put_text(struct svg *s, const char *id, const char *attrs,
		double x, uint64_t y, const char *text) {
	puts_(s, "<text id=\"");
	puts_(s, id);
	puts_(s, "\" x=\"");
	put_num(s, x);
	puts_(s, "\" y=\"");
	put_u64(s, y);
	puts_(s, "\"");
	puts_(s, attrs);
	puts_(s, ">");
	put_user(s, text);
	puts_(s, "</text>\n");
}

static void put_header(struct svg *s) {
	const struct pd_svg_options *o = s->o;
	double fs = o->fontsize;
	puts_(s, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"");
	put_u64(s, o->width);
	puts_(s, "\" height=\"");
	put_u64(s, s->height);
	puts_(s, "\" viewBox=\"0 0 ");
	put_u64(s, o->width);
	put(s, " ", 1);
	put_u64(s, s->height);
	puts_(s, "\" font-family=\"");
	put_user(s, o->fonttype);
	puts_(s, "\" font-size=\"");
	put_num(s, fs);
	puts_(s, "\">\n");
	if (o->notes) {
		puts_(s, "<desc>");
		put_user(s, o->notes);
		puts_(s, "</desc>\n");
	}
	puts_(s, "<style>#frames g{cursor:pointer}#frames text{pointer-events:none}"
		"#frames rect{rx:2px;ry:2px}#frames g:hover>rect{stroke:#000;"
		"stroke-width:.5}.m>rect{fill:#e600e6}.p{opacity:.5}.h{display:none}"
		".b{cursor:pointer}.b:hover{text-decoration:underline}</style>\n"
		"<defs><linearGradient id=\"bg\" y2=\"1\" x2=\"0\">"
		"<stop offset=\"5%\" stop-color=\"#eee\"/>"
		"<stop offset=\"95%\" stop-color=\"#");
	puts_(s, o->diff ? "eee" : "eeeeb0");
	puts_(s, "\"/></linearGradient></defs>\n"
		"<rect width=\"100%\" height=\"100%\" fill=\"url(#bg)\"/>\n");
	unsigned ty = (unsigned)(fs * 2 + 0.5);
	put_text(s, "title", " text-anchor=\"middle\" font-size=\"1.4em\"",
		o->width / 2.0, ty, o->title);
	if (o->subtitle) {
		put_text(s, "subtitle", " text-anchor=\"middle\" fill=\"#777\"",
			o->width / 2.0, (unsigned)(fs * 4 + 0.5), o->subtitle);
	}
	uint64_t by = s->height - (uint64_t)(fs + 5 + 0.5);
	put_text(s, "unzoom", " class=\"b h\"", XPAD, ty, "Reset Zoom");
	put_text(s, "search", " class=\"b\" text-anchor=\"end\"",
		o->width - XPAD, ty, "Search");
	puts_(s, "<text id=\"details\" x=\"10\" y=\"");
	put_u64(s, by);
	puts_(s, "\" data-nametype=\"");
	put_user(s, o->nametype);
	puts_(s, "\"> </text>\n");
	put_text(s, "matched", " text-anchor=\"end\"", o->width - XPAD, by, " ");
	if (s->nodes[0].total[s->col] == 0) {
		put_text(s, "empty", " text-anchor=\"middle\"", o->width / 2.0,
			s->top + o->frameheight, "No samples in the input");
	}
}

static void put_script(struct svg *s) {
	const struct pd_svg_options *o = s->o;
	// Numbers only: no names or user text inside the CDATA section.
	puts_(s, "<script type=\"text/ecmascript\"><![CDATA[\nvar pd_cfg = {fs: ");
	put_num(s, o->fontsize);
	puts_(s, ", fw: 0.59, xpad: " "10" ", width: ");
	put_u64(s, o->width);
	puts_(s, ", ty: ");
	put_num(s, (o->frameheight - 1) / 2.0 + o->fontsize * 0.35);
	puts_(s, ", inv: ");
	puts_(s, o->inverted ? "true" : "false");
	puts_(s, ", diff: ");
	puts_(s, o->diff ? "true" : "false");
	puts_(s, "};\n");
	puts_(s, pd_svg_js);
	puts_(s, "]]></script>\n");
}

void pd_svg_write(FILE *out, const struct pd_flame *f,
		const struct pd_svg_options *o) {
	struct svg *s = pd_xcalloc(1, sizeof(*s));
	s->out = out;
	s->f = f;
	s->nodes = pd_flame_nodes(f);
	s->o = o;
	s->col = o->diff ? 1 : 0;
	s->labels = pd_xcalloc(pd_flame_names(f), sizeof(*s->labels));
	uint64_t total = s->nodes[0].total[s->col];
	s->scale = total ? full_width(o) / (double)total : 0;
	s->maxdelta = pd_flame_max_delta(f) > 1 ? pd_flame_max_delta(f) : 1;
	s->cold = o->offcpu && !o->diff ? cold_nodes(s) : NULL;
	walk(s, false);
	s->top = (unsigned)(o->fontsize * (o->subtitle ? 5 : 3) + 0.5);
	s->bottom = (unsigned)(o->fontsize * 2 + 10 + 0.5);
	s->height = s->top + s->bottom + (s->maxdepth + 1) * (uint64_t)o->frameheight;
	put_header(s);
	puts_(s, "<g id=\"frames\">\n");
	walk(s, true);
	puts_(s, "</g>\n");
	put_script(s);
	puts_(s, "</svg>\n");
	flush(s);
	pd_strbuf_finish(&s->text);
	pd_strbuf_finish(&s->tmp);
	free(s->labels);
	free(s->cold);
	free(s);
}
