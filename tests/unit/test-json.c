// SPDX-License-Identifier: MIT
// Unit tests for the JSON reader (src/lib/json.c) and the escapes of
// untrusted names (src/lib/escape.c): a name escaped for JSON reads back
// as its UTF-8 form.
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "escape.h"
#include "json.h"

static struct pd_json *parse(const char *s, unsigned long *line,
		const char **why) {
	*why = NULL;
	return pd_json_parse(s, strlen(s), line, why);
}

static void reader(void) {
	unsigned long line;
	const char *why;
	struct pd_json *j = parse("{\"a\": [1, -2.5e3, true, null],\n"
		"\"s\": \"x\\u00e9\\ud83d\\ude00\\n\\\"\", \"a\": {}}", &line, &why);
	CHECK(j != NULL);
	if (j) {
		uint32_t a = pd_json_member(j, 0, "a"); // the last one
		CHECK(a != PD_JSON_NONE && pd_json_type(j, a) == PD_JSON_OBJECT);
		uint32_t s = pd_json_member(j, 0, "s");
		size_t len;
		const char *v = pd_json_string(j, s, &len);
		CHECK(len == 9 && memcmp(v, "x\xc3\xa9\xf0\x9f\x98\x80\n\"", 9) == 0);
		CHECK(pd_json_line(j, s) == 2);
		uint32_t first = pd_json_first(j, 0);
		uint32_t e = pd_json_first(j, first);
		CHECK(pd_json_type(j, e) == PD_JSON_NUMBER && pd_json_number(j, e) == 1);
		e = pd_json_next(j, e);
		CHECK(pd_json_number(j, e) == -2500);
		CHECK(pd_json_type(j, pd_json_next(j, e)) == PD_JSON_TRUE);
		CHECK(pd_json_member(j, 0, "none") == PD_JSON_NONE);
		pd_json_free(j);
	}
	static const char *const bad[][2] = {
		{"", "unexpected end of input"},
		{"[1,]", "unexpected character"},
		{"{\"a\" 1}", "expected ':'"},
		{"\"\\ud800\"", "lone high surrogate in string"},
		{"\"\\udc00\"", "lone low surrogate in string"},
		{"\"\\x\"", "bad escape in string"},
		{"\"\xc0\xaf\"", "string is not valid UTF-8"},
		{"01", "text after the value"},
		{"-", "bad number"},
		{"[1 2]", "expected ',' or ']'"},
		{"tru", "unexpected character"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = parse(bad[i][0], &line, &why);
		CHECK(j == NULL && why && strcmp(why, bad[i][1]) == 0);
		if (j || !why || strcmp(why, bad[i][1]) != 0) {
			fprintf(stderr, "  input %zu: %s\n", i, why ? why : "(parsed)");
		}
		pd_json_free(j);
	}
	j = parse("[\n\n\"a\nb\"]", &line, &why);
	CHECK(j == NULL && line == 3);
}

static void escapes(void) {
	CHECK(pd_utf8_len("\xc3\xa9", 2) == 2);
	CHECK(pd_utf8_len("\xc0\xaf", 2) == 0);     // overlong
	CHECK(pd_utf8_len("\xed\xa0\x80", 3) == 0); // surrogate
	CHECK(pd_utf8_len("\xf4\x90\x80\x80", 4) == 0); // past U+10FFFF
	CHECK(pd_utf8_len("\xe2\x82", 2) == 0);     // cut short
	struct pd_strbuf b = {0};
	const char name[] = "a\"b\\c\x01\xff|`*<\xe2\x82\xac";
	pd_escape_json(&b, name, sizeof(name) - 1);
	CHECK(strcmp(b.s, "a\\\"b\\\\c\\u0001\xef\xbf\xbd|`*<\xe2\x82\xac") == 0);
	// Read back: the UTF-8 form of the name.
	struct pd_strbuf q = {0}, u = {0};
	pd_strbuf_addc(&q, '"');
	pd_strbuf_add(&q, b.s, b.len);
	pd_strbuf_addc(&q, '"');
	unsigned long line;
	const char *why;
	struct pd_json *j = pd_json_parse(q.s, q.len, &line, &why);
	pd_escape_utf8(&u, name, sizeof(name) - 1);
	size_t len;
	CHECK(j && (pd_json_string(j, 0, &len), len == u.len)
		&& memcmp(pd_json_string(j, 0, &len), u.s, u.len) == 0);
	pd_json_free(j);
	b.len = 0;
	pd_escape_markdown(&b, name, sizeof(name) - 1);
	CHECK(strcmp(b.s, "a\"b\\\\c\\\\x01\xef\xbf\xbd\\|\\`\\*\\<\xe2\x82\xac") == 0);
	b.len = 0;
	pd_escape_terminal(&b, "a\x1b[31m\\", 7);
	CHECK(strcmp(b.s, "a\\x1b[31m\\x5c") == 0);
	pd_strbuf_finish(&b);
	pd_strbuf_finish(&q);
	pd_strbuf_finish(&u);
}

int main(void) {
	reader();
	escapes();
	return check_status();
}
