// SPDX-License-Identifier: MIT
// A C workload with the shape of real programs: formatted text is
// generated (snprintf), tokenized, parsed (strtod), counted in a hash
// table with inlined helpers, and sorted with qsort; for DWARF-unwinding
// benchmarks and tests. Usage: c-words [rounds] (default 2000)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char word[32];
	unsigned long count;
	double sum;
};

static struct entry table[4096];
static size_t used;

static inline unsigned hash(const char *s) {
	unsigned h = 2166136261u;
	while (*s) {
		h = (h ^ (unsigned char)*s++) * 16777619u;
	}
	return h;
}

static inline struct entry *lookup(const char *word) {
	unsigned i = hash(word) & 4095;
	while (table[i].count && strcmp(table[i].word, word) != 0) {
		i = (i + 1) & 4095;
	}
	if (!table[i].count) {
		snprintf(table[i].word, sizeof(table[i].word), "%s", word);
		used++;
	}
	return &table[i];
}

static void count(const char *word, double value) {
	struct entry *e = lookup(word);
	e->count++;
	e->sum += value;
}

static void make_line(char *buf, size_t n, unsigned seed) {
	static const char *words[] = {"alpha", "beta", "gamma", "delta",
		"epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda"};
	size_t len = 0;
	for (int i = 0; i < 10 && len < n; i++) {
		seed = seed * 1103515245u + 12345u;
		len += (size_t)snprintf(buf + len, n - len, "%s%u %.3f ",
			words[(seed >> 16) % 11], (seed >> 20) % 50,
			(double)(seed % 10000) / 7.0);
	}
}

static void process(char *line) {
	char *save = NULL, *word = NULL;
	for (char *tok = strtok_r(line, " ", &save); tok;
			tok = strtok_r(NULL, " ", &save)) {
		if (!word) {
			word = tok;
			continue;
		}
		count(word, strtod(tok, NULL));
		word = NULL;
	}
}

static int by_count(const void *a, const void *b) {
	const struct entry *x = a, *y = b;
	if (x->count != y->count) {
		return x->count < y->count ? 1 : -1;
	}
	return strcmp(x->word, y->word);
}

int main(int argc, char **argv) {
	int rounds = argc > 1 ? atoi(argv[1]) : 2000;
	static struct entry sorted[4096];
	char line[512];
	double top = 0;
	for (int r = 0; r < rounds; r++) {
		make_line(line, sizeof(line), (unsigned)r);
		process(line);
		if (r % 50 == 0) {
			memcpy(sorted, table, sizeof(table));
			qsort(sorted, 4096, sizeof(*sorted), by_count);
			top += sorted[0].sum;
		}
	}
	printf("%zu %.1f\n", used, top);
	return 0;
}
