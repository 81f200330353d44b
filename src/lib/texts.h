// SPDX-License-Identifier: MIT
// Interned texts numbered densely, and the byte order of folded lines made
// of texts joined by ';'.
#ifndef PD_TEXTS_H
#define PD_TEXTS_H

#include <stddef.h>
#include <stdint.h>

// Opaque; owns a copy of every text added.
struct pd_texts;

struct pd_texts *pd_texts_create(void);
void pd_texts_destroy(struct pd_texts *t); // NULL is fine

// The number of s[0, len): equal texts get equal numbers, from 0 up.
uint32_t pd_texts_id(struct pd_texts *t, const char *s, size_t len);
// The copy of s[0, len) kept in t (NUL-terminated, valid while t lives):
// equal texts get the same pointer.
const char *pd_texts_intern(struct pd_texts *t, const char *s, size_t len);
// Text id (NUL-terminated; its length in *len), valid while t lives.
const char *pd_texts_get(const struct pd_texts *t, uint32_t id, size_t *len);
size_t pd_texts_count(const struct pd_texts *t);

// Compares the lines a[0, na) and b[0, nb), each its texts joined by ';',
// as memcmp would (a prefix first): <0, 0 or >0.
int pd_texts_cmp(const struct pd_texts *t, const uint32_t *a, size_t na,
	const uint32_t *b, size_t nb);

#endif
