// SPDX-License-Identifier: MIT
// Untrusted names (frame names) written into JSON, Markdown and terminal
// text: UTF-8 checks and escapes.
#ifndef PD_ESCAPE_H
#define PD_ESCAPE_H

#include <stddef.h>

#include "strbuf.h"

// Length (1 to 4) of the well-formed UTF-8 sequence at s[0, n) (n > 0),
// or 0 if it is not one (overlong, surrogate, beyond U+10FFFF, cut short).
size_t pd_utf8_len(const char *s, size_t n);

// Appends s[0, n) with every byte that is not part of well-formed UTF-8
// replaced by U+FFFD: the form a name takes in a JSON report.
void pd_escape_utf8(struct pd_strbuf *b, const char *s, size_t n);
// Appends s[0, n) as the inside of a JSON string (RFC 8259): quote,
// backslash and control characters escaped, ill-formed UTF-8 as U+FFFD.
void pd_escape_json(struct pd_strbuf *b, const char *s, size_t n);
// Appends s[0, n) as Markdown text for a table cell: punctuation that
// Markdown or HTML would act on backslash-escaped, control characters as
// "\xNN", ill-formed UTF-8 as U+FFFD.
void pd_escape_markdown(struct pd_strbuf *b, const char *s, size_t n);
// Appends s[0, n) for a terminal: control characters and backslashes as
// "\xNN", ill-formed UTF-8 as U+FFFD.
void pd_escape_terminal(struct pd_strbuf *b, const char *s, size_t n);

#endif
