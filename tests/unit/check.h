// SPDX-License-Identifier: MIT
// The unit tests' assertion: reports file:line and the condition, counts,
// and lets the test go on; main returns check_status().
#ifndef PD_TEST_CHECK_H
#define PD_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
		check_failures++; \
	} \
} while (0)

static inline int check_status(void) {
	if (check_failures) {
		fprintf(stderr, "%d checks failed\n", check_failures);
		return 1;
	}
	return 0;
}

#endif
