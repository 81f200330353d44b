// SPDX-License-Identifier: MIT
// sleep-sites: sleeps from four call sites in each of eight functions
// (site0 .. site7), 1 ms at a time. Each site's return address differs,
// so an off-CPU profile charges each function's line from four stacks of
// addresses that name the same frames: the live test offcpu-sites holds
// pd-collapse's microseconds per line to perf script's, exactly.
// usage: sleep-sites [rounds] (default 5)
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) static void anchor(void) {
	__asm__ volatile("");
}

__attribute__((noinline)) static void nap(long us) {
	anchor();
	struct timespec t = {0, us * 1000};
	while (nanosleep(&t, &t) != 0) {
	}
}

#define SITE(n) \
	__attribute__((noinline)) static void site##n(int rounds) { \
		for (int i = 0; i < rounds; i++) { \
			nap(1000 + 4 * n + 0); \
			anchor(); \
			nap(1000 + 4 * n + 1); \
			anchor(); \
			nap(1000 + 4 * n + 2); \
			anchor(); \
			nap(1000 + 4 * n + 3); \
			anchor(); \
		} \
	}

SITE(0)
SITE(1)
SITE(2)
SITE(3)
SITE(4)
SITE(5)
SITE(6)
SITE(7)

int main(int argc, char **argv) {
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	site0(rounds);
	site1(rounds);
	site2(rounds);
	site3(rounds);
	site4(rounds);
	site5(rounds);
	site6(rounds);
	site7(rounds);
	return 0;
}
