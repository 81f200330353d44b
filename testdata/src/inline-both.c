// SPDX-License-Identifier: MIT
// One function run two ways: inlined into inlined_caller, and out of
// line, called through a pointer by pointer_caller. With inline marks,
// its frame is "work_[i]" under the first and "work" under the second:
// the same name, two renderings (tests/live/live.sh, case inline-both).
#include <stdlib.h>

static volatile unsigned long sink;

static inline __attribute__((always_inline)) unsigned long work(
		unsigned long x) {
	for (int i = 0; i < 2000; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		sink = x;
	}
	return x;
}

__attribute__((noinline)) static unsigned long inlined_caller(unsigned long x) {
	return work(x) + 1;
}

__attribute__((noinline)) static unsigned long pointer_caller(
		unsigned long (*fn)(unsigned long), unsigned long x) {
	return fn(x) + 2;
}

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 20000;
	unsigned long (*volatile fn)(unsigned long) = work;
	for (long i = 0; i < n; i++) {
		sink = inlined_caller((unsigned long)i);
		sink = pointer_caller(fn, (unsigned long)i);
	}
	return 0;
}
