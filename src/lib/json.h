// SPDX-License-Identifier: MIT
// A strict JSON (RFC 8259) reader into a tree of numbered nodes, for
// reading pd-diff's report back.
#ifndef PD_JSON_H
#define PD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pd_json_type {
	PD_JSON_NULL,
	PD_JSON_FALSE,
	PD_JSON_TRUE,
	PD_JSON_NUMBER,
	PD_JSON_STRING,
	PD_JSON_ARRAY,
	PD_JSON_OBJECT,
};

// No node: what lookups return when there is none.
#define PD_JSON_NONE UINT32_MAX

// Opaque; owns its nodes and strings.
struct pd_json;

// Parses text[0, n) (one value, blanks around it). On failure returns
// NULL with the 1-based line and a description of what is wrong. Nesting
// deeper than 64 levels is refused. Never fails for lack of memory (exit
// 71).
struct pd_json *pd_json_parse(const char *text, size_t n, unsigned long *line,
	const char **why);
void pd_json_free(struct pd_json *j); // NULL is fine

// Node 0 is the root.
enum pd_json_type pd_json_type(const struct pd_json *j, uint32_t node);
// The line the node starts on.
unsigned long pd_json_line(const struct pd_json *j, uint32_t node);
// The first element or member of an array or object, and the next one.
uint32_t pd_json_first(const struct pd_json *j, uint32_t node);
uint32_t pd_json_next(const struct pd_json *j, uint32_t node);
// The value of an object's member named key (the last if repeated).
uint32_t pd_json_member(const struct pd_json *j, uint32_t node,
	const char *key);
// A string's bytes (UTF-8, NUL-terminated, may hold NULs: *len counts
// them), valid while j lives; a number's value.
const char *pd_json_string(const struct pd_json *j, uint32_t node,
	size_t *len);
double pd_json_number(const struct pd_json *j, uint32_t node);

#endif
