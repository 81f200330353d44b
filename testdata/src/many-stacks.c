// SPDX-License-Identifier: MIT
// Tens of thousands of distinct stacks: each call walks nine levels of four
// functions, picked by two bits of the call's number (4^9 paths), and
// spins at the bottom; two threads, each for SECONDS (1.5) of CPU time, so
// that a busy machine stretches the run, not cuts its samples.
// usage: many-stacks [SECONDS]
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned sink;

static void walk(unsigned path, int depth);

static __attribute__((noinline)) void spin(void) {
	for (int i = 0; i < 400; i++) {
		sink += (unsigned)i;
	}
}

// Four functions that differ (so the compiler keeps them apart), each
// calling the next level.
#define LEVEL(name, k) \
	static __attribute__((noinline)) void name(unsigned path, int depth) { \
		sink += k; \
		walk(path, depth); \
		sink -= k; \
	}
LEVEL(alpha, 1)
LEVEL(beta, 2)
LEVEL(gamma_, 3)
LEVEL(delta, 4)

static __attribute__((noinline)) void walk(unsigned path, int depth) {
	if (depth == 0) {
		spin();
		return;
	}
	switch (path & 3) {
	case 0: alpha(path >> 2, depth - 1); break;
	case 1: beta(path >> 2, depth - 1); break;
	case 2: gamma_(path >> 2, depth - 1); break;
	default: delta(path >> 2, depth - 1); break;
	}
}

static double cpu_now(void) {
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double seconds = 1.5;

static void *run(void *arg) {
	unsigned seed = (unsigned)(size_t)arg;
	double end = cpu_now() + seconds;
	for (unsigned i = 0; cpu_now() < end;) {
		for (int k = 0; k < 64; k++, i++) {
			walk((i + seed) * 2654435761u, 9);
		}
	}
	return NULL;
}

int main(int argc, char **argv) {
	if (argc > 1) {
		seconds = atof(argv[1]);
	}
	pthread_t t;
	if (pthread_create(&t, NULL, run, (void *)(size_t)12345) != 0) {
		return 1;
	}
	run(NULL);
	pthread_join(t, NULL);
	return 0;
}
