// SPDX-License-Identifier: MIT
// diff-work: steady work and K times as much extra work, for pd-diff's live
// gate test (tests/live/diff-gate.sh). Usage: diff-work [K] (default 1).
#include <stdlib.h>

static volatile unsigned long sink;
// Read at run time, so that gcc makes no constant-propagated clone
// (extra.constprop.0) whose name the test would have to guess.
static volatile unsigned long steady_n = 300000000UL, extra_n = 40000000UL;

// Called by the hot function so that it is not a leaf (see fp-burn.c).
__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

// The one loop that steady and extra both run: the same instructions at
// the same addresses, so that their shares are those of their work. Two
// loops of their own (even of the same instructions) ran at speeds that
// differed by up to 20% from one run or build to the next on an AMD
// virtual machine, which moved extra's share by 10 points between two
// runs of one command.
__attribute__((noinline)) static void spin(unsigned long n) {
	anchor();
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++) {
		s += i ^ (s >> 3);
		__asm__ volatile("" : "+r"(s));
	}
	sink = s;
}

// Each does something after spin, and something else: no tail call (its
// frame would be gone from the stacks) and no one function for both (gcc
// folds identical functions).
__attribute__((noinline)) static void steady(unsigned long n) {
	spin(n);
	sink ^= 1;
}

__attribute__((noinline)) static void extra(unsigned long n) {
	spin(n);
	sink ^= 2;
}

// The work goes in slices of about a millisecond, each steady's part and
// then extra's K parts: when the machine slows down for part of a run
// (other processes, the host), both lose time alike.
#define SLICES 1000

int main(int argc, char **argv) {
	unsigned long k = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
	for (unsigned s = 0; s < SLICES; s++) {
		steady(steady_n / SLICES);
		for (unsigned long i = 0; i < k; i++) {
			extra(extra_n / SLICES);
		}
	}
	return 0;
}
