// SPDX-License-Identifier: MIT
// Unit tests for pd_top: frames reused from the previous stack, counting
// once per stack, edges, overflow, and the escaping of names.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "top.h"
#include "strbuf.h"

static void add(struct pd_top *t, const char *stack, uint64_t c) {
	pd_top_add(t, stack, strlen(stack), c, 0);
}

// The TSV output of t, without its header line; caller frees.
static char *tsv(const struct pd_top *t, const struct pd_top_report *r) {
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	pd_top_write(f, t, r);
	fclose(f);
	char *nl = strchr(s, '\n');
	memmove(s, nl + 1, strlen(nl + 1) + 1);
	return s;
}

// Stacks that share a prefix ending inside a frame, or at the end of one
// of them: each frame must still be looked up whole.
static void test_prefixes(void) {
	struct pd_top_options o = {.by = PD_TOP_BY_FRAME};
	struct pd_top *t = pd_top_create(&o);
	add(t, "a;bc;d", 1);
	add(t, "a;b;d", 2);
	add(t, "a;b", 4);
	add(t, "a;b;c", 8);
	add(t, "a;bc", 16);
	add(t, "a", 32);
	add(t, "ab", 64);
	struct pd_top_report r = {.format = PD_TOP_TSV,
		.sort = PD_TOP_SORT_NAME};
	char *s = tsv(t, &r);
	CHECK(strcmp(s,
		"32\t25.20\t63\t49.61\ta\n"
		"64\t50.39\t64\t50.39\tab\n"
		"4\t3.15\t14\t11.02\tb\n"
		"16\t12.60\t17\t13.39\tbc\n"
		"8\t6.30\t8\t6.30\tc\n"
		"3\t2.36\t3\t2.36\td\n") == 0);
	free(s);
	pd_top_destroy(t);
}

// 100000 frames of one function: total once, and no quadratic work.
static void test_deep_recursion(void) {
	struct pd_strbuf b = {0};
	pd_strbuf_adds(&b, "proc");
	for (int i = 0; i < 100000; i++) {
		pd_strbuf_adds(&b, i % 2 ? ";f" : ";g");
	}
	struct pd_top_options o = {.focus = "f"};
	struct pd_top *t = pd_top_create(&o);
	pd_top_add(t, b.s, b.len, 3, 0);
	pd_top_add(t, b.s, b.len, 2, 0);
	struct pd_top_report r = {.format = PD_TOP_TSV, .callers = true,
		.callees = true};
	char *s = tsv(t, &r);
	CHECK(strcmp(s,
		"total\t5\t100.00\tf\n"
		"self\t5\t100.00\tf\n"
		"outermost\t0\t0.00\tf\n"
		"caller\t5\t100.00\tg\n"
		"callee\t5\t100.00\tg\n") == 0);
	free(s);
	pd_strbuf_finish(&b);
	pd_top_destroy(t);
}

static void test_overflow(void) {
	struct pd_top_options o = {0};
	struct pd_top *t = pd_top_create(&o);
	add(t, "p;a", UINT64_MAX);
	CHECK(pd_top_check(t) == PD_OK);
	add(t, "p;b", 1);
	fprintf(stderr, "(expected:) ");
	CHECK(pd_top_check(t) == PD_EDATA);
	pd_top_destroy(t);
}

// Invalid UTF-8 (overlong, surrogate, past U+10FFFF, cut short) is shown
// byte by byte; valid sequences of 2, 3 and 4 bytes pass; C1 and DEL do
// not.
static void test_escape(void) {
	static const char *const names[] = {
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xe2\x82", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xc2\x85", "\x7f", "\xe2\x80\xa8",
	};
	static const char *const text[] = {
		"\\xc0\\xaf", "\\xe0\\x80\\xaf", "\\xed\\xa0\\x80",
		"\\xf4\\x90\\x80\\x80", "\\xe2\\x82", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\\u0085", "\\x7f", "\\u2028",
	};
	static const char *const json[] = {
		"\\ufffd\\ufffd", "\\ufffd\\ufffd\\ufffd", "\\ufffd\\ufffd\\ufffd",
		"\\ufffd\\ufffd\\ufffd\\ufffd", "\\ufffd\\ufffd", "\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\\u0085", "\\u007f",
		"\\u2028",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct pd_top_options o = {0};
		struct pd_top *t = pd_top_create(&o);
		char stack[32];
		snprintf(stack, sizeof(stack), "p;%s", names[i]);
		add(t, stack, 1);
		struct pd_top_report r = {.format = PD_TOP_TSV};
		char *s = tsv(t, &r), want[64];
		snprintf(want, sizeof(want), "1\t100.00\t1\t100.00\t%s\n", text[i]);
		CHECK(strcmp(s, want) == 0);
		free(s);
		r.format = PD_TOP_JSON;
		s = tsv(t, &r);
		snprintf(want, sizeof(want), "{\"name\": \"%s\",", json[i]);
		CHECK(strstr(s, want) != NULL);
		free(s);
		pd_top_destroy(t);
	}
}

int main(void) {
	test_prefixes();
	test_deep_recursion();
	test_overflow();
	test_escape();
	return check_status();
}
