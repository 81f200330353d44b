// SPDX-License-Identifier: MIT
// Folded-stack text reader: "stack count..." lines.
#include "folded-read.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "strbuf.h"

struct reader {
	const char *name;
	unsigned long line;
	unsigned flags;
	size_t *ncounts;
	uint64_t total[PD_FOLDED_MAX_COUNTS];
	struct pd_strbuf hex;
	pd_folded_fn *fn; // called with each line's stack and counts
	void *ctx;
};

static bool is_space(char c) {
	return c == ' ' || c == '\t';
}

static bool is_digit(char c) {
	return c >= '0' && c <= '9';
}

static bool is_hex(char c) {
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Splits the last blank-separated field off s[0..*len): on success *len is
// the length of what precedes it, blanks removed, and *v its value.
// Returns NULL or a description of what is wrong.
static const char *last_count(const char *s, size_t *len, uint64_t *v) {
	size_t end = *len, i = end;
	while (i > 0 && !is_space(s[i - 1])) {
		i--;
	}
	if (i == 0 || i == end) {
		return "missing sample count";
	}
	uint64_t n = 0;
	for (size_t j = i; j < end; j++) {
		if (!is_digit(s[j])) {
			bool dotted = s[j] == '.' && j > i;
			for (size_t k = j + 1; dotted && k < end; k++) {
				dotted = is_digit(s[k]);
			}
			return dotted ? "sample count is not a whole number"
				: "missing sample count";
		}
		unsigned d = (unsigned)(s[j] - '0');
		if (n > (UINT64_MAX - d) / 10) {
			return "sample count is too large";
		}
		n = n * 10 + d;
	}
	while (i > 0 && is_space(s[i - 1])) {
		i--;
	}
	*len = i;
	*v = n;
	return NULL;
}

// True if s[0..len) ends in a blank-separated field of digits with a
// non-empty stack before it: the first line of a differential file.
static bool ends_in_count(const char *s, size_t len) {
	size_t i = len;
	while (i > 0 && is_digit(s[i - 1])) {
		i--;
	}
	if (i == len || i == 0 || !is_space(s[i - 1])) {
		return false;
	}
	while (i > 0 && is_space(s[i - 1])) {
		i--;
	}
	return i > 0;
}

static const char *strip_hex(struct reader *r, const char **s, size_t *len) {
	const char *p = *s;
	if (!memmem(p, *len, "0x", 2)) {
		return NULL;
	}
	r->hex.len = 0;
	for (size_t i = 0; i < *len;) {
		if (p[i] == '0' && i + 2 < *len && p[i + 1] == 'x'
				&& is_hex(p[i + 2])) {
			pd_strbuf_add(&r->hex, "0x...", 5);
			for (i += 2; i < *len && is_hex(p[i]); i++) {
			}
		} else {
			pd_strbuf_addc(&r->hex, p[i++]);
		}
	}
	*s = r->hex.s;
	*len = r->hex.len;
	return NULL;
}

static const char *add_total(struct reader *r, size_t k, uint64_t c) {
	if (r->total[k] > UINT64_MAX - c) {
		return "sample counts add up to more than 2^64-1";
	}
	r->total[k] += c;
	return NULL;
}

static const char *parse_line(struct reader *r, const char *s, size_t len) {
	while (len > 0 && (is_space(s[len - 1]) || s[len - 1] == '\r'
			|| s[len - 1] == '\n')) {
		len--;
	}
	if (len == 0) {
		return NULL;
	}
	if (*r->ncounts == 0) {
		size_t l = len;
		uint64_t v;
		bool two = !last_count(s, &l, &v) && ends_in_count(s, l);
		*r->ncounts = two ? 2 : 1;
	}
	// Counts are taken from the end: the last one is column n - 1.
	size_t n = *r->ncounts;
	uint64_t c[PD_FOLDED_MAX_COUNTS];
	const char *why = NULL;
	for (size_t k = n; k-- > 0 && !why;) {
		why = last_count(s, &len, &c[k]);
		if (why && k < n - 1 && strcmp(why, "missing sample count") == 0) {
			why = n == 2 ? "missing second sample count (differential "
				"input)" : "missing sample count (fewer counts than "
				"the first line)";
		}
	}
	if (why) {
		return why;
	}
	if (len == 0) {
		return "missing stack";
	}
	for (size_t k = 0; k < n; k++) {
		if ((why = add_total(r, k, c[k]))) {
			return why;
		}
	}
	if (r->flags & PD_FOLDED_STRIP_HEX) {
		strip_hex(r, &s, &len);
	}
	r->fn(r->ctx, s, len, c, n);
	return NULL;
}

// Parses the complete lines of buf[0, n), and at EOF the last one even
// without its newline; buf[0, scanned) is known to hold no newline. Sets
// *used to the bytes of the lines parsed.
static enum pd_status cut_lines(struct reader *r, const char *buf, size_t n,
		size_t scanned, bool eof, size_t *used) {
	enum pd_status st = PD_OK;
	size_t at = 0;
	while (at < n) {
		size_t from = scanned > at ? scanned : at;
		const char *nl = memchr(buf + from, '\n', n - from);
		if (!nl && !eof) {
			break;
		}
		size_t len = nl ? (size_t)(nl - buf) + 1 - at : n - at;
		r->line++;
		const char *why = parse_line(r, buf + at, len);
		if (why) {
			warnx("%s:%lu: %s", r->name, r->line, why);
			st = PD_EDATA;
			break;
		}
		at += len;
	}
	*used = at;
	return st;
}

static struct reader reader_init(const char *name, unsigned flags,
		size_t *ncounts, pd_folded_fn *fn, void *ctx) {
	if (*ncounts > PD_FOLDED_MAX_COUNTS) {
		*ncounts = PD_FOLDED_MAX_COUNTS;
	}
	return (struct reader){.name = name, .flags = flags, .ncounts = ncounts,
		.fn = fn, .ctx = ctx};
}

enum pd_status pd_folded_read_mem(const char *name, const char *buf,
		size_t n, unsigned flags, size_t *ncounts, pd_folded_fn *fn,
		void *ctx) {
	struct reader r = reader_init(name, flags, ncounts, fn, ctx);
	size_t used;
	enum pd_status st = cut_lines(&r, buf, n, 0, true, &used);
	pd_strbuf_finish(&r.hex);
	return st;
}

// Lines are cut out of blocks read with read(2), in place: getline
// copied every line, through a stdio buffer of 4 KiB on a pipe.
#define READ_BLOCK ((size_t)1 << 18)

enum pd_status pd_folded_read(const char *path, unsigned flags,
		size_t *ncounts, pd_folded_fn *fn, void *ctx) {
	bool std = strcmp(path, "-") == 0;
	struct reader r = reader_init(std ? "<stdin>" : path, flags, ncounts,
		fn, ctx);
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warn("%s", path);
		return PD_ENOINPUT;
	}
	enum pd_status st = PD_OK;
	size_t cap = READ_BLOCK, have = 0, scanned = 0;
	char *buf = pd_xmalloc(cap);
	for (bool eof = false; st == PD_OK && !eof;) {
		if (have == cap && cap >= UINT32_MAX) {
			// Frames are placed by 32-bit offsets in a line.
			warnx("%s:%lu: line of 4 GiB or more", r.name, r.line + 1);
			st = PD_EDATA;
			break;
		}
		if (have == cap) { // a line longer than the buffer
			cap *= 2;
			buf = pd_xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + have, cap - have);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			warn("%s", r.name);
			st = PD_ENOINPUT;
			break;
		}
		eof = n == 0;
		have += (size_t)n;
		size_t used;
		st = cut_lines(&r, buf, have, scanned, eof, &used);
		if (st != PD_OK) {
			break;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
		scanned = have;
	}
	free(buf);
	pd_strbuf_finish(&r.hex);
	if (!std) {
		close(fd);
	}
	return st;
}
