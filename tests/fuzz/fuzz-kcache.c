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
			uint64_t sum = pd_kcache_checksum(buf + HEADER,
				size - HEADER);
			memcpy(buf + 8, &sum, 8);
		}
	}
	struct pd_kcache kc;
	if (pd_kcache_parse(buf, size, &src, &kc, NULL)) {
		volatile size_t total = 0;
		for (size_t i = 0; i < kc.n; i++) {
			total += strlen(kc.names + kc.syms[i].name)
				+ (size_t)kc.syms[i].addr;
		}
		for (size_t i = 0; i < kc.n; i += PD_KTOP) {
			total += kc.top[i / PD_KTOP];
		}
		free(kc.top);
	}
	free(copy);
	return 0;
}
