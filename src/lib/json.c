// SPDX-License-Identifier: MIT
// A strict JSON (RFC 8259) reader.
#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "alloc.h"
#include "strbuf.h"

#define MAX_DEPTH 64

struct node {
	enum pd_json_type type;
	uint32_t child, last, next; // PD_JSON_NONE: none
	size_t key, klen;           // member name in the pool
	size_t str, slen;           // string value in the pool
	double num;
	unsigned long line;
};

struct pd_json {
	struct node *v;
	size_t n, cap;
	struct pd_strbuf pool;
};

struct parser {
	struct pd_json *j;
	const char *s;
	size_t n, i;
	unsigned long line;
	const char *why;
	unsigned long why_line;
};

static bool fail(struct parser *p, const char *why) {
	if (!p->why) {
		p->why = why;
		p->why_line = p->line;
	}
	return false;
}

static void blanks(struct parser *p) {
	for (; p->i < p->n; p->i++) {
		char c = p->s[p->i];
		if (c == '\n') {
			p->line++;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			break;
		}
	}
}

static uint32_t new_node(struct parser *p, enum pd_json_type t) {
	struct pd_json *j = p->j;
	pd_xgrow(&j->v, &j->cap, j->n + 1, sizeof(*j->v));
	j->v[j->n] = (struct node){.type = t, .child = PD_JSON_NONE,
		.last = PD_JSON_NONE, .next = PD_JSON_NONE, .line = p->line};
	return (uint32_t)j->n++;
}

static void append(struct pd_json *j, uint32_t parent, uint32_t child) {
	struct node *a = &j->v[parent];
	if (a->last == PD_JSON_NONE) {
		a->child = child;
	} else {
		j->v[a->last].next = child;
	}
	a->last = child;
}

static int hexval(char c) {
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool hex4(struct parser *p, unsigned *v) {
	*v = 0;
	for (int k = 0; k < 4; k++) {
		int h = p->i < p->n ? hexval(p->s[p->i]) : -1;
		if (h < 0) {
			return fail(p, "bad \\u escape in string");
		}
		*v = *v << 4 | (unsigned)h;
		p->i++;
	}
	return true;
}

static void put_utf8(struct pd_strbuf *b, unsigned cp) {
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	pd_strbuf_add(b, u, n);
}

static bool escape(struct parser *p, struct pd_strbuf *b) {
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char c = p->i < p->n ? p->s[p->i++] : 0;
	const char *at = c ? strchr(from, c) : NULL;
	if (at) {
		pd_strbuf_addc(b, to[at - from]);
		return true;
	}
	if (c != 'u') {
		return fail(p, "bad escape in string");
	}
	unsigned cp, lo;
	if (!hex4(p, &cp)) {
		return false;
	}
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		return fail(p, "lone low surrogate in string");
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->i + 2 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u') {
			return fail(p, "lone high surrogate in string");
		}
		p->i += 2;
		if (!hex4(p, &lo)) {
			return false;
		}
		if (lo < 0xdc00 || lo > 0xdfff) {
			return fail(p, "lone high surrogate in string");
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(b, cp);
	return true;
}

// A string at p->i (after its quote) into the pool: *off, *len.
static bool string(struct parser *p, size_t *off, size_t *len) {
	struct pd_strbuf *b = &p->j->pool;
	*off = b->len;
	for (;;) {
		if (p->i >= p->n) {
			return fail(p, "unterminated string");
		}
		unsigned char c = (unsigned char)p->s[p->i];
		if (c == '"') {
			p->i++;
			break;
		}
		if (c < 0x20) {
			return fail(p, "control character in string");
		}
		if (c == '\\') {
			p->i++;
			if (!escape(p, b)) {
				return false;
			}
			continue;
		}
		size_t u = pd_utf8_len(p->s + p->i, p->n - p->i);
		if (u == 0) {
			return fail(p, "string is not valid UTF-8");
		}
		pd_strbuf_add(b, p->s + p->i, u);
		p->i += u;
	}
	*len = b->len - *off;
	pd_strbuf_addc(b, '\0');
	return true;
}

static bool digits(struct parser *p) {
	size_t from = p->i;
	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
		p->i++;
	}
	return p->i > from;
}

static bool number(struct parser *p, double *v) {
	size_t from = p->i;
	if (p->s[p->i] == '-') {
		p->i++;
	}
	if (p->i < p->n && p->s[p->i] == '0') {
		p->i++;
	} else if (!digits(p)) {
		return fail(p, "bad number");
	}
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!digits(p)) {
			return fail(p, "bad number");
		}
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) {
			p->i++;
		}
		if (!digits(p)) {
			return fail(p, "bad number");
		}
	}
	char buf[64];
	size_t len = p->i - from;
	if (len >= sizeof(buf)) {
		return fail(p, "number too long");
	}
	memcpy(buf, p->s + from, len);
	buf[len] = '\0';
	*v = strtod(buf, NULL);
	return true;
}

static bool literal(struct parser *p, const char *word) {
	size_t len = strlen(word);
	if (p->n - p->i < len || memcmp(p->s + p->i, word, len) != 0) {
		return fail(p, "unexpected character");
	}
	p->i += len;
	return true;
}

static bool value(struct parser *p, uint32_t *out, int depth);

static bool members(struct parser *p, uint32_t obj, int depth) {
	bool object = p->j->v[obj].type == PD_JSON_OBJECT;
	char close = object ? '}' : ']';
	blanks(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return true;
	}
	for (;;) {
		size_t key = 0, klen = 0;
		if (object) {
			blanks(p);
			if (p->i >= p->n || p->s[p->i] != '"') {
				return fail(p, "expected a member name");
			}
			p->i++;
			if (!string(p, &key, &klen)) {
				return false;
			}
			blanks(p);
			if (p->i >= p->n || p->s[p->i] != ':') {
				return fail(p, "expected ':'");
			}
			p->i++;
		}
		uint32_t v;
		if (!value(p, &v, depth + 1)) {
			return false;
		}
		p->j->v[v].key = key;
		p->j->v[v].klen = klen;
		append(p->j, obj, v);
		blanks(p);
		char c = p->i < p->n ? p->s[p->i++] : 0;
		if (c == close) {
			return true;
		}
		if (c != ',') {
			return fail(p, object ? "expected ',' or '}'"
				: "expected ',' or ']'");
		}
	}
}

static bool value(struct parser *p, uint32_t *out, int depth) {
	if (depth > MAX_DEPTH) {
		return fail(p, "nested too deeply");
	}
	blanks(p);
	if (p->i >= p->n) {
		return fail(p, "unexpected end of input");
	}
	char c = p->s[p->i];
	uint32_t v;
	switch (c) {
	case '{':
	case '[':
		p->i++;
		v = new_node(p, c == '{' ? PD_JSON_OBJECT : PD_JSON_ARRAY);
		*out = v;
		return members(p, v, depth);
	case '"':
		p->i++;
		v = new_node(p, PD_JSON_STRING);
		*out = v;
		size_t off, len;
		if (!string(p, &off, &len)) {
			return false;
		}
		p->j->v[v].str = off;
		p->j->v[v].slen = len;
		return true;
	case 't':
		*out = new_node(p, PD_JSON_TRUE);
		return literal(p, "true");
	case 'f':
		*out = new_node(p, PD_JSON_FALSE);
		return literal(p, "false");
	case 'n':
		*out = new_node(p, PD_JSON_NULL);
		return literal(p, "null");
	default:
		if (c != '-' && (c < '0' || c > '9')) {
			return fail(p, "unexpected character");
		}
		v = new_node(p, PD_JSON_NUMBER);
		*out = v;
		double x;
		if (!number(p, &x)) {
			return false;
		}
		p->j->v[v].num = x;
		return true;
	}
}

struct pd_json *pd_json_parse(const char *text, size_t n, unsigned long *line,
		const char **why) {
	struct parser p = {.j = pd_xcalloc(1, sizeof(struct pd_json)),
		.s = text, .n = n, .line = 1};
	uint32_t root;
	bool ok = value(&p, &root, 0);
	if (ok) {
		blanks(&p);
		ok = p.i == p.n || fail(&p, "text after the value");
	}
	if (!ok) {
		*line = p.why_line;
		*why = p.why;
		pd_json_free(p.j);
		return NULL;
	}
	return p.j;
}

void pd_json_free(struct pd_json *j) {
	if (!j) {
		return;
	}
	free(j->v);
	pd_strbuf_finish(&j->pool);
	free(j);
}

enum pd_json_type pd_json_type(const struct pd_json *j, uint32_t node) {
	return j->v[node].type;
}

unsigned long pd_json_line(const struct pd_json *j, uint32_t node) {
	return j->v[node].line;
}

uint32_t pd_json_first(const struct pd_json *j, uint32_t node) {
	return j->v[node].child;
}

uint32_t pd_json_next(const struct pd_json *j, uint32_t node) {
	return j->v[node].next;
}

uint32_t pd_json_member(const struct pd_json *j, uint32_t node,
		const char *key) {
	uint32_t found = PD_JSON_NONE;
	if (j->v[node].type != PD_JSON_OBJECT) {
		return found;
	}
	size_t klen = strlen(key);
	for (uint32_t c = j->v[node].child; c != PD_JSON_NONE; c = j->v[c].next) {
		if (j->v[c].klen == klen
				&& memcmp(j->pool.s + j->v[c].key, key, klen) == 0) {
			found = c;
		}
	}
	return found;
}

const char *pd_json_string(const struct pd_json *j, uint32_t node,
		size_t *len) {
	*len = j->v[node].slen;
	return j->pool.s ? j->pool.s + j->v[node].str : "";
}

double pd_json_number(const struct pd_json *j, uint32_t node) {
	return j->v[node].num;
}
