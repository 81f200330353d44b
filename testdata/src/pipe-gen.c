// SPDX-License-Identifier: MIT
// pipe-gen: writes N lines of pseudo-random numbers, burning CPU per line.
// First stage of the fork/exec pipeline test.  Usage: pipe-gen [lines]
#include <stdio.h>
#include <stdlib.h>

// Called once by each hot loop function so that it is not a leaf: gcc 12
// sets up no frame in leaf functions even with -fno-omit-frame-pointer,
// which would hide their caller from frame-pointer unwinding.
__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) static unsigned long next_number(unsigned long x) {
	anchor();
	for (int i = 0; i < 100000; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

__attribute__((noinline)) static void generate(long lines) {
	unsigned long x = 42;
	for (long i = 0; i < lines; i++) {
		x = next_number(x);
		printf("%lu\n", x >> 40);
	}
}

int main(int argc, char *argv[]) {
	generate(argc > 1 ? strtol(argv[1], NULL, 10) : 3000);
	return fflush(stdout) == 0 ? 0 : 1;
}
