// SPDX-License-Identifier: MIT
// threads: two named worker threads with distinct call paths, plus main.
// Thread names: "hasher" and "sort er" (a space, to test comm tidying).
// Usage: threads [iterations] (default 150).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long iters = 150;
static volatile unsigned long sink;

// Called once by each hot loop function so that it is not a leaf: gcc 12
// sets up no frame in leaf functions even with -fno-omit-frame-pointer,
// which would hide their caller from frame-pointer unwinding.
__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) static unsigned long hash_block(unsigned long seed) {
	anchor();
	unsigned long h = seed;
	for (int i = 0; i < 3000000; i++) {
		h = (h ^ (unsigned long)i) * 1099511628211UL;
		__asm__ volatile("" : "+r"(h));
	}
	return h;
}

__attribute__((noinline)) static unsigned long hash_all(void) {
	unsigned long h = 14695981039346656037UL;
	for (unsigned long i = 0; i < iters; i++) {
		h = hash_block(h);
	}
	return h;
}

__attribute__((noinline)) static unsigned long bubble_pass(unsigned *a, int n) {
	anchor();
	unsigned long swaps = 0;
	for (int i = 1; i < n; i++) {
		if (a[i - 1] > a[i]) {
			unsigned t = a[i - 1];
			a[i - 1] = a[i];
			a[i] = t;
			swaps++;
		}
	}
	return swaps;
}

__attribute__((noinline)) static unsigned long sort_all(void) {
	enum { N = 2000 };
	static unsigned a[N];
	unsigned long swaps = 0;
	for (unsigned long k = 0; k < iters / 5 + 1; k++) {
		for (int i = 0; i < N; i++) {
			a[i] = (unsigned)(N - i) * 2654435761u;
		}
		for (int p = 0; p < 1500; p++) {
			swaps += bubble_pass(a, N);
		}
	}
	return swaps;
}

static void *hasher(void *arg) {
	pthread_setname_np(pthread_self(), "hasher");
	sink += hash_all();
	return arg;
}

static void *sorter(void *arg) {
	pthread_setname_np(pthread_self(), "sort er");
	sink += sort_all();
	return arg;
}

__attribute__((noinline)) static unsigned long main_work(void) {
	anchor();
	unsigned long s = 0;
	for (unsigned long i = 0; i < iters * 2000000; i++) {
		s += i % 7;
		__asm__ volatile("" : "+r"(s));
	}
	return s;
}

int main(int argc, char *argv[]) {
	if (argc > 1) {
		iters = strtoul(argv[1], NULL, 10);
	}
	pthread_t t1, t2;
	if (pthread_create(&t1, NULL, hasher, NULL) != 0 ||
			pthread_create(&t2, NULL, sorter, NULL) != 0) {
		perror("threads: pthread_create");
		return 1;
	}
	sink += main_work();
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	printf("%lu\n", (unsigned long)sink);
	return 0;
}
