// SPDX-License-Identifier: MIT
// pd-top's output: the table per function and the butterfly view of one
// function, as aligned text, TSV, JSON or Markdown.
#include "top.h"

#include <stdlib.h>
#include <string.h>

#include "top-internal.h"
#include "alloc.h"
#include "strbuf.h"

enum kind { COUNT, SHARE, DELTA };

// A column of numbers. v[src] (and v[src + 1] for a delta) of a row is
// what it shows; the count's profile is src % 2 (0 before, 1 after).
struct col {
	const char *group; // text: a label over the columns of one group
	const char *head;  // text header (and Markdown, after the group)
	const char *tsv;   // TSV header; NULL: the column is in JSON only
	const char *json;  // JSON member name
	enum kind kind;
	int src;
};

static const struct col table_cols[] = {
	{NULL, "self", "self", "self", COUNT, 0},
	{NULL, "self%", "self%", "self_share", SHARE, 0},
	{NULL, "total", "total", "total", COUNT, 2},
	{NULL, "total%", "total%", "total_share", SHARE, 2},
};

static const struct col diff_table_cols[] = {
	{NULL, NULL, NULL, "self_before", COUNT, 0},
	{NULL, NULL, NULL, "self_after", COUNT, 1},
	{NULL, NULL, NULL, "total_before", COUNT, 2},
	{NULL, NULL, NULL, "total_after", COUNT, 3},
	{"self%", "before", "self_before%", "self_before_share", SHARE, 0},
	{"self%", "after", "self_after%", "self_after_share", SHARE, 1},
	{"self%", "delta", "self_delta", "self_delta", DELTA, 0},
	{"total%", "before", "total_before%", "total_before_share", SHARE, 2},
	{"total%", "after", "total_after%", "total_after_share", SHARE, 3},
	{"total%", "delta", "total_delta", "total_delta", DELTA, 2},
};

static const struct col edge_cols[] = {
	{NULL, "count", "count", "count", COUNT, 0},
	{NULL, "count%", "count%", "share", SHARE, 0},
};

static const struct col diff_edge_cols[] = {
	{NULL, NULL, NULL, "before", COUNT, 0},
	{NULL, NULL, NULL, "after", COUNT, 1},
	{NULL, "before%", "before%", "before_share", SHARE, 0},
	{NULL, "after%", "after%", "after_share", SHARE, 1},
	{NULL, "delta", "delta", "delta", DELTA, 0},
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))
enum { MAXCOLS = NCOLS(diff_table_cols) };

struct row {
	const char *name;
	size_t len;
	const char *rel; // butterfly: total, self, outermost, caller, callee
	uint64_t v[4];
	unsigned __int128 sort; // larger first
};

struct table {
	const struct col *cols;
	size_t ncols;
	const char *namehead;
	bool rel; // a relation column first
	struct row *rows;
	size_t n, cap;
	size_t omitted; // rows left out by --top
};

struct out {
	FILE *f;
	const struct pd_top *t;
	const struct pd_top_report *r;
	uint64_t total[2];  // counts of each profile, 0 replaced by 1
	struct pd_strbuf name; // an escaped name
};

static double share(uint64_t n, uint64_t total) {
	return total ? 100.0 * (double)n / (double)total : 0;
}

// Writes a column's value of row v into buf; sign: "+" before growth.
static void cell(char buf[32], const struct out *o, const struct col *c,
		const uint64_t *v, bool sign) {
	const uint64_t *t = o->t->samples;
	if (c->kind == COUNT) {
		snprintf(buf, 32, "%llu", (unsigned long long)v[c->src]);
	} else if (c->kind == SHARE) {
		snprintf(buf, 32, "%.2f", share(v[c->src], t[c->src % 2]));
	} else {
		double d = share(v[c->src + 1], t[1]) - share(v[c->src], t[0]);
		snprintf(buf, 32, sign ? "%+.2f" : "%.2f", d);
		if (strcmp(buf + (buf[0] == '+' || buf[0] == '-'), "0.00") == 0) {
			strcpy(buf, "0.00"); // no "-0.00"
		}
	}
}

// Decodes the UTF-8 sequence at s (n bytes left) into *cp; returns its
// length, or 0 if it is not valid (overlong, surrogate, cut short).
static size_t utf8(const unsigned char *s, size_t n, uint32_t *cp) {
	size_t len = s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3
		: s[0] < 0xf5 ? 4 : 0;
	if (len == 0 || len > n) {
		return 0;
	}
	uint32_t c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000
			|| c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff)) {
		return 0;
	}
	*cp = c;
	return len;
}

// Characters a terminal may act on (C0, DEL, C1 including 8-bit CSI) or
// that reorder what is shown (bidirectional overrides), or break lines.
static bool unsafe(uint32_t c) {
	return c < 0x20 || (c >= 0x7f && c < 0xa0)
		|| (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

// Names are untrusted. Text, TSV and Markdown show unsafe characters and
// invalid bytes as \xNN or \uNNNN, and "\" as "\\" if backslash (not in
// the --grep pattern, which is the user's own).
static void escape_text(struct pd_strbuf *b, const char *name, size_t len,
		bool backslash) {
	const unsigned char *s = (const unsigned char *)name;
	for (size_t i = 0; i < len;) {
		uint32_t c = s[i];
		size_t n = c < 0x80 ? 1 : utf8(s + i, len - i, &c);
		if (n == 0) {
			pd_strbuf_printf(b, "\\x%02x", s[i++]);
		} else if (c == '\\' && backslash) {
			pd_strbuf_add(b, "\\\\", 2);
			i++;
		} else if (unsafe(c)) {
			pd_strbuf_printf(b, c < 0x80 ? "\\x%02x" : "\\u%04x",
				(unsigned)c);
			i += n;
		} else {
			pd_strbuf_add(b, name + i, n);
			i += n;
		}
	}
}

// JSON strings (RFC 8259): quotes, backslashes and unsafe characters
// escaped, invalid UTF-8 replaced by U+FFFD.
static void escape_json(struct pd_strbuf *b, const char *name, size_t len) {
	const unsigned char *s = (const unsigned char *)name;
	pd_strbuf_addc(b, '"');
	for (size_t i = 0; i < len;) {
		uint32_t c = s[i];
		size_t n = c < 0x80 ? 1 : utf8(s + i, len - i, &c);
		if (n == 0) {
			pd_strbuf_adds(b, "\\ufffd");
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			pd_strbuf_addc(b, '\\');
			pd_strbuf_addc(b, (char)c);
		} else if (c == '\n') {
			pd_strbuf_adds(b, "\\n");
		} else if (c == '\t') {
			pd_strbuf_adds(b, "\\t");
		} else if (unsafe(c)) {
			pd_strbuf_printf(b, "\\u%04x", (unsigned)c);
		} else {
			pd_strbuf_add(b, name + i, n);
		}
		i += n;
	}
	pd_strbuf_addc(b, '"');
}

// Markdown: an inline code span (so "<", "*" and "_" show as they are)
// fenced by more backticks than it holds; in a table cell (a name, not the
// --grep pattern) with "|" escaped.
static void escape_markdown(struct pd_strbuf *b, const char *name, size_t len,
		bool cell) {
	struct pd_strbuf e = {0};
	escape_text(&e, name, len, cell);
	if (e.len == 0) {
		pd_strbuf_adds(b, "*(empty)*");
		pd_strbuf_finish(&e);
		return;
	}
	size_t run = 0, most = 0;
	for (size_t i = 0; i < e.len; i++) {
		run = e.s[i] == '`' ? run + 1 : 0;
		most = run > most ? run : most;
	}
	bool pad = e.s[0] == '`' || e.s[e.len - 1] == '`'
		|| (e.s[0] == ' ' && e.s[e.len - 1] == ' ');
	for (size_t i = 0; i <= most; i++) {
		pd_strbuf_addc(b, '`');
	}
	if (pad) {
		pd_strbuf_addc(b, ' ');
	}
	for (size_t i = 0; i < e.len; i++) {
		if (e.s[i] == '|' && cell) {
			pd_strbuf_addc(b, '\\');
		}
		pd_strbuf_addc(b, e.s[i]);
	}
	if (pad) {
		pd_strbuf_addc(b, ' ');
	}
	for (size_t i = 0; i <= most; i++) {
		pd_strbuf_addc(b, '`');
	}
	pd_strbuf_finish(&e);
}

// Shortens an escaped name to at most max characters (code points).
static void cut(struct pd_strbuf *b, size_t max) {
	size_t chars = 0, keep = 0;
	for (size_t i = 0; i < b->len; i++) {
		if (((unsigned char)b->s[i] & 0xc0) != 0x80) {
			if (++chars == max - 2) {
				keep = i;
			}
		}
	}
	if (chars > max && max > 3) {
		b->len = keep;
		pd_strbuf_add(b, "...", 3);
	}
}

static const char *escaped(struct out *o, const char *name, size_t len) {
	o->name.len = 0;
	pd_strbuf_add(&o->name, "", 0);
	if (o->r->format == PD_TOP_JSON) {
		escape_json(&o->name, name, len);
	} else if (o->r->format == PD_TOP_MARKDOWN) {
		escape_markdown(&o->name, name, len, true);
	} else {
		escape_text(&o->name, name, len, true);
	}
	return o->name.s;
}

static bool shown(const struct col *c) {
	return c->tsv != NULL;
}

static int cmp_rows(const void *pa, const void *pb) {
	const struct row *a = pa, *b = pb;
	if (a->sort != b->sort) {
		return a->sort > b->sort ? -1 : 1;
	}
	int c = memcmp(a->name, b->name, a->len < b->len ? a->len : b->len);
	return c ? c : a->len < b->len ? -1 : a->len > b->len;
}

// The sort key of v: the count in column src (after, if differential),
// the size of the change of its share, or nothing (by name).
static unsigned __int128 sort_key(const struct out *o, const uint64_t *v,
		int src, bool delta) {
	if (o->r->sort == PD_TOP_SORT_NAME) {
		return 0;
	}
	if (!delta) {
		return v[src + o->r->diff];
	}
	// |b/T1 - a/T0| compared exactly: |b*T0 - a*T1| over the same T0*T1.
	unsigned __int128 a = (unsigned __int128)v[src] * o->total[1];
	unsigned __int128 b = (unsigned __int128)v[src + 1] * o->total[0];
	return a > b ? a - b : b - a;
}

// Whether rows are ordered by the change of a share.
static bool by_delta(const struct pd_top_report *r) {
	return r->sort == PD_TOP_SORT_SELF_DELTA
		|| r->sort == PD_TOP_SORT_TOTAL_DELTA
		|| (r->sort == PD_TOP_SORT_DEFAULT && r->diff);
}

static bool big_enough(const struct out *o, const uint64_t *v, int src) {
	double min = o->r->min_share;
	return share(v[src], o->t->samples[0]) >= min
		|| (o->r->diff && share(v[src + 1], o->t->samples[1]) >= min);
}

static void push(struct table *tb, const struct row *r) {
	pd_xgrow(&tb->rows, &tb->cap, tb->n + 1, sizeof(*tb->rows));
	tb->rows[tb->n++] = *r;
}

static void finish_table(const struct out *o, struct table *tb, size_t from) {
	if (tb->n - from > 1) { // rows may still be NULL
		qsort(tb->rows + from, tb->n - from, sizeof(*tb->rows), cmp_rows);
	}
	size_t limit = o->r->limit;
	if (limit && tb->n - from > limit) {
		tb->omitted += tb->n - from - limit;
		tb->n = from + limit;
	}
}

static const char *row_noun(enum pd_top_by by) {
	return by == PD_TOP_BY_FRAME ? "frame" : by == PD_TOP_BY_MODULE
		? "module" : "function";
}

static void build_table(const struct out *o, struct table *tb) {
	const struct pd_top *t = o->t;
	enum pd_top_sort s = o->r->sort;
	bool delta = by_delta(o->r);
	int src = s == PD_TOP_SORT_TOTAL || s == PD_TOP_SORT_TOTAL_DELTA ? 2 : 0;
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct pd_top_key *k = &t->keys[i];
		if (!k->stamp || (t->o.grep && !k->match)) {
			continue;
		}
		struct row r = {k->name, k->len, NULL,
			{k->self[0], k->self[1], k->total[0], k->total[1]}, 0};
		if (!big_enough(o, r.v, 2)) {
			continue;
		}
		r.sort = sort_key(o, r.v, src, delta);
		push(tb, &r);
	}
	finish_table(o, tb, 0);
}

static void add_edges(const struct out *o, struct table *tb, const char *rel,
		const struct pd_top_edges *e) {
	bool delta = by_delta(o->r);
	size_t from = tb->n;
	for (size_t i = 0; i < e->n; i++) {
		const struct pd_top_key *k = &o->t->keys[e->v[i].key];
		struct row r = {k->name, k->len, rel,
			{e->v[i].count[0], e->v[i].count[1], 0, 0}, 0};
		if (big_enough(o, r.v, 0)) {
			r.sort = sort_key(o, r.v, 0, delta);
			push(tb, &r);
		}
	}
	finish_table(o, tb, from);
}

// The focus function's own rows, then its callers and callees.
static void build_butterfly(const struct out *o, struct table *tb) {
	const struct pd_top *t = o->t;
	const struct pd_top_key *f = &t->keys[t->focus];
	const struct row own[] = {
		{f->name, f->len, "total", {f->total[0], f->total[1], 0, 0}, 0},
		{f->name, f->len, "self", {f->self[0], f->self[1], 0, 0}, 0},
		{f->name, f->len, "outermost", {t->outermost[0], t->outermost[1],
			0, 0}, 0},
	};
	for (size_t i = 0; i < NCOLS(own); i++) {
		if (i < 2 || o->r->callers) {
			push(tb, &own[i]);
		}
	}
	if (o->r->callers) {
		add_edges(o, tb, "caller", &t->callers);
	}
	if (o->r->callees) {
		add_edges(o, tb, "callee", &t->callees);
	}
}

// Over each group of columns (differential tables), its label centred.
static void text_groups(FILE *f, const struct table *tb, const size_t *w,
		size_t relw) {
	char line[256];
	size_t pos = relw, len = 0;
	memset(line, ' ', sizeof(line));
	for (size_t j = 0; j < tb->ncols; j++) {
		const struct col *c = &tb->cols[j];
		if (!shown(c)) {
			continue;
		}
		size_t start = pos;
		const char *g = c->group;
		while (j + 1 < tb->ncols && g && tb->cols[j + 1].group
				&& strcmp(tb->cols[j + 1].group, g) == 0) {
			pos += w[j++] + 2;
		}
		pos += w[j] + 2;
		size_t n = g ? strlen(g) : 0, span = pos - 2 - start;
		if (g && n <= span && pos < sizeof(line)) {
			memcpy(line + start + (span - n + 1) / 2, g, n);
			len = pos;
		}
	}
	while (len > 0 && line[len - 1] == ' ') {
		len--;
	}
	if (len) {
		fwrite(line, 1, len, f);
		fputc('\n', f);
	}
}

static void text_table(struct out *o, const struct table *tb) {
	FILE *f = o->f;
	size_t w[MAXCOLS] = {0}, relw = 0;
	char buf[32];
	for (size_t j = 0; j < tb->ncols; j++) {
		w[j] = shown(&tb->cols[j]) ? strlen(tb->cols[j].head) : 0;
	}
	for (size_t i = 0; i < tb->n; i++) {
		const struct row *r = &tb->rows[i];
		for (size_t j = 0; j < tb->ncols; j++) {
			if (shown(&tb->cols[j])) {
				cell(buf, o, &tb->cols[j], r->v, true);
				size_t n = strlen(buf);
				w[j] = n > w[j] ? n : w[j];
			}
		}
	}
	if (tb->rel) {
		relw = strlen("outermost") + 2;
	}
	size_t prefix = relw;
	for (size_t j = 0; j < tb->ncols; j++) {
		prefix += shown(&tb->cols[j]) ? w[j] + 2 : 0;
	}
	text_groups(f, tb, w, relw);
	if (tb->rel) {
		fprintf(f, "%-*s", (int)relw, "relation");
	}
	for (size_t j = 0; j < tb->ncols; j++) {
		if (shown(&tb->cols[j])) {
			fprintf(f, "%*s  ", (int)w[j], tb->cols[j].head);
		}
	}
	fprintf(f, "%s\n", tb->namehead);
	unsigned width = o->r->width;
	size_t room = width > prefix + 10 ? width - prefix : 10;
	for (size_t i = 0; i < tb->n; i++) {
		const struct row *r = &tb->rows[i];
		if (tb->rel) {
			fprintf(f, "%-*s", (int)relw, r->rel);
		}
		for (size_t j = 0; j < tb->ncols; j++) {
			if (shown(&tb->cols[j])) {
				cell(buf, o, &tb->cols[j], r->v, true);
				fprintf(f, "%*s  ", (int)w[j], buf);
			}
		}
		escaped(o, r->name, r->len);
		if (width) {
			cut(&o->name, room);
		}
		fwrite(o->name.s, 1, o->name.len, f);
		fputc('\n', f);
	}
}

static void tsv_table(struct out *o, const struct table *tb) {
	FILE *f = o->f;
	char buf[32];
	if (tb->rel) {
		fputs("relation\t", f);
	}
	for (size_t j = 0; j < tb->ncols; j++) {
		if (shown(&tb->cols[j])) {
			fprintf(f, "%s\t", tb->cols[j].tsv);
		}
	}
	fprintf(f, "%s\n", tb->namehead);
	for (size_t i = 0; i < tb->n; i++) {
		const struct row *r = &tb->rows[i];
		if (tb->rel) {
			fprintf(f, "%s\t", r->rel);
		}
		for (size_t j = 0; j < tb->ncols; j++) {
			if (shown(&tb->cols[j])) {
				cell(buf, o, &tb->cols[j], r->v, false);
				fprintf(f, "%s\t", buf);
			}
		}
		escaped(o, r->name, r->len);
		fwrite(o->name.s, 1, o->name.len, f);
		fputc('\n', f);
	}
}

static void markdown_table(struct out *o, const struct table *tb) {
	FILE *f = o->f;
	char buf[32];
	fputs(tb->rel ? "| relation |" : "|", f);
	for (size_t j = 0; j < tb->ncols; j++) {
		const struct col *c = &tb->cols[j];
		if (shown(c)) {
			fprintf(f, " %s%s%s |", c->group ? c->group : "",
				c->group ? " " : "", c->head);
		}
	}
	fprintf(f, " %s |\n", tb->namehead);
	fputs(tb->rel ? "|:---|" : "|", f);
	for (size_t j = 0; j < tb->ncols; j++) {
		if (shown(&tb->cols[j])) {
			fputs("---:|", f);
		}
	}
	fputs(":---|\n", f);
	for (size_t i = 0; i < tb->n; i++) {
		const struct row *r = &tb->rows[i];
		if (tb->rel) {
			fprintf(f, "| %s ", r->rel);
		}
		for (size_t j = 0; j < tb->ncols; j++) {
			if (shown(&tb->cols[j])) {
				cell(buf, o, &tb->cols[j], r->v, true);
				fprintf(f, "| %s ", buf);
			}
		}
		fprintf(f, "| %s |\n", escaped(o, r->name, r->len));
	}
}

// The members of one JSON object for v, after the name if there is one.
static void json_members(struct out *o, const struct col *cols, size_t ncols,
		const uint64_t *v, bool first) {
	char buf[32];
	for (size_t j = 0; j < ncols; j++) {
		cell(buf, o, &cols[j], v, false);
		fprintf(o->f, "%s\"%s\": %s", first && j == 0 ? "" : ", ",
			cols[j].json, buf);
	}
}

// Rows [from, to) of tb as a JSON array, one object a line.
static void json_rows(struct out *o, const struct table *tb,
		const struct col *cols, size_t ncols, size_t from, size_t to,
		const char *indent) {
	fputc('[', o->f);
	for (size_t i = from; i < to; i++) {
		const struct row *r = &tb->rows[i];
		fprintf(o->f, "%s\n%s  {\"name\": %s", i > from ? "," : "", indent,
			escaped(o, r->name, r->len));
		json_members(o, cols, ncols, r->v, false);
		fputc('}', o->f);
	}
	fprintf(o->f, "%s%s]", to > from ? "\n" : "", to > from ? indent : "");
}

// The rows of tb whose relation is rel: [*from, *to).
static void rel_range(const struct table *tb, const char *rel, size_t *from,
		size_t *to) {
	size_t i = 0;
	while (i < tb->n && strcmp(tb->rows[i].rel, rel) != 0) {
		i++;
	}
	*from = *to = i;
	while (*to < tb->n && strcmp(tb->rows[*to].rel, rel) == 0) {
		(*to)++;
	}
}

static void json_butterfly(struct out *o, const struct table *tb) {
	FILE *f = o->f;
	const struct pd_top *t = o->t;
	const struct col *ec = o->r->diff ? diff_edge_cols : edge_cols;
	size_t nec = o->r->diff ? NCOLS(diff_edge_cols) : NCOLS(edge_cols);
	const struct pd_top_key *k = &t->keys[t->focus];
	fprintf(f, "  \"butterfly\": {\n    \"name\": %s,\n    \"found\": %s",
		escaped(o, k->name, k->len), k->stamp ? "true" : "false");
	static const char *const rels[] = {"total", "self", "outermost",
		"caller", "callee"};
	for (size_t i = 0; i < NCOLS(rels); i++) {
		size_t from, to;
		rel_range(tb, rels[i], &from, &to);
		if (i < 3 && from < to) {
			fprintf(f, ",\n    \"%s\": {", rels[i]);
			json_members(o, ec, nec, tb->rows[from].v, true);
			fputc('}', f);
		} else if ((i == 3 && o->r->callers) || (i == 4 && o->r->callees)) {
			fprintf(f, ",\n    \"%ss\": ", rels[i]);
			json_rows(o, tb, ec, nec, from, to, "    ");
		}
	}
	fprintf(f, ",\n    \"omitted\": %zu\n  }\n", tb->omitted);
}

static void json_write(struct out *o, const struct table *tb) {
	FILE *f = o->f;
	const struct pd_top *t = o->t;
	const struct pd_top_report *r = o->r;
	const struct col *ec = r->diff ? diff_edge_cols : edge_cols;
	size_t nec = r->diff ? NCOLS(diff_edge_cols) : NCOLS(edge_cols);
	size_t distinct = 0;
	for (size_t i = 0; i < t->nkeys; i++) {
		distinct += t->keys[i].stamp != 0;
	}
	fprintf(f, "{\n  \"version\": 1,\n  \"by\": \"%s\",\n"
		"  \"differential\": %s,\n", row_noun(t->o.by),
		r->diff ? "true" : "false");
	if (r->diff) {
		fprintf(f, "  \"samples_before\": %llu,\n  \"samples_after\": %llu,\n",
			(unsigned long long)t->samples[0],
			(unsigned long long)t->samples[1]);
	} else {
		fprintf(f, "  \"samples\": %llu,\n",
			(unsigned long long)t->samples[0]);
	}
	fprintf(f, "  \"distinct\": %zu,\n  \"grep\": ", distinct);
	if (r->grep) {
		fprintf(f, "{\"regex\": %s, \"dialect\": \"POSIX ERE\", ",
			escaped(o, r->grep, strlen(r->grep)));
		json_members(o, ec, nec, t->grep, true);
		fputs("},\n", f);
	} else {
		fputs("null,\n", f);
	}
	if (r->callers || r->callees) {
		json_butterfly(o, tb);
	} else {
		fputs("  \"functions\": ", f);
		json_rows(o, tb, tb->cols, tb->ncols, 0, tb->n, "  ");
		fprintf(f, ",\n  \"omitted\": %zu\n", tb->omitted);
	}
	fputs("}\n", f);
}

// Text and Markdown: what was counted, and the --grep share.
static void preamble(struct out *o) {
	FILE *f = o->f;
	const struct pd_top *t = o->t;
	const struct pd_top_report *r = o->r;
	bool md = r->format == PD_TOP_MARKDOWN;
	size_t distinct = 0;
	for (size_t i = 0; i < t->nkeys; i++) {
		distinct += t->keys[i].stamp != 0;
	}
	if (r->diff) {
		fprintf(f, "%llu samples before, %llu after",
			(unsigned long long)t->samples[0],
			(unsigned long long)t->samples[1]);
	} else {
		fprintf(f, "%llu samples", (unsigned long long)t->samples[0]);
	}
	fprintf(f, ", %zu %ss%s\n", distinct, row_noun(t->o.by), md ? "." : "");
	if (r->grep) {
		static const struct col before = {NULL, "", "", "", SHARE, 0};
		static const struct col after = {NULL, "", "", "", SHARE, 1};
		static const struct col delta = {NULL, "", "", "", DELTA, 0};
		char a[32], b[32], d[32];
		o->name.len = 0;
		if (md) {
			escape_markdown(&o->name, r->grep, strlen(r->grep), false);
		} else {
			escape_text(&o->name, r->grep, strlen(r->grep), false);
		}
		fprintf(f, "%stacks with a %s matching %s%s%s (POSIX ERE): ",
			md ? "\nS" : "s", row_noun(t->o.by), md ? "" : "'",
			o->name.s, md ? "" : "'");
		cell(a, o, &before, t->grep, true);
		if (r->diff) {
			cell(b, o, &after, t->grep, true);
			cell(d, o, &delta, t->grep, true);
			fprintf(f, "%s%% before, %s%% after (%s)", a, b, d);
		} else {
			fprintf(f, "%llu samples (%s%%)",
				(unsigned long long)t->grep[0], a);
		}
		fputs(md ? ".\n" : "\n", f);
	}
	fputc('\n', f);
}

void pd_top_write(FILE *f, const struct pd_top *t,
		const struct pd_top_report *r) {
	struct out o = {f, t, r, {t->samples[0], t->samples[1]}, {0}};
	for (int i = 0; i < 2; i++) {
		o.total[i] += o.total[i] == 0;
	}
	bool fly = r->callers || r->callees;
	struct table tb = {
		.cols = fly ? (r->diff ? diff_edge_cols : edge_cols)
			: (r->diff ? diff_table_cols : table_cols),
		.ncols = fly ? (r->diff ? NCOLS(diff_edge_cols) : NCOLS(edge_cols))
			: (r->diff ? NCOLS(diff_table_cols) : NCOLS(table_cols)),
		.namehead = row_noun(t->o.by),
		.rel = fly,
	};
	if (fly) {
		build_butterfly(&o, &tb);
	} else {
		build_table(&o, &tb);
	}
	switch (r->format) {
	case PD_TOP_TEXT:
	case PD_TOP_MARKDOWN:
		preamble(&o);
		if (r->format == PD_TOP_TEXT) {
			text_table(&o, &tb);
		} else {
			markdown_table(&o, &tb);
		}
		if (tb.omitted) {
			fprintf(f, r->format == PD_TOP_TEXT
				? "... %zu more (--top 0 shows all)\n"
				: "\n%zu more not shown.\n", tb.omitted);
		}
		break;
	case PD_TOP_TSV:
		tsv_table(&o, &tb);
		break;
	case PD_TOP_JSON:
		json_write(&o, &tb);
		break;
	}
	free(tb.rows);
	pd_strbuf_finish(&o.name);
}
