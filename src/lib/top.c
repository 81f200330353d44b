// SPDX-License-Identifier: MIT
// Self and total counts per function from folded stacks, and the edges
// into and out of one function.
#include "top.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "top-internal.h"
#include "alloc.h"
#include "bytes.h"
#include "hash.h"
#include "strbuf.h"

static bool ends_with(const char *s, size_t len, const char *tail) {
	size_t n = strlen(tail);
	return len >= n && memcmp(s + len - n, tail, n) == 0;
}

// The row a frame named s[0, len) belongs to, as a name in buf (or s
// itself): see enum pd_top_by. *module tells whether it names a module.
static const char *key_name(enum pd_top_by by, const char *s, size_t *len,
		struct pd_strbuf *buf, bool *module) {
	*module = false;
	if (by == PD_TOP_BY_FRAME) {
		return s;
	}
	if (by == PD_TOP_BY_FUNCTION) {
		if (ends_with(s, *len, "_[i]")) {
			*len -= 4;
		}
		return s;
	}
	buf->len = 0;
	if (*len >= 2 && s[0] == '[' && s[*len - 1] == ']') {
		// "[module]", or "[module <address>]" (pd-collapse --addrs)
		const char *sp = memchr(s, ' ', *len);
		size_t n = (sp ? (size_t)(sp - s) : *len - 1) - 1;
		*module = n > 0 && !(n == 7 && memcmp(s + 1, "unknown", 7) == 0);
		if (*module) {
			pd_strbuf_addc(buf, '[');
			pd_strbuf_add(buf, s + 1, n);
			pd_strbuf_addc(buf, ']');
		} else {
			pd_strbuf_adds(buf, "[unknown]");
		}
	} else if (ends_with(s, *len, "_[k]")) {
		pd_strbuf_adds(buf, "[kernel.kallsyms]");
		*module = true;
	} else if (ends_with(s, *len, "_[j]")) {
		pd_strbuf_adds(buf, "[jit]");
		*module = true;
	} else {
		pd_strbuf_adds(buf, "[no module]");
	}
	*len = buf->len;
	return buf->s;
}

static uint32_t key_get(struct pd_top *t, const char *s, size_t len,
		bool module) {
	uint32_t k = pd_texts_id(t->keytab, s, len);
	if (k < t->nkeys) {
		t->keys[k].module |= module; // the focus is made not knowing
		return k;
	}
	t->nkeys = (size_t)k + 1;
	pd_xgrow(&t->keys, &t->capkeys, t->nkeys, sizeof(*t->keys));
	struct pd_top_key *key = &t->keys[k];
	const char *name = pd_texts_get(t->keytab, k, &len); // t's copy
	*key = (struct pd_top_key){.name = name, .len = len, .module = module};
	if (t->o.grep) {
		// REG_STARTEND: the whole name, NULs included.
		regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)len};
		key->match = regexec(t->o.grep, key->name, 1, &m,
			REG_STARTEND) == 0;
	}
	return k;
}

static uint32_t frame_get(struct pd_top *t, const char *s, size_t len) {
	size_t known = pd_texts_count(t->frametab);
	uint32_t f = pd_texts_id(t->frametab, s, len);
	if (f < known) {
		return t->frame_key[f];
	}
	struct pd_strbuf buf = {0};
	bool module;
	size_t klen = len;
	const char *k = key_name(t->o.by, s, &klen, &buf, &module);
	uint32_t key = key_get(t, k, klen, module);
	pd_strbuf_finish(&buf);
	pd_xgrow(&t->frame_key, &t->cap_frame_key, (size_t)f + 1,
		sizeof(*t->frame_key));
	t->frame_key[f] = key;
	return key;
}

struct pd_top *pd_top_create(const struct pd_top_options *o) {
	struct pd_top *t = pd_xcalloc(1, sizeof(*t));
	t->o = *o;
	t->keytab = pd_texts_create();
	t->frametab = pd_texts_create();
	t->focus = PD_TOP_NONE;
	if (o->focus) {
		size_t len = strlen(o->focus);
		t->focus = key_get(t, o->focus, len, false);
		t->o.focus = t->keys[t->focus].name;
	}
	return t;
}

void pd_top_destroy(struct pd_top *t) {
	if (!t) {
		return;
	}
	pd_texts_destroy(t->keytab);
	pd_texts_destroy(t->frametab);
	free(t->frame_key);
	free(t->keys);
	free(t->callers.v);
	pd_map64_free(&t->callers.index);
	free(t->callees.v);
	pd_map64_free(&t->callees.index);
	free(t->prev);
	free(t->frames);
	free(t);
}

// Adds c (saturating: a total past 2^64-1 is reported by pd_top_check,
// and every other count is at most a total).
static void add2(uint64_t v[2], uint64_t c0, uint64_t c1) {
	v[0] = v[0] > UINT64_MAX - c0 ? UINT64_MAX : v[0] + c0;
	v[1] = v[1] > UINT64_MAX - c1 ? UINT64_MAX : v[1] + c1;
}

static void edge_add(struct pd_top_edges *e, uint32_t key, uint64_t gen,
		uint64_t c0, uint64_t c1) {
	uint64_t *at = pd_map64_find(&e->index, (uint64_t)key + 1);
	struct pd_top_edge *x;
	if (at) {
		x = &e->v[*at];
		if (x->stamp == gen) {
			return; // this stack passed through the edge already
		}
	} else {
		pd_xgrow(&e->v, &e->cap, e->n + 1, sizeof(*e->v));
		pd_map64_insert(&e->index, (uint64_t)key + 1, e->n);
		x = &e->v[e->n++];
		*x = (struct pd_top_edge){.key = key};
	}
	x->stamp = gen;
	add2(x->count, c0, c1);
}

// The edges of the focus function in one stack of n keys. Direct
// recursion (f;f;f) is one f: it is not its own caller or callee.
static void butterfly(struct pd_top *t, const struct pd_top_frame *k,
		size_t n, uint64_t c0, uint64_t c1) {
	uint32_t f = t->focus;
	for (size_t i = 0; i < n; i++) {
		if (k[i].key != f) {
			continue;
		}
		if (i == 0) {
			add2(t->outermost, c0, c1);
		} else if (k[i - 1].key != f) {
			edge_add(&t->callers, k[i - 1].key, t->gen, c0, c1);
		}
		if (i + 1 < n && k[i + 1].key != f) {
			edge_add(&t->callees, k[i + 1].key, t->gen, c0, c1);
		}
	}
}

// Splits s into frames and looks up their keys, reusing those of the
// previous stack's frames that lie wholly in the common prefix.
static void split(struct pd_top *t, const char *s, size_t len) {
	size_t l = pd_common_prefix(s, t->prev ? t->prev : s,
		len < t->prevlen ? len : t->prevlen);
	size_t n = 0;
	// A frame ending before l ends with ";" in both stacks.
	while (n < t->nframes && t->frames[n].end < l) {
		n++;
	}
	for (size_t pos = n ? t->frames[n - 1].end + 1 : 0;; n++) {
		const char *semi = memchr(s + pos, ';', len - pos);
		size_t end = semi ? (size_t)(semi - s) : len;
		pd_xgrow(&t->frames, &t->capframes, n + 1, sizeof(*t->frames));
		t->frames[n].end = end;
		t->frames[n].key = frame_get(t, s + pos, end - pos);
		if (!semi) {
			break;
		}
		pos = end + 1;
	}
	t->nframes = n + 1;
	pd_xgrow(&t->prev, &t->prevcap, len + 1, 1);
	memcpy(t->prev + l, s + l, len - l);
	t->prevlen = len;
}

void pd_top_add_line(void *top, const char *stack, size_t len,
		const uint64_t *c, size_t n) {
	pd_top_add(top, stack, len, c[0], n > 1 ? c[1] : 0);
}

void pd_top_add(void *top, const char *stack, size_t len, uint64_t c0,
		uint64_t c1) {
	struct pd_top *t = top;
	if (t->samples[0] > UINT64_MAX - c0 || t->samples[1] > UINT64_MAX - c1) {
		t->overflow = true;
	}
	add2(t->samples, c0, c1);
	split(t, stack, len);
	// The first frame is the process, not a function, unless --by=frame.
	size_t first = t->o.by == PD_TOP_BY_FRAME ? 0 : 1;
	if (t->nframes <= first) {
		return;
	}
	const struct pd_top_frame *k = t->frames + first;
	size_t n = t->nframes - first;
	uint64_t gen = ++t->gen;
	bool hit = false;
	for (size_t i = 0; i < n; i++) {
		struct pd_top_key *key = &t->keys[k[i].key];
		if (key->stamp != gen) { // once per stack, however deep it recurses
			key->stamp = gen;
			add2(key->total, c0, c1);
			hit |= key->match;
		}
	}
	add2(t->keys[k[n - 1].key].self, c0, c1);
	if (hit) {
		add2(t->grep, c0, c1);
	}
	if (t->focus != PD_TOP_NONE) {
		butterfly(t, k, n, c0, c1);
	}
}

enum pd_status pd_top_check(const struct pd_top *t) {
	if (t->overflow) {
		warnx("the inputs' counts add up to more than 64 bits");
		return PD_EDATA;
	}
	if (t->o.by == PD_TOP_BY_MODULE) {
		bool any = false;
		for (size_t i = 0; i < t->nkeys && !any; i++) {
			any = t->keys[i].module && t->keys[i].stamp;
		}
		if (!any && t->gen) {
			warnx("--by=module: unavailable for this input: no frame"
				" names a module ([module], _[k] or _[j])");
			return PD_EDATA;
		}
	}
	if (t->focus != PD_TOP_NONE && !t->keys[t->focus].stamp) {
		warnx("no %s named '%s' in the input", t->o.by == PD_TOP_BY_FRAME
			? "frame" : t->o.by == PD_TOP_BY_MODULE ? "module"
			: "function", t->o.focus);
	}
	return PD_OK;
}
