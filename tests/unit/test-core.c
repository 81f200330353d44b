// SPDX-License-Identifier: MIT
// Unit tests of the shared core: the stack table (stacks.c: add and push
// mixed, saturation, sorting, ids given back as a writer reads them), texts (texts.c: lines equal as text though
// made of other texts), pd_map64, pd_index and pd_hash_long (hash.c),
// the string sort on threads (strsort.c), arenas of huge-page blocks
// and arrays in huge pages (alloc.c), the decimal writer (strbuf.c),
// a flame graph frame named like the root, and numbers from the
// environment (env.c).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "env.h"
#include "flame.h"
#include "hash.h"
#include "stacks.h"
#include "strbuf.h"
#include "strsort.h"
#include "texts.h"
#include "check.h"

static void test_stacks(void) {
	struct pd_stacks *s = pd_stacks_create(2);
	uint64_t w[2] = {1, 10};
	uint32_t a[3] = {1, 2, 3}, b[2] = {1, 2};
	// Pushed stacks (known new) are found by later adds.
	for (uint32_t i = 0; i < 10000; i++) {
		uint32_t k[2] = {i, i + 1};
		CHECK(pd_stacks_push(s, k, 2, w) == i);
	}
	CHECK(pd_stacks_add(s, (uint32_t[]){7, 8}, 2, w) == 7);
	CHECK(pd_stacks_weights(s, 7)[0] == 2 && pd_stacks_weights(s, 7)[1] == 20);
	uint32_t ia = pd_stacks_add(s, a, 3, w);
	uint32_t ib = pd_stacks_add(s, b, 2, w);
	CHECK(ia == 10000 && ib == 1 && pd_stacks_size(s) == 10001);
	CHECK(pd_stacks_add(s, a, 3, w) == ia);
	size_t n;
	const uint32_t *ids = pd_stacks_ids(s, ia, &n);
	CHECK(n == 3 && ids[2] == 3);
	// Saturation at 2^64 - 1, and the flag.
	CHECK(!pd_stacks_overflowed(s));
	pd_stacks_bump(s, ia, 0, UINT64_MAX - 1);
	CHECK(pd_stacks_weights(s, ia)[0] == UINT64_MAX);
	CHECK(pd_stacks_overflowed(s));
	pd_stacks_destroy(s);
}

#if defined(__has_feature)
#define TSAN_BY_FEATURE __has_feature(thread_sanitizer)
#else
#define TSAN_BY_FEATURE 0
#endif

// The process's anonymous resident memory in KiB, or -1.
static long rss_anon_kib(void) {
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "RssAnon: %ld", &kib) == 1) {
			break;
		}
	}
	if (f) {
		fclose(f);
	}
	return kib;
}

static void test_stacks_release(void) {
	// 16 MiB of ids; stacks not a page each, so one released too many
	// shows.
	enum { STACKS = 4096, LEN = 1037 };
	struct pd_stacks *s = pd_stacks_create(1);
	uint32_t *k = malloc(LEN * sizeof(*k));
	for (uint32_t i = 0; i < STACKS; i++) {
		for (uint32_t j = 0; j < LEN; j++) {
			k[j] = i * 7 + j + 1;
		}
		CHECK(pd_stacks_push(s, k, LEN, (uint64_t[]){i}) == i);
	}
	long before = rss_anon_kib();
	// In steps, as the folded writer calls it, each followed by a read of
	// the next stack, which must be intact; a step past the end is
	// ignored.
	bool next_intact = true;
	for (uint32_t i = 1; i <= STACKS / 2; i++) {
		pd_stacks_release_ids(s, i);
		size_t n;
		const uint32_t *ids = pd_stacks_ids(s, i, &n);
		next_intact &= n == LEN && ids[0] == i * 7 + 1
			&& ids[LEN - 1] == i * 7 + LEN;
	}
	CHECK(next_intact);
	pd_stacks_release_ids(s, STACKS + 1);
	long after = rss_anon_kib();
	CHECK(before >= 0 && after >= 0);
	// ThreadSanitizer's runtime keeps such pages resident.
#if !defined(__SANITIZE_THREAD__) && !TSAN_BY_FEATURE
	CHECK(before - after >= 6 * 1024); // of 8 MiB given back
#endif
	// The stacks not yet read are intact, and every weight.
	bool same = true;
	for (uint32_t i = STACKS / 2; i < STACKS; i++) {
		size_t n;
		const uint32_t *ids = pd_stacks_ids(s, i, &n);
		same &= n == LEN && ids[0] == i * 7 + 1
			&& ids[LEN - 1] == i * 7 + LEN;
	}
	for (uint32_t i = 0; i < STACKS; i++) {
		same &= pd_stacks_weights(s, i)[0] == i;
	}
	CHECK(same);
	free(k);
	pd_stacks_destroy(s);
}

static void test_texts_and_sort(void) {
	struct pd_texts *t = pd_texts_create();
	uint32_t ab = pd_texts_id(t, "a;b", 3), a = pd_texts_id(t, "a", 1);
	uint32_t b = pd_texts_id(t, "b", 1), c = pd_texts_id(t, "c", 1);
	CHECK(pd_texts_id(t, "a;b", 3) == ab && pd_texts_count(t) == 4);
	CHECK(pd_texts_intern(t, "a", 1) == pd_texts_intern(t, "a", 1));
	// "a;b" + "c" and "a" + "b" + "c" are one line; "a" + "b" comes first
	// (a prefix), then "a;b;c", then "c".
	uint32_t l1[] = {ab, c}, l2[] = {a, b, c}, l3[] = {a, b}, l4[] = {c};
	CHECK(pd_texts_cmp(t, l1, 2, l2, 3) == 0);
	CHECK(pd_texts_cmp(t, l3, 2, l1, 2) < 0);
	CHECK(pd_texts_cmp(t, l4, 1, l2, 3) > 0);
	struct pd_stacks *s = pd_stacks_create(1);
	uint64_t one = 1;
	pd_stacks_add(s, l4, 1, &one);
	pd_stacks_add(s, l1, 2, &one);
	pd_stacks_add(s, l3, 2, &one);
	uint32_t *order = pd_stacks_sorted(s, t);
	CHECK(order[0] == 2 && order[1] == 1 && order[2] == 0);
	free(order);
	pd_stacks_destroy(s);
	pd_texts_destroy(t);
}

static void test_hash(void) {
	struct pd_map64 m = {0};
	for (uint64_t k = 1; k <= 5000; k++) {
		pd_map64_insert(&m, k * 0x10001, k);
	}
	CHECK(pd_map64_find(&m, 0x10001 * 4242) && *pd_map64_find(&m, 0x10001 * 4242) == 4242);
	CHECK(!pd_map64_find(&m, 3));
	pd_map64_free(&m);
	// pd_index: entries kept by the caller, here strings; colliding
	// hashes still find their own entry.
	struct pd_index x = {0};
	char keys[3000][8];
	for (int i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		uint64_t h = i % 7; // many equal hashes
		size_t j = pd_index_slot(&x, h);
		while (pd_index_probe(&x, h, &j)) {
			j = pd_index_next(&x, j);
		}
		CHECK(pd_index_add(&x, j, h) == (uint32_t)i);
	}
	uint64_t h = 1234 % 7;
	size_t j = pd_index_slot(&x, h);
	uint32_t found = 0;
	for (uint32_t e; (e = pd_index_probe(&x, h, &j)); j = pd_index_next(&x, j)) {
		if (strcmp(keys[e - 1], "k1234") == 0) {
			found = e;
		}
	}
	CHECK(found == 1235);
	pd_index_free(&x);
	// Homes come from a hash's top bits: hashes near 2^64 cluster at the
	// end of the slots and wrap to the start, through every doubling;
	// each entry is found again from its hash.
	struct pd_index y = {0};
	enum { N = 20000 };
	uint64_t *hs = malloc(N * sizeof(*hs));
	for (uint32_t i = 0; i < N; i++) {
		hs[i] = i % 3 ? pd_hash_u64(i + 1) : UINT64_MAX - i;
		size_t k = pd_index_slot(&y, hs[i]);
		while (pd_index_probe(&y, hs[i], &k)) {
			k = pd_index_next(&y, k);
		}
		CHECK(pd_index_add(&y, k, hs[i]) == i);
	}
	bool all = true;
	for (uint32_t i = 0; i < N; i++) {
		size_t k = pd_index_slot(&y, hs[i]);
		bool hit = false;
		for (uint32_t e; (e = pd_index_probe(&y, hs[i], &k));
				k = pd_index_next(&y, k)) {
			hit |= e == i + 1;
		}
		all &= hit;
	}
	CHECK(all);
	pd_index_free(&y);
	// Random hashes spread over the whole table, grown as it fills (at
	// most three quarters full): a few slots read to find each.
	size_t probes = 0;
	for (uint32_t i = 0; i < N; i++) {
		size_t k = pd_index_slot(&y, hs[i] = pd_hash_u64(i + 1));
		while (pd_index_probe(&y, hs[i], &k)) {
			k = pd_index_next(&y, k);
		}
		pd_index_add(&y, k, hs[i]);
	}
	for (uint32_t i = 0; i < N; i++) {
		size_t home = pd_index_slot(&y, hs[i]), k = home;
		uint32_t e;
		while ((e = pd_index_probe(&y, hs[i], &k)) && e != i + 1) {
			k = pd_index_next(&y, k);
		}
		CHECK(e == i + 1);
		probes += ((k - home) & (y.nslots - 1)) + 1;
	}
	CHECK(probes < 3 * (size_t)N);
	free(hs);
	pd_index_free(&y);
}

// pd_hash_long: every byte and the length count, and the top bits (an
// index's homes) spread; an index reserved for n entries takes them
// without growing.
static void test_hash_long(void) {
	unsigned char b[100];
	for (size_t i = 0; i < sizeof(b); i++) {
		b[i] = (unsigned char)(i * 7 + 1);
	}
	bool bytes = true, lengths = true;
	for (size_t n = 0; n <= sizeof(b); n++) {
		uint64_t h = pd_hash_long(b, n, 0);
		for (size_t i = 0; i < n; i++) {
			b[i] ^= 0x40;
			bytes &= pd_hash_long(b, n, 0) != h;
			b[i] ^= 0x40;
		}
		for (size_t m = 0; m < n; m++) {
			lengths &= pd_hash_long(b, m, 0) != h;
		}
	}
	CHECK(bytes);
	CHECK(lengths);
	// A word equal to an unseeded multiplier zeroes its product: keys
	// that differ only before it collide without a seed, not with one.
	unsigned char m[64] = {0};
	uint64_t k2 = 0x165667b19e3779f9ULL ^ pd_hash_u64(1);
	memcpy(m + 32, &k2, 8);
	uint64_t h0 = pd_hash_long(m, sizeof(m), 0);
	m[0] = 1;
	CHECK(pd_hash_long(m, sizeof(m), 0) == h0);
	uint64_t seed = pd_hash_seed();
	h0 = pd_hash_long(m, sizeof(m), seed);
	m[0] = 2;
	CHECK(pd_hash_long(m, sizeof(m), seed) != h0);
	enum { N = 20000, HOMES = 1024 };
	static unsigned count[HOMES];
	struct pd_index x = {0};
	pd_index_reserve(&x, N);
	size_t nslots = x.nslots;
	char line[96];
	for (int i = 0; i < N; i++) {
		int n = snprintf(line, sizeof(line),
			"java;main;run;mod%d::f;mod%d::g;leaf_%d", i % 40, i / 40, i);
		uint64_t h = pd_hash_long(line, (size_t)n, 0);
		count[h >> 54]++;
		size_t j = pd_index_slot(&x, h);
		while (pd_index_probe(&x, h, &j)) {
			j = pd_index_next(&x, j);
		}
		pd_index_add(&x, j, h);
	}
	unsigned most = 0;
	for (int i = 0; i < HOMES; i++) {
		most = count[i] > most ? count[i] : most;
	}
	CHECK(most < 3 * N / HOMES); // about 20 each
	CHECK(x.nslots == nslots && 4 * N <= 3 * nslots);
	pd_index_free(&x);
}

static int cmp_bytes(const void *x, const void *y) {
	const struct pd_strkey *a = x, *b = y;
	int d = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
	return d ? d : (a->len > b->len) - (a->len < b->len);
}

// pd_strsort_parallel on five threads (whatever the CPUs): the byte order
// qsort gives, on strings with long shared prefixes, prefixes of others,
// and equal ones.
static void test_strsort_parallel(void) {
	enum { N = 60000 };
	static const char *frames[] = {"main", "run;loop", "mod::f", "x",
		"std::vector<int>::push_back", ""};
	struct pd_strkey *a = malloc(N * sizeof(*a)), *b = malloc(N * sizeof(*b));
	char *text = malloc(N * 64);
	uint64_t r = 42;
	for (size_t i = 0; i < N; i++) {
		char *s = text + i * 64;
		size_t len = 0;
		int depth = 1 + (int)((r = r * 6364136223846793005ULL + 1) >> 60);
		for (int d = 0; d < depth && len < 40; d++) {
			const char *f = frames[((r = r * 6364136223846793005ULL + 1)
				>> 40) % 6];
			len += (size_t)snprintf(s + len, 64 - len, "%s;", f);
		}
		len -= len > 2 ? (r >> 40) % 3 : 0; // some end inside a frame
		const unsigned char *u = (const unsigned char *)s;
		a[i] = b[i] = (struct pd_strkey){u, (uint32_t)len, (uint32_t)i,
			pd_strkey_chunk(u, len)};
	}
	setenv("PD_THREADS", "5", 1);
	pd_strsort_parallel(a, N);
	unsetenv("PD_THREADS");
	qsort(b, N, sizeof(*b), cmp_bytes);
	bool same = true;
	static bool seen[N];
	for (size_t i = 0; i < N; i++) {
		same &= a[i].len == b[i].len
			&& memcmp(a[i].s, b[i].s, a[i].len) == 0
			&& a[i].val < N && !seen[a[i].val]
			&& a[i].s == (const unsigned char *)text + a[i].val * 64;
		seen[a[i].val < N ? a[i].val : 0] = true;
	}
	CHECK(same); // and each key once, with its own string
	free(text);
	free(a);
	free(b);
}

static void test_u64(void) {
	struct pd_strbuf b = {0};
	pd_strbuf_add_u64(&b, 0);
	pd_strbuf_addc(&b, ' ');
	pd_strbuf_add_u64(&b, UINT64_MAX);
	CHECK(strcmp(b.s, "0 18446744073709551615") == 0);
	pd_strbuf_finish(&b);
}

// A frame named "all" shares the root's name: its node must still be one.
static void test_flame_all(void) {
	struct pd_flame *f = pd_flame_create(false, false);
	pd_flame_add(f, "all;x", 5, 1, 0);
	pd_flame_add(f, "b;all", 5, 1, 0);
	pd_flame_add(f, "all;y", 5, 1, 0);
	pd_flame_finish(f, PD_FLAME_SORT_NAME, 0);
	const struct pd_flame_node *n = pd_flame_nodes(f);
	size_t kids = 0;
	for (uint32_t c = n[0].child; c; c = n[c].next) {
		kids++;
	}
	CHECK(kids == 2); // all, b
	CHECK(pd_flame_size(f) == 6); // root, all, x, y, b, all
	pd_flame_destroy(f);
}

// An arena of 2 MiB blocks: strings across several blocks, one larger
// than a block, each its own bytes and NUL-terminated, and aligned
// allocations among them.
static void test_arena_big_blocks(void) {
	struct pd_arena a = {.block = (size_t)2 << 20};
	enum { N = 20000 };
	char **p = pd_xcalloc(N, sizeof(*p));
	char buf[400];
	bool ok = true;
	for (size_t i = 0; i < N; i++) {
		size_t len = i % 397;
		memset(buf, 'a' + (int)(i % 26), len);
		p[i] = pd_arena_strdup(&a, buf, len);
		uint64_t *v = pd_arena_alloc(&a, sizeof(*v));
		ok &= (uintptr_t)v % 8 == 0;
		*v = i;
	}
	size_t big = (size_t)5 << 20;
	char *huge = pd_arena_alloc(&a, big);
	memset(huge, 'z', big);
	for (size_t i = 0; i < N; i++) {
		size_t len = i % 397;
		ok &= strlen(p[i]) == len && (len == 0 || (p[i][0] == 'a'
			+ (int)(i % 26) && p[i][len - 1] == p[i][0]));
	}
	CHECK(ok && huge[0] == 'z' && huge[big - 1] == 'z');
	pd_arena_finish(&a);
	CHECK(a.blocks == NULL);
	free(p);
}

// Memory given to an arena (pd_arena_adopt): a mapped array of 3 MiB,
// then a malloc'd one, and one too small to hold a block (freed). The
// strings go into the last given first, then into blocks of the arena's
// own; each keeps its bytes.
static void fill_adopted(char *mem, size_t size) {
	struct pd_arena a = {.block = (size_t)2 << 20};
	pd_arena_adopt(&a, pd_huge_alloc(8), 8);
	pd_arena_adopt(&a, NULL, 0);
	memset(mem, 'x', size); // touched, as a part's lines are
	pd_arena_adopt(&a, mem, size);
	enum { N = 40000 }; // ~5.9 MB of strings, up to 293 bytes each
	char **p = pd_xcalloc(N, sizeof(*p));
	char buf[300];
	bool ok = true, first_in = true;
	for (size_t i = 0; i < N; i++) {
		size_t len = i % 293;
		memset(buf, 'a' + (int)(i % 26), len);
		p[i] = pd_arena_strdup(&a, buf, len);
		if (i < (size - 64) / 300) {
			first_in &= p[i] >= mem && p[i] + len < mem + size;
		}
	}
	for (size_t i = 0; i < N; i++) {
		size_t len = i % 293;
		ok &= strlen(p[i]) == len && (len == 0 || (p[i][0] == 'a'
			+ (int)(i % 26) && p[i][len - 1] == p[i][0]));
	}
	CHECK(ok && first_in);
	pd_arena_finish(&a);
	CHECK(a.blocks == NULL);
	free(p);
}

static void test_arena_adopt(void) {
	fill_adopted(pd_huge_alloc((size_t)3 << 20), (size_t)3 << 20);
	fill_adopted(pd_huge_alloc(100000), 100000);
}

// Arrays of pd_huge_alloc and pd_huge_grow: zeroed when new, their
// contents kept as they grow from malloc's sizes into mapped ones and
// between mapped sizes. Then pd_huge_malloc's.
static void test_huge_arrays(void) {
	uint64_t *z = pd_huge_alloc((size_t)3 << 20);
	bool zero = true;
	for (size_t i = 0; i < ((size_t)3 << 20) / 8; i++) {
		zero &= z[i] == 0;
	}
	CHECK(zero);
	pd_huge_free(z, (size_t)3 << 20);
	uint32_t *a = NULL;
	size_t cap = 0;
	bool kept = true;
	for (uint32_t i = 0; i < 3000000; i++) {
		pd_huge_grow(&a, &cap, (size_t)i + 1, sizeof(*a));
		a[i] = i * 2654435761u;
		if ((i & (i - 1)) == 0) { // at each doubling
			for (uint32_t k = 0; k <= i; k += 997) {
				kept &= a[k] == k * 2654435761u;
			}
		}
	}
	for (uint32_t k = 0; k < 3000000; k++) {
		kept &= a[k] == k * 2654435761u;
	}
	CHECK(kept && cap >= 3000000);
	pd_huge_free(a, cap * sizeof(*a));
	// pd_huge_malloc's, mapped or from malloc: every byte of n theirs.
	const size_t sizes[] = {100000, ((size_t)2 << 20) + 1, (size_t)3 << 20};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		size_t n = sizes[i];
		unsigned char *m = pd_huge_malloc(n);
		for (size_t k = 0; k < n; k++) {
			m[k] = (unsigned char)(k * 31 + i);
		}
		bool same = true;
		for (size_t k = 0; k < n; k++) {
			same &= m[k] == (unsigned char)(k * 31 + i);
		}
		CHECK(same);
		pd_huge_free(m, n);
	}
}

// pd_env_number: a decimal number from 1 to max, else 0.
static void test_env_number(void) {
	const char *n = "PD_TEST_ENV_NUMBER";
	unsetenv(n);
	CHECK(pd_env_number(n, 100) == 0);
	const struct {
		const char *s;
		uint64_t max, want;
	} t[] = {
		{"1", 100, 1}, {"100", 100, 100}, {"101", 100, 0}, {"0", 100, 0},
		{"", 100, 0}, {"12x", 100, 0}, {" 3", 100, 0}, {"+3", 100, 0},
		{"-1", 100, 0}, {"0x10", 100, 0}, {"007", 100, 7},
		{"18446744073709551615", UINT64_MAX, UINT64_MAX},
		{"18446744073709551616", UINT64_MAX, 0}, // overflows
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		setenv(n, t[i].s, 1);
		uint64_t got = pd_env_number(n, t[i].max);
		if (got != t[i].want) {
			fprintf(stderr, "pd_env_number(\"%s\") = %llu\n", t[i].s,
				(unsigned long long)got);
		}
		CHECK(got == t[i].want);
	}
	unsetenv(n);
}

int main(void) {
	test_stacks();
	test_stacks_release();
	test_texts_and_sort();
	test_hash();
	test_hash_long();
	test_strsort_parallel();
	test_arena_big_blocks();
	test_arena_adopt();
	test_huge_arrays();
	test_u64();
	test_flame_all();
	test_env_number();
	return check_status();
}
