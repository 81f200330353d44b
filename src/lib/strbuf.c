// SPDX-License-Identifier: MIT
// A growable NUL-terminated string.
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void pd_strbuf_add(struct pd_strbuf *b, const char *s, size_t n) {
	pd_xgrow(&b->s, &b->cap, b->len + n + 1, 1);
	if (n) { // (s may be NULL then: an empty array)
		memcpy(b->s + b->len, s, n);
	}
	b->len += n;
	b->s[b->len] = '\0';
}

void pd_strbuf_adds(struct pd_strbuf *b, const char *s) {
	pd_strbuf_add(b, s, strlen(s));
}

void pd_strbuf_addc(struct pd_strbuf *b, char c) {
	pd_strbuf_add(b, &c, 1);
}

void pd_strbuf_printf(struct pd_strbuf *b, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	pd_xgrow(&b->s, &b->cap, b->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void pd_strbuf_add_u64(struct pd_strbuf *b, uint64_t v) {
	char d[20];
	size_t n = 0;
	do {
		d[sizeof(d) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pd_strbuf_add(b, d + sizeof(d) - n, n);
}

void pd_strbuf_finish(struct pd_strbuf *b) {
	free(b->s);
	*b = (struct pd_strbuf){0};
}
