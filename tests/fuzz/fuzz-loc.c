// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as a cache entry of resolved addresses
// (symbols-cache.c), complete ones with their symbol tables included. So
// that the fuzzer gets past the checks it cannot guess, the DSO's name and
// build id and the options are taken from the entry itself (its header,
// and the name at its offset in the strings, the entry's tail), the
// running pd's build id is written in, and, unless the input's last byte
// is 'Q', the body's length and checksum are set right. Then each of the
// entry's first 512 8-byte words, and its neighbours, is looked up as a
// file offset of the DSO: from the entry's addresses, or (a complete
// entry) its symbol table.
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// The header's layout (struct header in symbols-cache.c).
enum {
	HEADER = 112,
	H_SUM = 8,
	H_BODY = 16,
	H_FLAGS = 24,
	H_NAME = 28,
	H_STRINGS = 44,
	H_ID_LEN = 50,
	H_ID = 52,
	H_BUILD = 72,
};

static uint32_t u32(const uint8_t *p) {
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size < HEADER) {
		return 0;
	}
	uint8_t *buf = malloc(size);
	memcpy(buf, data, size);
	uint32_t flags = u32(buf + H_FLAGS), strings = u32(buf + H_STRINGS);
	uint32_t name = u32(buf + H_NAME);
	// The name the entry says it is for, if it is in the strings.
	const char *named = "";
	if (strings <= size - HEADER && name < strings
			&& memchr(buf + size - strings + name, 0, strings - name)) {
		named = (const char *)buf + size - strings + name;
	}
	struct pd_symbols_options o = {.demangle = flags & 1,
		.inline_frames = flags & 2, .cache = true};
	struct pd_symbols *s = pd_symbols_create(&o);
	struct pd_dso *d = pd_symbols_dso(s, named[0] == '/' ? named : "/x", 0);
	if (d->id.kind != PD_DSO_FILE) { // (a memfd's: a JIT map is read)
		d = pd_symbols_dso(s, "/x", 0);
	}
	d->build_id_len = buf[H_ID_LEN] <= 20 ? buf[H_ID_LEN] : 20;
	memcpy(d->build_id, buf + H_ID, 20);
	pd_cache_pd_build(buf + H_BUILD);
	if (buf[size - 1] != 'Q') {
		uint64_t body = size - HEADER;
		uint64_t sum = pd_hash(buf + HEADER, size - HEADER, 0);
		memcpy(buf + H_BODY, &body, 8);
		memcpy(buf + H_SUM, &sum, 8);
	}
	// Looked up before the entry is taken (it frees buf).
	size_t nwords = size / 8 < 512 ? size / 8 : 512;
	uint64_t *words = malloc((nwords + 1) * 8);
	memcpy(words, buf, nwords * 8);
	if (pd_cache_take(s, d, buf, size)) {
		// An incomplete entry's misses would load the file: only its
		// addresses are looked up.
		bool complete = pd_cache_symbols(d);
		volatile size_t total = 0;
		for (size_t i = 0; i < nwords; i++) {
			for (uint64_t delta = 0; delta < 3; delta++) {
				struct pd_frames f = {0};
				uint64_t at = words[i] + delta - 1;
				if (complete) {
					pd_symbols_resolve(s, d, at, &f);
				} else {
					pd_cache_lookup(d, at, &f);
				}
				for (size_t k = 0; k < f.n; k++) {
					total += strlen(f.names[k]);
				}
			}
		}
	}
	free(words);
	pd_symbols_destroy(s);
	return 0;
}
