// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as a kallsyms cache entry (symbols-kcache.c).
// So that the fuzzer gets past the checks it cannot guess, the file an
// entry must match is taken from the entry's own header (the kallsyms
// file's stat and pd's build id, bytes 40-91), and, unless the first
// byte of the magic is 'Q', the checksum (bytes 8-15) is set right. Every
// name of an accepted entry is read to its NUL.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "symbols-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	enum { HEADER = 96 };
	uint64_t *copy = malloc(size / 8 * 8 + 8); // 8-aligned
	uint8_t *buf = (uint8_t *)copy;
	memcpy(buf, data, size);
	struct pd_kcache_src src = {0};
	if (size >= HEADER) {
		memcpy(&src.size, buf + 40, 8);
		memcpy(&src.mtime, buf + 48, 8);
		memcpy(&src.ino, buf + 56, 8);
		memcpy(&src.dev, buf + 64, 8);
		memcpy(src.pd_build, buf + 72, 20);
		if (buf[0] != 'Q') {
			uint64_t sum = pd_hash_long(buf + HEADER, size - HEADER, 0);
			memcpy(buf + 8, &sum, 8);
		}
	}
	const struct ksym *k;
	const char *names;
	size_t n;
	if (pd_kcache_parse(buf, size, &src, &k, &n, &names)) {
		volatile size_t total = 0;
		for (size_t i = 0; i < n; i++) {
			total += strlen(names + k[i].name) + (size_t)k[i].addr;
		}
	}
	free(copy);
	return 0;
}
