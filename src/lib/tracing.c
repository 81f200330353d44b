// SPDX-License-Identifier: MIT
// The tracing data blob, read with every size checked against what is
// left, its texts handed to libtraceevent. Layout: perf's
// tools/perf/util/trace-event-read.c (trace_report) and trace-event-info.c.
#include "tracing.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "tracing-internal.h"
#include "alloc.h"
#include "bytes.h"
#include "hash.h"

// A cursor over the blob; the first problem stops it.
struct cursor {
	struct pd_tracing *t;
	const uint8_t *p;
	size_t len, pos;
	bool big; // the file's integers are big-endian
	bool bad;
};

struct pd_tracing *pd_tracing_create(void) {
	struct pd_tracing *t = pd_xcalloc(1, sizeof(*t));
	return t;
}

void pd_tracing_destroy(struct pd_tracing *t) {
	if (!t) {
		return;
	}
	for (size_t i = 0; i < t->ntps; i++) {
		pd_tp_finish(t->tps[i]);
		free(t->tps[i]);
	}
	free(t->tps);
	pd_map64_free(&t->tp_of);
	if (t->tep) {
		tep_free(t->tep);
	}
	free(t->ksyms_text);
	trace_seq_destroy(&t->seq);
	free(t);
}

bool pd_tracing_present(const struct pd_tracing *t) {
	return t->present;
}

const char *pd_tracing_problem(const struct pd_tracing *t, uint64_t *off) {
	*off = t->problem_off;
	return t->problem[0] ? t->problem : NULL;
}

const char *pd_tracing_format_problem(const struct pd_tracing *t,
		uint64_t *off) {
	*off = t->format_off;
	return t->format_problem[0] ? t->format_problem : NULL;
}

static void vsay(char *buf, size_t size, const char *fmt, va_list ap) {
	int n = snprintf(buf, size, "tracing data: ");
	vsnprintf(buf + n, size - (size_t)n, fmt, ap);
}

// Keeps the problem that stops the reading, at blob position pos.
__attribute__((format(printf, 3, 4)))
static void problem(struct pd_tracing *t, size_t pos, const char *fmt, ...) {
	if (t->problem[0]) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsay(t->problem, sizeof(t->problem), fmt, ap);
	va_end(ap);
	t->problem_off = t->blob_off + pos;
}

// Keeps the first format libtraceevent could not parse.
__attribute__((format(printf, 3, 4)))
static void format_problem(struct pd_tracing *t, size_t pos,
		const char *fmt, ...) {
	if (t->format_problem[0]) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsay(t->format_problem, sizeof(t->format_problem), fmt, ap);
	va_end(ap);
	t->format_off = t->blob_off + pos;
}

// Whether n more bytes are there; if not, says that what runs past the
// end of the tracing data.
static bool need(struct cursor *c, uint64_t n, const char *what) {
	if (c->bad) {
		return false;
	}
	if (n > c->len - c->pos) {
		problem(c->t, c->pos, "%s (%llu bytes) runs past its end (%zu "
			"bytes left)", what, (unsigned long long)n,
			c->len - c->pos);
		c->bad = true;
		return false;
	}
	return true;
}

static uint64_t get(struct cursor *c, size_t n, const char *what) {
	if (!need(c, n, what)) {
		return 0;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = c->p[c->pos + (c->big ? i : n - 1 - i)];
		v = v << 8 | b;
	}
	c->pos += n;
	return v;
}

// A NUL-terminated string; NULL if it has no NUL before the end.
static const char *get_string(struct cursor *c, const char *what) {
	if (c->bad) {
		return NULL;
	}
	const uint8_t *s = c->p + c->pos;
	const uint8_t *nul = memchr(s, 0, c->len - c->pos);
	if (!nul) {
		problem(c->t, c->pos, "%s has no end", what);
		c->bad = true;
		return NULL;
	}
	c->pos += (size_t)(nul - s) + 1;
	return (const char *)s;
}

// The next size bytes as a NUL-terminated copy (libtraceevent's text
// parsers want one); NULL if they run past the end. Caller frees.
static char *get_text(struct cursor *c, uint64_t size, const char *what) {
	if (!need(c, size, what)) {
		return NULL;
	}
	char *s = pd_xmalloc((size_t)size + 1);
	memcpy(s, c->p + c->pos, (size_t)size);
	s[size] = '\0';
	c->pos += (size_t)size;
	return s;
}

static bool expect(struct cursor *c, const char *tag, size_t n) {
	if (!need(c, n, "section name")) {
		return false;
	}
	if (memcmp(c->p + c->pos, tag, n) != 0) {
		problem(c->t, c->pos, "expected '%s' here", tag);
		c->bad = true;
		return false;
	}
	c->pos += n;
	return true;
}

static void header_page(struct cursor *c) {
	if (!expect(c, "header_page", 12)) {
		return;
	}
	uint64_t size = get(c, 8, "header_page size");
	char *text = get_text(c, size, "header_page");
	// On success the commit field's size is the kernel's long size, as
	// perf takes it (the one in the blob's preamble is perf's own).
	if (text && size && tep_parse_header_page(c->t->tep, text, size,
			tep_get_long_size(c->t->tep)) == 0) {
		int ls = tep_get_header_page_size(c->t->tep);
		if (ls == 4 || ls == 8) {
			tep_set_long_size(c->t->tep, ls);
		}
	}
	free(text);
	if (!expect(c, "header_event", 13)) {
		return;
	}
	size = get(c, 8, "header_event size");
	if (need(c, size, "header_event")) {
		c->pos += (size_t)size;
	}
}

// One event format of system sys, handed to libtraceevent; a format it
// cannot parse is a problem for whoever needs that event, not the end.
static void format(struct cursor *c, const char *sys) {
	size_t at = c->pos;
	uint64_t size = get(c, 8, "format size");
	char *text = get_text(c, size, "event format");
	if (!text) {
		return;
	}
	enum tep_errno e = tep_parse_event(c->t->tep, text, size, sys);
	if (e != 0) {
		char why[128];
		if (tep_strerror(c->t->tep, e, why, sizeof(why)) != 0) {
			snprintf(why, sizeof(why), "error %d", (int)e);
		}
		format_problem(c->t, at, "libtraceevent cannot read a format "
			"of system '%s': %s", sys, why);
	}
	free(text);
}

static void formats(struct cursor *c) {
	uint64_t n = get(c, 4, "ftrace format count");
	for (uint64_t i = 0; i < n && !c->bad; i++) {
		format(c, "ftrace");
	}
	uint64_t nsys = get(c, 4, "system count");
	for (uint64_t i = 0; i < nsys && !c->bad; i++) {
		const char *sys = get_string(c, "system name");
		uint64_t k = get(c, 4, "event count");
		for (uint64_t j = 0; j < k && !c->bad; j++) {
			format(c, sys);
		}
	}
}

// kallsyms (old perf), printk formats, saved cmdlines (version >= 0.6).
static void trailer(struct cursor *c, double version) {
	uint64_t size = get(c, 4, "kallsyms size");
	char *text = get_text(c, size, "kallsyms");
	if (text && size) {
		c->t->ksyms_text = text; // parsed when a symbol is wanted
		text = NULL;
	}
	free(text);
	size = get(c, 4, "printk formats size");
	text = get_text(c, size, "printk formats");
	if (text && size) {
		tep_parse_printk_formats(c->t->tep, text);
	}
	free(text);
	if (version >= 0.6) {
		// Saved cmdlines name pids; COMM records do that here.
		size = get(c, 8, "saved cmdlines size");
		if (need(c, size, "saved cmdlines")) {
			c->pos += (size_t)size;
		}
	}
}

void pd_tracing_read(struct pd_tracing *t, const uint8_t *blob, size_t len,
		uint64_t off) {
	if (t->present) {
		return;
	}
	t->present = true;
	t->blob_off = off;
	t->tep = tep_alloc();
	if (!t->tep) {
		problem(t, 0, "libtraceevent: out of memory");
		return;
	}
	trace_seq_init(&t->seq);
	struct cursor c = {t, blob, len, 0, false, false};
	static const uint8_t magic[10] = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c',
		'i', 'n', 'g'};
	if (!need(&c, sizeof(magic), "magic")) {
		return;
	}
	if (memcmp(blob, magic, sizeof(magic)) != 0) {
		problem(t, 0, "no tracing data magic");
		return;
	}
	c.pos = sizeof(magic);
	const char *v = get_string(&c, "version");
	double version = v ? strtod(v, NULL) : 0;
	size_t at = c.pos;
	uint64_t big = get(&c, 1, "endianness");
	uint64_t long_size = get(&c, 1, "long size");
	if (c.bad) {
		return;
	}
	if (big > 1 || (long_size != 4 && long_size != 8)) {
		problem(t, at, "endianness %llu and long size %llu make no sense",
			(unsigned long long)big, (unsigned long long)long_size);
		return;
	}
	c.big = big;
	tep_set_file_bigendian(t->tep, big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(t->tep, tep_is_bigendian() ? TEP_BIG_ENDIAN
		: TEP_LITTLE_ENDIAN);
	tep_set_long_size(t->tep, (int)long_size);
	at = c.pos;
	uint64_t page = get(&c, 4, "page size");
	if (c.bad) {
		return;
	}
	if (page == 0 || page > 1 << 24) {
		problem(t, at, "page size %llu makes no sense",
			(unsigned long long)page);
		return;
	}
	tep_set_page_size(t->tep, (int)page);
	header_page(&c);
	formats(&c);
	trailer(&c, version);
}

// ---- tracepoints ----

struct pd_tp *pd_tracing_tp(struct pd_tracing *t, uint64_t id) {
	if (!t->tep || id > INT32_MAX) {
		return NULL;
	}
	const uint64_t *i = pd_map64_find(&t->tp_of, id + 1);
	if (i) {
		return t->tps[*i];
	}
	struct tep_event *ev = tep_find_event(t->tep, (int)id);
	if (!ev || !ev->name || !ev->system) {
		return NULL;
	}
	struct pd_tp *tp = pd_xcalloc(1, sizeof(*tp));
	pd_tp_init(tp, t, ev);
	t->tps = pd_xrealloc(t->tps, (t->ntps + 1) * sizeof(*t->tps));
	pd_map64_insert(&t->tp_of, id + 1, t->ntps);
	t->tps[t->ntps++] = tp;
	return tp;
}

bool pd_tracing_kernel_symbol(struct pd_tracing *t, uint64_t addr,
		const char **name, uint64_t *start) {
	if (!t->tep || !t->ksyms_text) {
		return false;
	}
	if (!t->ksyms_parsed) {
		t->ksyms_parsed = true;
		tep_parse_kallsyms(t->tep, t->ksyms_text);
	}
	// libtraceevent's own table, not the resolver pd_tp_text installs.
	unsigned long long s = 0;
	tep_reset_function_resolver(t->tep);
	int found = tep_find_function_info(t->tep, addr, name, &s, NULL);
	pd_tracing_set_resolver(t);
	*start = s;
	return found != 0 && *name;
}
