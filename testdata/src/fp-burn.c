// SPDX-License-Identifier: MIT
// fp-burn: burns CPU in a fixed call tree, for frame-pointer profiles.
// Tree: main -> run -> {alpha -> {beta -> leaf_add, gamma -> leaf_mul},
// delta -> leaf_mul, leaf_add}.  Usage: fp-burn [iterations] (default 200).
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned long sink;

// Called once by each hot loop function so that it is not a leaf: gcc 12
// sets up no frame in leaf functions even with -fno-omit-frame-pointer,
// which would hide their caller from frame-pointer unwinding.
__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) static unsigned long leaf_add(unsigned long n) {
	anchor();
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++) {
		s += i ^ (s >> 3);
		__asm__ volatile("" : "+r"(s));
	}
	return s;
}

__attribute__((noinline)) static unsigned long leaf_mul(unsigned long n) {
	anchor();
	unsigned long s = 1;
	for (unsigned long i = 0; i < n; i++) {
		s = s * 2862933555777941757UL + i;
		__asm__ volatile("" : "+r"(s));
	}
	return s;
}

__attribute__((noinline)) static unsigned long beta(unsigned long n) {
	return leaf_add(n * 2) + 1;
}

__attribute__((noinline)) static unsigned long gamma_(unsigned long n) {
	return leaf_mul(n) + 1;
}

__attribute__((noinline)) static unsigned long alpha(unsigned long n) {
	return beta(n) + gamma_(n);
}

__attribute__((noinline)) static unsigned long delta(unsigned long n) {
	return leaf_mul(n / 2) + 1;
}

__attribute__((noinline)) static void run(unsigned long iters) {
	for (unsigned long i = 0; i < iters; i++) {
		sink += alpha(1000000);
		sink += delta(1000000);
		sink += leaf_add(500000);
	}
}

int main(int argc, char *argv[]) {
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;
	run(iters);
	printf("%lu\n", (unsigned long)sink);
	return 0;
}
