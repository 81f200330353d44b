// SPDX-License-Identifier: MIT
// Spends its time in clock_gettime, i.e. in the [vdso], for unwinding tests.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 5000000;
	struct timespec ts;
	long sum = 0;
	for (long i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sum += ts.tv_nsec;
	}
	printf("%ld\n", sum & 1);
	return 0;
}
