// SPDX-License-Identifier: MIT
// Unit tests for the folded reader, pd_profile_normalize and the flame tree.
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flame.h"
#include "folded-read.h"
#include "profile.h"

static int failures;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, \
				#cond); \
			failures++; \
		} \
	} while (0)

static char *write_temp(const char *text) {
	char *path = strdup("/tmp/pd-test-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror("temp file");
		exit(99);
	}
	close(fd);
	return path;
}

// The counts of stack in p (a zero column if absent).
static const uint64_t *find(const struct pd_profile *p, const char *stack) {
	static const uint64_t none[PD_FOLDED_MAX_COUNTS];
	for (uint32_t i = 0; i < pd_profile_size(p); i++) {
		size_t len;
		const char *s = pd_profile_stack(p, i, &len);
		if (len == strlen(stack) && memcmp(s, stack, len) == 0) {
			return pd_profile_counts(p, i);
		}
	}
	return none;
}

static void test_load_normalize(void) {
	char *a = write_temp("x;y 1\r\n\n  \nz\t3\nx;y 0\n");
	char *b = write_temp("x;y 3\nz 3\n");
	struct pd_profile *p = pd_profile_create(2);
	CHECK(pd_profile_load(p, a, 0, 0) == PD_OK);
	CHECK(pd_profile_load(p, b, 1, 0) == PD_OK);
	CHECK(pd_profile_size(p) == 2);
	uint64_t t[2];
	pd_profile_totals(p, t);
	CHECK(t[0] == 4 && t[1] == 6);
	// 1 * 6 / 4 = 1.5 and 3 * 6 / 4 = 4.5 both round up.
	pd_profile_normalize(p, 0, 1);
	CHECK(find(p, "x;y")[0] == 2 && find(p, "x;y")[1] == 3);
	CHECK(find(p, "z")[0] == 5 && find(p, "z")[1] == 3);
	pd_profile_destroy(p);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

static void test_malformed(void) {
	static const char *const bad[] = {
		"a;b\n", "a;b 1.5\n", "a;b -1\n", " 5\n",
		"a 18446744073709551616\n", "a 18446744073709551615\nb 1\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *path = write_temp(bad[i]);
		struct pd_profile *p = pd_profile_create(1);
		fprintf(stderr, "expect an error: ");
		CHECK(pd_profile_load(p, path, 0, 0) == PD_EDATA);
		pd_profile_destroy(p);
		unlink(path);
		free(path);
	}
	struct pd_profile *p = pd_profile_create(1);
	fprintf(stderr, "expect an error: ");
	CHECK(pd_profile_load(p, "/nonexistent/x", 0, 0) == PD_ENOINPUT);
	pd_profile_destroy(p);
}

static void count_lines(void *ctx, const char *s, size_t len,
		const uint64_t *c, size_t n) {
	uint64_t *sum = ctx;
	for (size_t k = 0; k < n; k++) {
		sum[k] += c[k];
	}
}

static void test_detect_two(void) {
	char *path = write_temp("a;b 1 2\na 3 4\n");
	size_t n = 0;
	uint64_t sum[2] = {0, 0};
	CHECK(pd_folded_read(path, 0, &n, count_lines, sum) == PD_OK);
	CHECK(n == 2 && sum[0] == 4 && sum[1] == 6);
	n = 1;
	sum[0] = sum[1] = 0;
	CHECK(pd_folded_read(path, 0, &n, count_lines, sum) == PD_OK);
	CHECK(sum[0] == 6 && sum[1] == 0); // "a;b 1" is then the stack
	unlink(path);
	free(path);
}

static void test_flame(void) {
	// Unsorted input with shared prefixes, the same stack twice and an
	// inner frame that is also a leaf.
	static const char *const stacks[] = {"a;b;c", "a;d", "a;b", "a;b;c", "e"};
	struct pd_flame *f = pd_flame_create(false, false);
	for (size_t i = 0; i < 5; i++) {
		pd_flame_add(f, stacks[i], strlen(stacks[i]), i + 1, 0);
	}
	pd_flame_finish(f, PD_FLAME_SORT_NAME, 0);
	const struct pd_flame_node *n = pd_flame_nodes(f);
	CHECK(pd_flame_size(f) == 6); // all a b c d e
	CHECK(n[0].total[0] == 15);
	uint32_t a = n[0].child, b = n[a].child, c = n[b].child;
	size_t len;
	CHECK(memcmp(pd_flame_name(f, n[a].name, &len), "a", 1) == 0);
	CHECK(n[a].total[0] == 10 && n[a].self[0] == 0);
	CHECK(n[b].total[0] == 8 && n[b].self[0] == 3);
	CHECK(n[c].total[0] == 5 && n[c].self[0] == 5);
	CHECK(n[n[a].child].next && n[n[n[a].child].next].total[0] == 2);
	CHECK(n[n[0].child].next && n[n[n[0].child].next].total[0] == 5);
	pd_flame_destroy(f);
}

static bool keep_wide(void *ctx, uint64_t total) {
	return total >= *(uint64_t *)ctx;
}

// pd_flame_build gives the same totals as pd_flame_add and leaves out
// the children of nodes keep rejects.
static void test_build(void) {
	static const char *const stacks[] = {"a;b;c", "a;d", "a;b", "a;b;c", "e;f"};
	struct pd_flame *f = pd_flame_create(false, false);
	for (size_t i = 0; i < 5; i++) {
		uint64_t c[2] = {i + 1, 2 * i};
		pd_flame_collect(f, stacks[i], strlen(stacks[i]), c);
	}
	uint64_t min = 0, t[2];
	CHECK(pd_flame_totals(f, t) && t[0] == 15 && t[1] == 20);
	pd_flame_build(f, 0, keep_wide, &min);
	pd_flame_finish(f, PD_FLAME_SORT_NAME, 0);
	const struct pd_flame_node *n = pd_flame_nodes(f);
	CHECK(pd_flame_size(f) == 7); // all a b c d e f
	uint32_t a = n[0].child, b = n[a].child, c = n[b].child;
	CHECK(n[0].total[0] == 15 && n[0].total[1] == 20);
	CHECK(n[a].total[0] == 10 && n[b].total[0] == 8 && n[b].self[0] == 3);
	CHECK(n[c].total[0] == 5 && n[c].self[0] == 5 && n[c].total[1] == 6);
	CHECK(pd_flame_max_delta(f) == 3); // e;f: 5 -> 8
	pd_flame_destroy(f);
	// With a minimum of 6, d (2) and e (5) keep no children: f goes.
	min = 6;
	f = pd_flame_create(false, false);
	for (size_t i = 0; i < 5; i++) {
		uint64_t c[2] = {i + 1, 2 * i};
		pd_flame_collect(f, stacks[i], strlen(stacks[i]), c);
	}
	pd_flame_build(f, 0, keep_wide, &min);
	CHECK(pd_flame_size(f) == 6);
	pd_flame_destroy(f);
}

// Depth-first: node i's name, its totals and its children's, as text.
static void dump(const struct pd_flame *f, uint32_t i, char *out,
		size_t cap) {
	const struct pd_flame_node *n = pd_flame_nodes(f);
	size_t len, used = strlen(out);
	const char *s = pd_flame_name(f, n[i].name, &len);
	snprintf(out + used, cap - used, "(%.*s %llu %llu", (int)len, s,
		(unsigned long long)n[i].total[0],
		(unsigned long long)n[i].self[0]);
	for (uint32_t c = n[i].child; c; c = n[c].next) {
		dump(f, c, out, cap);
	}
	used = strlen(out);
	snprintf(out + used, cap - used, ")");
}

// Stacks collected as ids give the tree pd_flame_add gives: frames shared
// with the stack before (sorted input), empty frames, a frame named
// "all" (the root's name), a stack given twice; and reversed.
static void test_collect(void) {
	static const char *const stacks[] = {"a;b;c", "a;b;c;d", "a;b;x",
		"a;;b", "a;", "a;b;c", "all;a", "z", ""};
	for (int reverse = 0; reverse < 2; reverse++) {
		struct pd_flame *added = pd_flame_create(reverse, false);
		struct pd_flame *built = pd_flame_create(reverse, false);
		for (size_t i = 0; i < 9; i++) {
			uint64_t c[2] = {i + 1, 0};
			pd_flame_add(added, stacks[i], strlen(stacks[i]), c[0], 0);
			pd_flame_collect(built, stacks[i], strlen(stacks[i]), c);
		}
		uint64_t min = 0;
		pd_flame_build(built, 0, keep_wide, &min);
		pd_flame_finish(added, PD_FLAME_SORT_NAME, 0);
		pd_flame_finish(built, PD_FLAME_SORT_NAME, 0);
		char x[1024] = "", y[1024] = "";
		dump(added, 0, x, sizeof(x));
		dump(built, 0, y, sizeof(y));
		CHECK(strcmp(x, y) == 0);
		// By hand (stack i counts i + 1): all 45; the empty stack 9;
		// a 7 + 2 + 3 + 4 + 5 = 21, its empty frame 4 + 5 (self 5);
		// a;b 7 + 2 + 3 (a;b;c twice: 1 + 6); all;a 7; z 8.
		const char *want = reverse ? NULL
			: "(all 45 0( 9 9)(a 21 0( 9 5(b 4 4))(b 12 0(c 9 7"
			"(d 2 2))(x 3 3)))(all 7 0(a 7 7))(z 8 8))";
		if (want) {
			CHECK(strcmp(y, want) == 0);
		}
		pd_flame_destroy(added);
		pd_flame_destroy(built);
	}
}

// Names that agree in length and in their first and last 8 bytes (the
// table of recent names in flame.c finds them by those) stay apart, also
// when they take turns in that table, and names of under 8 bytes too.
static void test_recent_names(void) {
	static const char *const stacks[] = {"m;abcdefghXijklmnop",
		"m;abcdefghYijklmnop", "m;abcdefghXijklmnop", "m;ab", "m;ab\0",
		"m;abcdefghYijklmnop;ab"};
	static const size_t len[] = {19, 19, 19, 4, 5, 22};
	struct pd_flame *f = pd_flame_create(false, false);
	for (size_t i = 0; i < 6; i++) {
		uint64_t c[2] = {(uint64_t)1 << i, 0};
		pd_flame_collect(f, stacks[i], len[i], c);
	}
	uint64_t min = 0;
	pd_flame_build(f, 0, keep_wide, &min);
	pd_flame_finish(f, PD_FLAME_SORT_NAME, 0);
	char y[1024] = "";
	dump(f, 0, y, sizeof(y));
	// By hand: X 1 + 4, Y 2 + 32 (its child ab 32), ab 8, "ab\0" 16
	// (printed as "ab").
	const char want[] = "(all 63 0(m 63 0(ab 8 8)(ab 16 16)"
		"(abcdefghXijklmnop 5 5)(abcdefghYijklmnop 34 2(ab 32 32))))";
	CHECK(strcmp(y, want) == 0);
	pd_flame_destroy(f);
}

// N columns: one file per column, counts read from the end of each line,
// a line with fewer counts than demanded refused; sorted output.
static void test_columns(void) {
	char *a = write_temp("b;c 1\na 2\n");
	char *b = write_temp("a 5\n");
	char *c = write_temp("b;c 7\nd 1\n");
	struct pd_profile *p = pd_profile_create(3);
	CHECK(pd_profile_load(p, a, 0, 0) == PD_OK);
	CHECK(pd_profile_load(p, b, 1, 0) == PD_OK);
	CHECK(pd_profile_load(p, c, 2, 0) == PD_OK);
	CHECK(find(p, "a")[0] == 2 && find(p, "a")[1] == 5 && find(p, "a")[2] == 0);
	CHECK(find(p, "b;c")[0] == 1 && find(p, "b;c")[2] == 7);
	uint64_t t[3];
	CHECK(pd_profile_totals(p, t) && t[0] == 3 && t[1] == 5 && t[2] == 8);
	char out[256] = {0};
	FILE *f = fmemopen(out, sizeof(out) - 1, "w");
	pd_profile_write(f, p);
	fclose(f);
	CHECK(strcmp(out, "a 2 5 0\nb;c 1 0 7\nd 0 0 1\n") == 0);
	pd_profile_destroy(p);
	char *three = write_temp("x;y 1 2 3\nz 4 5\n");
	size_t n = 3;
	uint64_t sum[3] = {0};
	fprintf(stderr, "expect an error: ");
	CHECK(pd_folded_read(three, 0, &n, count_lines, sum) == PD_EDATA);
	CHECK(sum[0] == 1 && sum[1] == 2 && sum[2] == 3);
	char *paths[] = {a, b, c, three};
	for (size_t i = 0; i < 4; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
}

// What test_blocks's reads saw.
struct seen {
	size_t lines;
	uint64_t sum;
	size_t longest;
	bool long_ok; // the long line's frames, byte for byte
	char last[16];
};

static void see_line(void *ctx, const char *s, size_t len,
		const uint64_t *c, size_t n) {
	struct seen *x = ctx;
	x->lines++;
	x->sum += n ? c[0] : 0;
	if (len > x->longest) {
		x->longest = len;
		x->long_ok = len == 600002 && memcmp(s, "a;", 2) == 0;
		for (size_t i = 2; i < len; i++) {
			x->long_ok &= s[i] == 'x';
		}
	}
	snprintf(x->last, sizeof(x->last), "%.*s", (int)len, s);
}

// The folded text of test_blocks: a line of 600 kB (longer than two of
// the reader's 256 KiB blocks), 3000 short lines, and a last line with no
// newline; bad: line 2000 has no count.
static char *block_text(bool bad, size_t *len) {
	size_t cap = 700000, n = 0;
	char *t = malloc(cap);
	if (!t) {
		perror("malloc");
		exit(99);
	}
	memcpy(t, "a;", 2);
	memset(t + 2, 'x', 600000);
	n = 600002;
	n += (size_t)sprintf(t + n, " 5\n");
	for (int i = 2; i <= 3001; i++) {
		n += (size_t)sprintf(t + n, bad && i == 2000 ? "s;nocount\n"
			: "s;f%d %d\n", i, i);
	}
	n += (size_t)sprintf(t + n, "tail;end 7");
	*len = n;
	return t;
}

// sum of 2..3001 = 4,504,500, plus 5 and 7.
static void check_seen(const struct seen *x) {
	CHECK(x->lines == 3002);
	CHECK(x->sum == 4504500 + 5 + 7);
	CHECK(x->longest == 600002 && x->long_ok);
	CHECK(strcmp(x->last, "tail;end") == 0);
}

// Lines cut out of the blocks read, from a file and from a pipe written a
// kilobyte at a time (reads of any length).
static void test_blocks(void) {
	size_t len;
	char *text = block_text(false, &len);
	char path[] = "/tmp/pd-test-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, text, len) == (ssize_t)len);
	close(fd);
	struct seen x = {0};
	size_t n = 1;
	CHECK(pd_folded_read(path, 0, &n, see_line, &x) == PD_OK);
	check_seen(&x);
	int p[2], saved = dup(0);
	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (size_t at = 0; at < len; at += 1000) {
			size_t k = len - at < 1000 ? len - at : 1000;
			if (write(p[1], text + at, k) != (ssize_t)k) {
				_exit(1);
			}
		}
		_exit(0);
	}
	close(p[1]);
	dup2(p[0], 0);
	close(p[0]);
	x = (struct seen){0};
	CHECK(pd_folded_read("-", 0, &n, see_line, &x) == PD_OK);
	check_seen(&x);
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	dup2(saved, 0);
	close(saved);
	// Reading stops at line 2000, with lines 1 to 1999 read.
	free(text);
	text = block_text(true, &len);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, text, len) == (ssize_t)len);
	close(fd);
	x = (struct seen){0};
	fprintf(stderr, "expect an error at line 2000: ");
	CHECK(pd_folded_read(path, 0, &n, see_line, &x) == PD_EDATA);
	CHECK(x.lines == 1999);
	unlink(path);
	free(text);
}

int main(void) {
	test_blocks();
	test_columns();
	test_build();
	test_collect();
	test_recent_names();
	test_load_normalize();
	test_malformed();
	test_detect_two();
	test_flame();
	return failures ? 1 : 0;
}
