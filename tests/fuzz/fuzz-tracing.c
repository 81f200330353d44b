// SPDX-License-Identifier: MIT
// libFuzzer target: the tracing data reader and payload decoding. Input:
// u16 n (little-endian), n bytes of tracing data, then a raw payload;
// the payload's first two bytes (common_type) pick the tracepoint whose
// every field is then decoded as a number, as text and as a task state.
#include <stdint.h>
#include <string.h>

#include "strbuf.h"
#include "tracing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size < 2) {
		return 0;
	}
	size_t n = (size_t)data[0] | (size_t)data[1] << 8;
	if (n > size - 2) {
		n = size - 2;
	}
	const uint8_t *raw = data + 2 + n;
	size_t rawlen = size - 2 - n;
	struct pd_tracing *t = pd_tracing_create();
	pd_tracing_read(t, data + 2, n, 0);
	uint64_t off;
	pd_tracing_problem(t, &off);
	pd_tracing_format_problem(t, &off);
	uint64_t id = rawlen >= 2 ? (uint64_t)raw[0] | (uint64_t)raw[1] << 8 : 0;
	struct pd_tp *tp = pd_tracing_tp(t, id);
	struct pd_strbuf b = {0};
	for (int f = 0; tp && f < pd_tp_nfields(tp); f++) {
		uint64_t v;
		bool neg;
		pd_tp_number(tp, f, raw, rawlen, &v, &neg);
		b.len = 0;
		if (pd_tp_text(t, tp, f, raw, rawlen, &b) && b.len) {
			uint64_t addr;
			if (pd_tp_symbol_addr(b.s, b.len, &addr)) {
				struct pd_strbuf s = {0};
				pd_tp_symbol_text(&s, b.s, b.len, "f", addr - 1);
				pd_strbuf_finish(&s);
			}
		}
		b.len = 0;
		pd_tp_task_state(tp, f, raw, rawlen, &b);
	}
	if (tp) {
		pd_tp_system(tp);
		pd_tp_name(tp);
	}
	const char *name;
	uint64_t start;
	pd_tracing_kernel_symbol(t, id, &name, &start);
	pd_strbuf_finish(&b);
	pd_tracing_destroy(t);
	return 0;
}
