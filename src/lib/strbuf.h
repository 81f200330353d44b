// SPDX-License-Identifier: MIT
// A growable NUL-terminated string.
#ifndef PD_STRBUF_H
#define PD_STRBUF_H

#include <stddef.h>
#include <stdint.h>

// A NUL-terminated growable string; zero-initialise, free with pd_strbuf_finish.
struct pd_strbuf {
	char *s;
	size_t len, cap;
};
void pd_strbuf_add(struct pd_strbuf *b, const char *s, size_t n);
void pd_strbuf_adds(struct pd_strbuf *b, const char *s);
void pd_strbuf_addc(struct pd_strbuf *b, char c);
void pd_strbuf_printf(struct pd_strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pd_strbuf_finish(struct pd_strbuf *b);
// Appends v in decimal.
void pd_strbuf_add_u64(struct pd_strbuf *b, uint64_t v);

#endif
