// SPDX-License-Identifier: MIT
// pd-diff's JSON report read back: which functions changed significantly.
#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff-report.h"
#include "escape.h"
#include "flame.h"
#include "json.h"
#include "alloc.h"
#include "strbuf.h"

struct name {
	size_t off, len;
};

struct pd_diff_marks {
	struct pd_strbuf pool;
	struct name *v; // sorted by bytes
	size_t n, cap;
	double alpha;
	struct pd_strbuf tmp;
};

static const char *const verdicts[] = {"unchanged", "can't tell", "slower",
	"faster", "not tested"};

static bool read_all(const char *path, struct pd_strbuf *b) {
	FILE *f = fopen(path, "r");
	if (!f) {
		warn("%s", path);
		return false;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		pd_strbuf_add(b, chunk, n);
	}
	bool ok = !ferror(f);
	if (!ok) {
		warn("%s", path);
	}
	fclose(f);
	return ok;
}

static int cmp_names(const struct pd_diff_marks *m, const char *s, size_t len,
		const struct name *x) {
	size_t n = len < x->len ? len : x->len;
	int d = memcmp(s, m->pool.s + x->off, n);
	return d ? d : (len > x->len) - (len < x->len);
}

static const struct pd_diff_marks *sort_ctx;

static int by_name(const void *a, const void *b) {
	const struct name *x = a, *y = b;
	return cmp_names(sort_ctx, sort_ctx->pool.s + x->off, x->len, y);
}

// Checks one element of "functions"; NULL or what is wrong with it.
static const char *function(struct pd_diff_marks *m, const struct pd_json *j,
		uint32_t f) {
	uint32_t name = pd_json_member(j, f, "name");
	uint32_t self = pd_json_member(j, f, "self");
	if (pd_json_type(j, f) != PD_JSON_OBJECT) {
		return "function is not an object";
	}
	if (name == PD_JSON_NONE || pd_json_type(j, name) != PD_JSON_STRING) {
		return "function without a \"name\" string";
	}
	if (self == PD_JSON_NONE || pd_json_type(j, self) != PD_JSON_OBJECT) {
		return "function without a \"self\" object";
	}
	uint32_t v = pd_json_member(j, self, "verdict");
	if (v == PD_JSON_NONE || pd_json_type(j, v) != PD_JSON_STRING) {
		return "self share without a \"verdict\" string";
	}
	size_t len;
	const char *s = pd_json_string(j, v, &len);
	size_t k = 0;
	while (k < 5 && (strlen(verdicts[k]) != len
			|| memcmp(verdicts[k], s, len) != 0)) {
		k++;
	}
	if (k == 5) {
		return "unknown verdict";
	}
	if (k == 2 || k == 3) {
		s = pd_json_string(j, name, &len);
		pd_xgrow(&m->v, &m->cap, m->n + 1, sizeof(*m->v));
		m->v[m->n++] = (struct name){m->pool.len, len};
		pd_strbuf_add(&m->pool, s, len);
	}
	return NULL;
}

// NULL or what is wrong with the report, *line where.
static const char *check(struct pd_diff_marks *m, const struct pd_json *j,
		unsigned long *line) {
	*line = 1;
	if (pd_json_type(j, 0) != PD_JSON_OBJECT) {
		return "not a pd-diff report (not a JSON object)";
	}
	uint32_t x = pd_json_member(j, 0, "format");
	size_t len;
	if (x == PD_JSON_NONE || pd_json_type(j, x) != PD_JSON_STRING
			|| strcmp(pd_json_string(j, x, &len), "pd-diff-report") != 0) {
		return "not a pd-diff report (no \"format\": \"pd-diff-report\")";
	}
	x = pd_json_member(j, 0, "version");
	if (x == PD_JSON_NONE || pd_json_type(j, x) != PD_JSON_NUMBER
			|| pd_json_number(j, x) != 1) {
		*line = x == PD_JSON_NONE ? 1 : pd_json_line(j, x);
		return "unsupported report version (expected 1)";
	}
	x = pd_json_member(j, 0, "alpha");
	if (x == PD_JSON_NONE || pd_json_type(j, x) != PD_JSON_NUMBER
			|| !(pd_json_number(j, x) > 0 && pd_json_number(j, x) < 1)) {
		*line = x == PD_JSON_NONE ? 1 : pd_json_line(j, x);
		return "\"alpha\" is not a number between 0 and 1";
	}
	m->alpha = pd_json_number(j, x);
	uint32_t fs = pd_json_member(j, 0, "functions");
	if (fs == PD_JSON_NONE || pd_json_type(j, fs) != PD_JSON_ARRAY) {
		*line = fs == PD_JSON_NONE ? 1 : pd_json_line(j, fs);
		return "no \"functions\" array";
	}
	for (uint32_t f = pd_json_first(j, fs); f != PD_JSON_NONE;
			f = pd_json_next(j, f)) {
		const char *why = function(m, j, f);
		if (why) {
			*line = pd_json_line(j, f);
			return why;
		}
	}
	return NULL;
}

enum pd_status pd_diff_marks_read(const char *path, struct pd_diff_marks **out) {
	*out = NULL;
	struct pd_strbuf text = {0};
	if (!read_all(path, &text)) {
		pd_strbuf_finish(&text);
		return PD_ENOINPUT;
	}
	unsigned long line;
	const char *why;
	struct pd_json *j = pd_json_parse(text.s ? text.s : "", text.len, &line,
		&why);
	pd_strbuf_finish(&text);
	if (!j) {
		warnx("%s:%lu: %s", path, line, why);
		return PD_EDATA;
	}
	struct pd_diff_marks *m = pd_xcalloc(1, sizeof(*m));
	why = check(m, j, &line);
	pd_json_free(j);
	if (why) {
		warnx("%s:%lu: %s", path, line, why);
		pd_diff_marks_destroy(m);
		return PD_EDATA;
	}
	sort_ctx = m;
	if (m->n) {
		qsort(m->v, m->n, sizeof(*m->v), by_name);
	}
	*out = m;
	return PD_OK;
}

void pd_diff_marks_destroy(struct pd_diff_marks *m) {
	if (!m) {
		return;
	}
	pd_strbuf_finish(&m->pool);
	pd_strbuf_finish(&m->tmp);
	free(m->v);
	free(m);
}

bool pd_diff_marks_significant(struct pd_diff_marks *m, const char *s,
		size_t len) {
	m->tmp.len = 0;
	pd_escape_utf8(&m->tmp, s, len);
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = cmp_names(m, m->tmp.s ? m->tmp.s : "", m->tmp.len, &m->v[mid]);
		if (d == 0) {
			return true;
		}
		if (d < 0) {
			hi = mid;
		} else {
			lo = mid + 1;
		}
	}
	return false;
}

double pd_diff_marks_alpha(const struct pd_diff_marks *m) {
	return m->alpha;
}

bool *pd_diff_marks_grey(struct pd_diff_marks *m, const struct pd_flame *f) {
	size_t n = pd_flame_names(f);
	bool *grey = pd_xcalloc(n ? n : 1, sizeof(*grey));
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *s = pd_flame_name(f, i, &len);
		grey[i] = !pd_diff_marks_significant(m, s, len);
	}
	return grey;
}
