// SPDX-License-Identifier: MIT
// The tracing data blob, read with every size checked against what is
// left, its texts handed to libtraceevent. Layout: perf's
// tools/perf/util/trace-event-read.c (trace_report) and trace-event-info.c.
#include "tracing.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "tracing-internal.h"
#include "alloc.h"
#include "bytes.h"
#include "hash.h"

// A child process given this long to parse the texts (a hang is a fail).
#define PROBE_SECONDS 10

// A text of the blob for libtraceevent, at blob position at.
struct text {
	const uint8_t *p;
	size_t len, at;
	const char *sys; // formats: their system
};

// What the blob holds for libtraceevent, found before any of it is
// parsed: item 0 is header_page, then the formats, printk, kallsyms.
struct parts {
	int big, long_size, page;
	struct text *v;
	size_t n, cap;
};

enum { ITEM_HEADER_PAGE };

// A cursor over the blob; the first problem stops it.
struct cursor {
	struct pd_tracing *t;
	const uint8_t *p;
	size_t len, pos;
	bool big; // the file's integers are big-endian
	bool bad;
	struct parts *parts;
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
		trace_seq_destroy(&t->seq);
	}
	free(t->ksyms_text);
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

__attribute__((format(printf, 3, 0)))
static void vsay(char *buf, size_t size, const char *fmt, va_list ap) {
	int n = snprintf(buf, size, "tracing data: ");
	vsnprintf(buf + n, size - (size_t)n, fmt, ap);
}

// Keeps a message in buf unless it holds one already, with the file
// offset of blob position pos.
__attribute__((format(printf, 6, 0)))
static void keep_first(const struct pd_tracing *t, char *buf, size_t cap,
		uint64_t *off, size_t pos, const char *fmt, va_list ap) {
	if (!buf[0]) {
		vsay(buf, cap, fmt, ap);
		*off = t->blob_off + pos;
	}
}

// Keeps the problem that stops the reading, at blob position pos.
__attribute__((format(printf, 3, 4)))
static void problem(struct pd_tracing *t, size_t pos, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	keep_first(t, t->problem, sizeof(t->problem), &t->problem_off, pos,
		fmt, ap);
	va_end(ap);
}

// Keeps the first text libtraceevent could not parse.
__attribute__((format(printf, 3, 4)))
static void format_problem(struct pd_tracing *t, size_t pos,
		const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	keep_first(t, t->format_problem, sizeof(t->format_problem),
		&t->format_off, pos, fmt, ap);
	va_end(ap);
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

// Notes the next size bytes as a text for libtraceevent (at: where its
// size was); false if they run past the end.
static bool take_text(struct cursor *c, uint64_t size, size_t at,
		const char *sys, const char *what) {
	if (!need(c, size, what)) {
		return false;
	}
	struct parts *ps = c->parts;
	pd_xgrow(&ps->v, &ps->cap, ps->n + 1, sizeof(*ps->v));
	ps->v[ps->n++] = (struct text){c->p + c->pos, (size_t)size, at, sys};
	c->pos += (size_t)size;
	return true;
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

static void headers(struct cursor *c) {
	if (!expect(c, "header_page", 12)) {
		return;
	}
	size_t at = c->pos;
	uint64_t size = get(c, 8, "header_page size");
	if (!take_text(c, size, at, NULL, "header_page")
			|| !expect(c, "header_event", 13)) {
		return;
	}
	size = get(c, 8, "header_event size");
	if (need(c, size, "header_event")) {
		c->pos += (size_t)size; // what perf skips too
	}
}

static void formats(struct cursor *c) {
	uint64_t n = get(c, 4, "ftrace format count");
	for (uint64_t i = 0; i < n && !c->bad; i++) {
		size_t at = c->pos;
		take_text(c, get(c, 8, "format size"), at, "ftrace",
			"event format");
	}
	uint64_t nsys = get(c, 4, "system count");
	for (uint64_t i = 0; i < nsys && !c->bad; i++) {
		const char *sys = get_string(c, "system name");
		uint64_t k = get(c, 4, "event count");
		for (uint64_t j = 0; j < k && !c->bad; j++) {
			size_t at = c->pos;
			take_text(c, get(c, 8, "format size"), at, sys,
				"event format");
		}
	}
}

// printk formats, kallsyms (old perf), saved cmdlines (version >= 0.6);
// fills in the place of a missing part with an empty text.
static void trailer(struct cursor *c, double version, size_t *printk,
		size_t *ksyms) {
	size_t at = c->pos;
	uint64_t size = get(c, 4, "kallsyms size");
	*ksyms = c->parts->n;
	take_text(c, size, at, NULL, "kallsyms");
	at = c->pos;
	size = get(c, 4, "printk formats size");
	*printk = c->parts->n;
	take_text(c, size, at, NULL, "printk formats");
	if (version >= 0.6) {
		// Saved cmdlines name pids; COMM records do that here.
		size = get(c, 8, "saved cmdlines size");
		if (need(c, size, "saved cmdlines")) {
			c->pos += (size_t)size;
		}
	}
}

// ---- handing the texts to libtraceevent ----

static struct tep_handle *new_tep(const struct parts *ps) {
	struct tep_handle *tep = tep_alloc();
	if (!tep) {
		return NULL;
	}
	tep_set_file_bigendian(tep, ps->big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, tep_is_bigendian() ? TEP_BIG_ENDIAN
		: TEP_LITTLE_ENDIAN);
	tep_set_long_size(tep, ps->long_size);
	tep_set_page_size(tep, ps->page);
	return tep;
}

// Keeps of the printk formats ("ADDR : \"FORMAT\"" lines) those that
// libtraceevent 1.7 reads within bounds: it takes the format from two
// bytes after the first ':' (past the line's end if there is none) and
// looks at the three bytes before the format's end, quote removed.
static void safe_printk(char *s) {
	char *out = s;
	for (char *line = s; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *colon = memchr(line, ':', len);
		bool keep = colon && colon != line;
		if (keep) {
			const char *f = colon + 2, *end = line + len;
			f += f < end && *f == '"';
			keep = f <= end && end - f >= 3;
		}
		if (keep) {
			memmove(out, line, len);
			out += len;
			*out++ = '\n';
		}
		line += len + (nl != NULL);
	}
	*out = '\0';
}

// Parses text i of ps (kind: its place in the blob) into tep; t (NULL in
// a probe) hears of a format libtraceevent rejects.
static void apply(struct tep_handle *tep, const struct parts *ps, size_t i,
		size_t printk, size_t ksyms, struct pd_tracing *t) {
	const struct text *x = &ps->v[i];
	if (x->len == 0) {
		return;
	}
	char *s = pd_xmalloc(x->len + 1); // its parsers want a NUL at the end
	memcpy(s, x->p, x->len);
	s[x->len] = '\0';
	if (i == ITEM_HEADER_PAGE) {
		// On success the commit field's size is the kernel's long size,
		// as perf takes it (the preamble's is perf's own).
		if (tep_parse_header_page(tep, s, x->len, tep_get_long_size(tep))
				== 0) {
			int ls = tep_get_header_page_size(tep);
			if (ls == 4 || ls == 8) {
				tep_set_long_size(tep, ls);
			}
		}
	} else if (i == printk) {
		safe_printk(s);
		tep_parse_printk_formats(tep, s);
	} else if (i == ksyms) {
		tep_parse_kallsyms(tep, s);
		if (t) {
			t->ksyms_text = s; // for pd_tracing_kernel_symbol
			s = NULL;
		}
	} else {
		enum tep_errno e = tep_parse_event(tep, s, x->len, x->sys);
		char why[128];
		if (e != 0 && t && tep_strerror(tep, e, why, sizeof(why)) != 0) {
			snprintf(why, sizeof(why), "error %d", (int)e);
		}
		if (e != 0 && t) {
			format_problem(t, x->at, "libtraceevent cannot read a format "
				"of system '%s' (%s)", x->sys, why);
		}
	}
	free(s);
}

// libtraceevent 1.7's parsers (and its current sources) dereference NULL
// on some broken formats (a __print_flags of a field the format does not
// declare, an array size cut by a NUL...), which a hostile file may hold.
// So a child process parses the texts first, all but those marked bad,
// telling which it is at through a pipe: returns the one it crashed or
// hung on, or SIZE_MAX if it got through them all.
static size_t probe(const struct parts *ps, const bool *bad, size_t printk,
		size_t ksyms) {
	int fds[2];
	if (pipe(fds) != 0) {
		return SIZE_MAX; // cannot try: parse as anyone would
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return SIZE_MAX;
	}
	if (pid == 0) {
		close(fds[0]);
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		alarm(PROBE_SECONDS);
		struct tep_handle *tep = new_tep(ps);
		for (size_t i = 0; tep && i <= ps->n; i++) {
			if (i < ps->n && bad[i]) {
				continue;
			}
			size_t say = i < ps->n ? i : SIZE_MAX;
			if (write(fds[1], &say, sizeof(say)) != sizeof(say)) {
				_exit(1);
			}
			if (i < ps->n) {
				apply(tep, ps, i, printk, ksyms, NULL);
			}
		}
		_exit(0);
	}
	close(fds[1]);
	size_t at = 0, got;
	ssize_t n;
	while ((n = read(fds[0], &got, sizeof(got))) != 0) {
		if (n == (ssize_t)sizeof(got)) {
			at = got;
		} else if (n < 0 && errno != EINTR) {
			break;
		}
	}
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && at == SIZE_MAX;
	return ok ? SIZE_MAX : at < ps->n ? at : SIZE_MAX;
}

static void load(struct pd_tracing *t, const struct parts *ps, size_t printk,
		size_t ksyms) {
	t->tep = new_tep(ps);
	if (!t->tep) {
		problem(t, 0, "libtraceevent: out of memory");
		return;
	}
	trace_seq_init(&t->seq);
	bool *bad = pd_xcalloc(ps->n + 1, sizeof(*bad));
	// One child when all is well; one more per text that fails. A child
	// that fails before any text (no memory) blames one already left
	// out: then stop trying.
	for (size_t i; (i = probe(ps, bad, printk, ksyms)) != SIZE_MAX
			&& !bad[i];) {
		bad[i] = true;
		format_problem(t, ps->v[i].at, "libtraceevent fails on the %s at "
			"this offset; left out", i == ITEM_HEADER_PAGE ? "header_page"
			: i == printk ? "printk formats" : i == ksyms ? "kallsyms"
			: "event format");
	}
	for (size_t i = 0; i < ps->n; i++) {
		if (!bad[i]) {
			apply(t->tep, ps, i, printk, ksyms, t);
		}
	}
	free(bad);
}

void pd_tracing_read(struct pd_tracing *t, const uint8_t *blob, size_t len,
		uint64_t off) {
	if (t->present) {
		return;
	}
	t->present = true;
	t->blob_off = off;
	struct parts ps = {0};
	struct cursor c = {t, blob, len, 0, false, false, &ps};
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
	uint64_t page = get(&c, 4, "page size");
	if (c.bad) {
		return;
	}
	if (big > 1 || (long_size != 4 && long_size != 8) || page == 0
			|| page > 1 << 24) {
		problem(t, at, "endianness %llu, long size %llu and page size "
			"%llu make no sense", (unsigned long long)big,
			(unsigned long long)long_size, (unsigned long long)page);
		return;
	}
	c.big = big;
	ps.big = (int)big;
	ps.long_size = (int)long_size;
	ps.page = (int)page;
	// Item 0 is header_page, even when missing (an empty text).
	pd_xgrow(&ps.v, &ps.cap, 1, sizeof(*ps.v));
	ps.v[ps.n++] = (struct text){NULL, 0, c.pos, NULL};
	size_t before = ps.n;
	headers(&c);
	if (ps.n > before) {
		ps.v[ITEM_HEADER_PAGE] = ps.v[--ps.n];
	}
	formats(&c);
	size_t printk = SIZE_MAX, ksyms = SIZE_MAX;
	trailer(&c, version, &printk, &ksyms);
	// What was read before a problem is still worth having.
	load(t, &ps, printk, ksyms);
	free(ps.v);
}

// LeakSanitizer's hook: libtraceevent 1.7 leaks part of some formats it
// rejects (fixed upstream later), from stacks too deep to name the entry
// point, so anything allocated inside libtraceevent is let go. pd's own
// allocations are still checked.
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
	return "leak:libtraceevent.so\n";
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
	// libtraceevent's own table, not the resolver pd_tp_text installs.
	unsigned long long s = 0;
	tep_reset_function_resolver(t->tep);
	int found = tep_find_function_info(t->tep, addr, name, &s, NULL);
	pd_tracing_set_resolver(t);
	*start = s;
	return found != 0 && *name;
}
