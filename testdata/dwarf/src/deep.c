// SPDX-License-Identifier: MIT
// deep: a recursion deeper than an 8 KiB stack dump, built without frame
// pointers. Usage: deep [iterations] (default 400)
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static unsigned long work(unsigned long n) {
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++) {
		s += i ^ (s >> 3);
		__asm__ volatile("" : "+r"(s));
	}
	return s;
}

__attribute__((noinline)) unsigned long recurse(int depth, unsigned long n) {
	volatile char pad[24];
	pad[0] = (char)depth;
	if (depth == 0) {
		return work(n) + pad[0];
	}
	return recurse(depth - 1, n) + 1 + pad[0];
}

int main(int argc, char *argv[]) {
	int iters = argc > 1 ? atoi(argv[1]) : 400;
	unsigned long s = 0;
	for (int i = 0; i < iters; i++) {
		s += recurse(i % 300, 200000);
	}
	printf("%lu\n", s);
	return 0;
}
