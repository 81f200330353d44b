// SPDX-License-Identifier: MIT
// diff-work: steady work, then K times a slice of extra work, for pd-diff's
// live gate test (tests/live/diff-gate.sh). Usage: diff-work [K] (default 1).
#include <stdlib.h>

static volatile unsigned long sink;
// Read at run time, so that gcc makes no constant-propagated clone
// (extra.constprop.0) whose name the test would have to guess.
static volatile unsigned long steady_n = 300000000UL, extra_n = 40000000UL;

// Called by each hot function so that it is not a leaf (see fp-burn.c).
__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) static void steady(unsigned long n) {
	anchor();
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++) {
		s += i ^ (s >> 3);
		__asm__ volatile("" : "+r"(s));
	}
	sink = s;
}

__attribute__((noinline)) static void extra(unsigned long n) {
	anchor();
	unsigned long s = 1;
	for (unsigned long i = 0; i < n; i++) {
		s = s * 2862933555777941757UL + i;
		__asm__ volatile("" : "+r"(s));
	}
	sink = s;
}

int main(int argc, char **argv) {
	unsigned long k = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
	steady(steady_n);
	for (unsigned long i = 0; i < k; i++) {
		extra(extra_n);
	}
	return 0;
}
