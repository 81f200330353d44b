// SPDX-License-Identifier: MIT
// pipe-sum: reads numbers from stdin, burns CPU on each, prints the sum.
// Last stage of the fork/exec pipeline test.  Usage: pipe-gen | pipe-sum
#include <stdio.h>

// Called once by each hot loop function so that it is not a leaf: gcc 12
// sets up no frame in leaf functions even with -fno-omit-frame-pointer,
// which would hide their caller from frame-pointer unwinding.
__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) static unsigned long digest(unsigned long v) {
	anchor();
	for (int i = 0; i < 150000; i++) {
		v = (v << 7 | v >> 57) ^ (unsigned long)i;
		__asm__ volatile("" : "+r"(v));
	}
	return v;
}

__attribute__((noinline)) static unsigned long consume(FILE *in) {
	unsigned long v, sum = 0;
	while (fscanf(in, "%lu", &v) == 1) {
		sum += digest(v);
	}
	return sum;
}

int main(void) {
	printf("%lu\n", consume(stdin));
	return 0;
}
