// SPDX-License-Identifier: MIT
// pd-diff's output from runs in profile columns.
#include "diff.h"

#include <err.h>
#include <stdlib.h>

#include "profile.h"
#include "alloc.h"
#include "strbuf.h"

typedef unsigned __int128 u128;

uint64_t pd_diff_scale_u64(uint64_t x, uint64_t to, uint64_t from) {
	if (from == 0 || to == from) {
		return x;
	}
	u128 v = ((u128)x * to + from / 2) / from;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

void pd_diff_scale_init(struct pd_diff_scale *s, const uint64_t *totals,
		size_t ncols, size_t nbase) {
	*s = (struct pd_diff_scale){.nbase = nbase, .ncols = ncols,
		.totals = totals, .identity = nbase == 1 && ncols == 2};
	for (int side = 0; side < 2; side++) {
		size_t from = side ? nbase : 0, to = side ? ncols : nbase;
		u128 t = 0;
		for (size_t k = from; k < to; k++) {
			t += totals[k];
		}
		u128 n = to - from;
		s->mean[side] = (uint64_t)((t + n / 2) / n);
	}
}

void pd_diff_scale_line(struct pd_diff_scale *s, const uint64_t *c,
		uint64_t out[2]) {
	if (s->identity) {
		out[0] = c[0];
		out[1] = c[1];
		return;
	}
	for (int side = 0; side < 2; side++) {
		size_t from = side ? s->nbase : 0, to = side ? s->ncols : s->nbase;
		u128 sum = 0;
		for (size_t k = from; k < to; k++) {
			sum += pd_diff_scale_u64(c[k], s->mean[side], s->totals[k]);
		}
		s->overflow |= sum > UINT64_MAX;
		out[side] = sum > UINT64_MAX ? UINT64_MAX : (uint64_t)sum;
	}
}

void pd_diff_line(struct pd_strbuf *b, const char *stack, size_t len,
		const uint64_t c[2]) {
	pd_strbuf_add(b, stack, len);
	pd_strbuf_addc(b, ' ');
	pd_strbuf_add_u64(b, c[0]);
	pd_strbuf_addc(b, ' ');
	pd_strbuf_add_u64(b, c[1]);
	pd_strbuf_addc(b, '\n');
}

enum pd_status pd_diff_write(FILE *f, const struct pd_profile *p,
		size_t nbase, bool normalize) {
	size_t ncols = pd_profile_cols(p);
	uint64_t *totals = pd_xcalloc(ncols, sizeof(*totals));
	struct pd_diff_scale s;
	bool fits = pd_profile_totals(p, totals);
	pd_diff_scale_init(&s, totals, ncols, nbase);
	// The sums after scaling, for --normalize.
	u128 sum[2] = {0, 0};
	for (uint32_t i = 0; fits && i < pd_profile_size(p); i++) {
		uint64_t c[2];
		pd_diff_scale_line(&s, pd_profile_counts(p, i), c);
		sum[0] += c[0];
		sum[1] += c[1];
	}
	if (!fits || s.overflow || sum[0] > UINT64_MAX || sum[1] > UINT64_MAX) {
		free(totals);
		warnx("the runs' counts add up to more than 2^64-1");
		return PD_EDATA;
	}
	uint32_t *v = pd_profile_sorted(p);
	struct pd_strbuf b = {0};
	for (size_t i = 0; i < pd_profile_size(p); i++) {
		size_t len;
		const char *stack = pd_profile_stack(p, v[i], &len);
		uint64_t c[2];
		pd_diff_scale_line(&s, pd_profile_counts(p, v[i]), c);
		if (normalize) {
			c[0] = pd_diff_scale_u64(c[0], (uint64_t)sum[1],
				(uint64_t)sum[0]);
		}
		pd_diff_line(&b, stack, len, c);
		if (b.len >= 1 << 16) {
			fwrite(b.s, 1, b.len, f);
			b.len = 0;
		}
	}
	fwrite(b.s, 1, b.len, f);
	pd_strbuf_finish(&b);
	free(v);
	free(totals);
	return PD_OK;
}
