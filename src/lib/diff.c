// SPDX-License-Identifier: MIT
// pd-diff's output from runs in profile columns.
#include "diff.h"

#include <err.h>
#include <stdint.h>
#include <stdlib.h>

#include "profile.h"
#include "util.h"

typedef unsigned __int128 u128;

struct sides {
	const struct pd_profile *p;
	size_t nbase, ncols;
	uint64_t *totals; // per column
	uint64_t mean[2]; // each side's mean total: what a run is scaled to
	uint64_t sum[2];  // each side's total after scaling
	bool normalize;
	bool overflow;
};

static uint64_t scale(u128 v, uint64_t to, uint64_t from) {
	if (from == 0 || to == from) {
		return (uint64_t)v;
	}
	v = (v * to + from / 2) / from;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

// Stack i's two side sums, before the base side is normalized.
static void side_sums(struct sides *s, uint32_t i, uint64_t out[2]) {
	const uint64_t *c = pd_profile_counts(s->p, i);
	for (int side = 0; side < 2; side++) {
		size_t from = side ? s->nbase : 0, to = side ? s->ncols : s->nbase;
		u128 sum = 0;
		for (size_t k = from; k < to; k++) {
			sum += scale(c[k], s->mean[side], s->totals[k]);
		}
		s->overflow |= sum > UINT64_MAX;
		out[side] = sum > UINT64_MAX ? UINT64_MAX : (uint64_t)sum;
	}
}

static bool setup(struct sides *s) {
	s->ncols = pd_profile_cols(s->p);
	s->totals = pd_xcalloc(s->ncols, sizeof(*s->totals));
	if (!pd_profile_totals(s->p, s->totals)) {
		return false;
	}
	for (int side = 0; side < 2; side++) {
		size_t from = side ? s->nbase : 0, to = side ? s->ncols : s->nbase;
		u128 t = 0;
		for (size_t k = from; k < to; k++) {
			t += s->totals[k];
		}
		u128 n = to - from;
		s->mean[side] = (uint64_t)((t + n / 2) / n);
	}
	// The sums after scaling, for --normalize.
	u128 sum[2] = {0, 0};
	for (uint32_t i = 0; i < pd_profile_size(s->p); i++) {
		uint64_t c[2];
		side_sums(s, i, c);
		sum[0] += c[0];
		sum[1] += c[1];
	}
	s->overflow |= sum[0] > UINT64_MAX || sum[1] > UINT64_MAX;
	s->sum[0] = (uint64_t)sum[0];
	s->sum[1] = (uint64_t)sum[1];
	return !s->overflow;
}

enum pd_status pd_diff_write(FILE *f, const struct pd_profile *p,
		size_t nbase, bool normalize) {
	struct sides s = {.p = p, .nbase = nbase, .normalize = normalize};
	if (!setup(&s)) {
		free(s.totals);
		warnx("the runs' counts add up to more than 2^64-1");
		return PD_EDATA;
	}
	uint32_t *v = pd_profile_sorted(p);
	struct pd_strbuf b = {0};
	for (size_t i = 0; i < pd_profile_size(p); i++) {
		size_t len;
		const char *stack = pd_profile_stack(p, v[i], &len);
		uint64_t c[2];
		side_sums(&s, v[i], c);
		if (normalize) {
			c[0] = scale(c[0], s.sum[1], s.sum[0]);
		}
		pd_strbuf_add(&b, stack, len);
		pd_strbuf_addc(&b, ' ');
		pd_strbuf_add_u64(&b, c[0]);
		pd_strbuf_addc(&b, ' ');
		pd_strbuf_add_u64(&b, c[1]);
		pd_strbuf_addc(&b, '\n');
		if (b.len >= 1 << 16) {
			fwrite(b.s, 1, b.len, f);
			b.len = 0;
		}
	}
	fwrite(b.s, 1, b.len, f);
	pd_strbuf_finish(&b);
	free(v);
	free(s.totals);
	return PD_OK;
}
