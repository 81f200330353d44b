// SPDX-License-Identifier: MIT
// demo: a toy "load, transform, report" program for the README's flame graph.
// Usage: demo [rounds] (default 100)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS = 20000 };
static double table[ROWS];
static char text[ROWS * 24];

// Called once by each hot loop function so that it is not a leaf: gcc 12
// sets up no frame in leaf functions even with -fno-omit-frame-pointer,
// which would hide their caller from frame-pointer unwinding.
__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) static void parse_numbers(void) {
	char *p = text;
	for (int i = 0; i < ROWS; i++) {
		table[i] = strtod(p, &p);
	}
}

__attribute__((noinline)) static void load(void) {
	char *p = text;
	for (int i = 0; i < ROWS; i++) {
		p += sprintf(p, "%d.%03d ", i % 977, (i * 37) % 1000);
	}
	parse_numbers();
}

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

__attribute__((noinline)) static void smooth(void) {
	anchor();
	for (int pass = 0; pass < 40; pass++) {
		for (int i = 1; i < ROWS - 1; i++) {
			table[i] = (table[i - 1] + 2 * table[i] + table[i + 1]) / 4;
		}
	}
}

__attribute__((noinline)) static void transform(void) {
	smooth();
	qsort(table, ROWS, sizeof table[0], cmp_double);
}

__attribute__((noinline)) static double report(void) {
	double sum = 0;
	char line[64];
	for (int i = 0; i < ROWS; i++) {
		snprintf(line, sizeof line, "%10.4f", table[i]);
		sum += (double)strlen(line);
	}
	return sum;
}

int main(int argc, char *argv[]) {
	int rounds = argc > 1 ? atoi(argv[1]) : 100;
	double total = 0;
	for (int r = 0; r < rounds; r++) {
		load();
		transform();
		total += report();
	}
	printf("%.0f\n", total);
	return 0;
}
