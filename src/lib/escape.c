// SPDX-License-Identifier: MIT
// UTF-8 checks and escapes for untrusted names.
#include "escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char replacement[] = "\xef\xbf\xbd"; // U+FFFD

size_t pd_utf8_len(const char *s, size_t n) {
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[0];
	if (c < 0x80) {
		return 1;
	}
	size_t len;
	uint32_t cp, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = cp << 6 | (u[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	return len;
}

static void hex(struct pd_strbuf *b, const char *prefix, unsigned char c) {
	char x[8];
	snprintf(x, sizeof(x), "%s%02x", prefix, c);
	pd_strbuf_adds(b, x);
}

// Calls out for each well-formed character (or U+FFFD for a bad byte).
static void each(struct pd_strbuf *b, const char *s, size_t n,
		void (*out)(struct pd_strbuf *b, const char *c, size_t len)) {
	for (size_t i = 0; i < n;) {
		size_t len = pd_utf8_len(s + i, n - i);
		if (len == 0) {
			out(b, replacement, 3);
			i++;
		} else {
			out(b, s + i, len);
			i += len;
		}
	}
}

static void plain(struct pd_strbuf *b, const char *c, size_t len) {
	pd_strbuf_add(b, c, len);
}

void pd_escape_utf8(struct pd_strbuf *b, const char *s, size_t n) {
	each(b, s, n, plain);
}

static void json(struct pd_strbuf *b, const char *c, size_t len) {
	unsigned char u = (unsigned char)c[0];
	if (u == '"' || u == '\\') {
		pd_strbuf_addc(b, '\\');
		pd_strbuf_addc(b, (char)u);
	} else if (u < 0x20 || u == 0x7f) {
		hex(b, "\\u00", u);
	} else {
		pd_strbuf_add(b, c, len);
	}
}

void pd_escape_json(struct pd_strbuf *b, const char *s, size_t n) {
	each(b, s, n, json);
}

static void markdown(struct pd_strbuf *b, const char *c, size_t len) {
	unsigned char u = (unsigned char)c[0];
	if (u < 0x20 || u == 0x7f) {
		hex(b, "\\\\x", u); // "\\x07": an escaped backslash, then x07
	} else if (len == 1 && strchr("\\`*_[]<>|&~$", u)) {
		pd_strbuf_addc(b, '\\');
		pd_strbuf_addc(b, (char)u);
	} else {
		pd_strbuf_add(b, c, len);
	}
}

void pd_escape_markdown(struct pd_strbuf *b, const char *s, size_t n) {
	each(b, s, n, markdown);
}

static void terminal(struct pd_strbuf *b, const char *c, size_t len) {
	unsigned char u = (unsigned char)c[0];
	if (u < 0x20 || u == 0x7f || u == '\\') {
		hex(b, "\\x", u);
	} else {
		pd_strbuf_add(b, c, len);
	}
}

void pd_escape_terminal(struct pd_strbuf *b, const char *s, size_t n) {
	each(b, s, n, terminal);
}
