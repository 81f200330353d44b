// SPDX-License-Identifier: MIT
#include "env.h"

#include <errno.h>
#include <stdlib.h>

uint64_t pd_env_number(const char *name, uint64_t max) {
	const char *e = getenv(name);
	if (!e || *e < '0' || *e > '9') {
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(e, &end, 10);
	return !*end && !errno && v >= 1 && v <= max ? (uint64_t)v : 0;
}
