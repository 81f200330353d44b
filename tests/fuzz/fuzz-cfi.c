// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as a cache entry of unwind rules
// (unwind-cache.c). So that the fuzzer gets past the checks it cannot
// guess, the file an entry must match is taken from the entry's own
// header (bytes 24-111: the file's stat, build ids, architecture),
// and, unless the first byte of the magic is 'Q', the checksum (bytes
// 8-15) is set right. Every register rule and expression an accepted rule
// names is read, and every rule applied to a stack dump.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unwind-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	enum { HEADER = 128 };
	uint64_t *copy = malloc(size / 8 * 8 + 8); // 8-aligned
	uint8_t *buf = (uint8_t *)copy;
	memcpy(buf, data, size);
	struct pd_cfi_src src = {0};
	if (size >= HEADER) {
		memcpy(&src, buf + 24, sizeof(src));
		if (buf[0] != 'Q') {
			uint64_t sum = pd_cfi_checksum(buf, size);
			memcpy(buf + 8, &sum, 8);
		}
	}
	struct dso_rules dr = {0};
	if (pd_cfi_parse(buf, size, &src, src.arch, &dr)) {
		volatile uint64_t total = 0;
		for (size_t i = 0; i < dr.nrules; i++) {
			const struct rule *r = &dr.rules[i];
			total += dr.offs[i] + *pd_map64_find(&dr.index,
				dr.offs[i] + 1);
			if (r->status != RULE_OK) {
				continue;
			}
			for (uint32_t k = 0; r->cfa_kind == K_EXPR
					&& k < r->cfa_nops; k++) {
				total += dr.ops[r->cfa_off + k].number;
			}
			for (uint32_t j = 0; j < r->nlisted; j++) {
				const struct reg_rule *x = &dr.regs[r->first + j];
				total += x->reg < MAX_REGS;
				for (uint32_t k = 0; x->kind == K_EXPR
						&& k < x->nops; k++) {
					total += dr.ops[x->off + k].atom;
				}
			}
		}
		// Every rule applied to registers and a stack dump made of
		// the entry's own bytes.
		uint64_t regs[MAX_REGS];
		for (size_t i = 0; i < MAX_REGS; i++) {
			memcpy(&regs[i], buf + (i * 8) % (size - 7), 8);
		}
		regs[src.arch == 17 ? 7 : 31] = 0x7ff000000000;
		total += pd_unwind_try_rules(&dr, src.arch, regs, buf, size);
		pd_map64_free(&dr.index);
		free(dr.rules);
		free(dr.offs);
		free(dr.regs);
		free(dr.ops);
	}
	free(copy);
	return 0;
}
