// SPDX-License-Identifier: MIT
// Per-function shares over runs, their tests, verdicts and the CI gate.
#include "diff-report.h"

#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diff-report-internal.h"
#include "profile.h"
#include "texts.h"
#include "alloc.h"

enum pd_status pd_diff_rule_parse(struct pd_diff_rule *r, const char *spec) {
	memset(r, 0, sizeof(*r));
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec) {
		warnx("--fail-if: expected REGEX:+PCT: %s", spec);
		return PD_EUSAGE;
	}
	const char *num = colon[1] == '+' ? colon + 2 : colon + 1;
	char *end;
	errno = 0;
	double v = strtod(num, &end);
	if (end == num || *end || errno || !isfinite(v) || v < 0 || v > 100
			|| *num == '-' || *num == '+') {
		warnx("--fail-if: expected 0 to 100 points after ':': %s", spec);
		return PD_EUSAGE;
	}
	char *re = pd_xstrndup(spec, (size_t)(colon - spec));
	int e = regcomp(&r->re, re, REG_EXTENDED | REG_NOSUB);
	if (e) {
		char msg[128];
		regerror(e, &r->re, msg, sizeof(msg));
		warnx("--fail-if: %s: %s", re, msg);
		free(re);
		return PD_EUSAGE;
	}
	free(re);
	size_t n = strlen(spec) + 16;
	r->text = pd_xmalloc(n);
	snprintf(r->text, n, "--fail-if %s", spec);
	r->points = v;
	return PD_OK;
}

void pd_diff_rule_above(struct pd_diff_rule *r, double points) {
	memset(r, 0, sizeof(*r));
	r->any = true;
	r->points = points;
	r->text = pd_xmalloc(64);
	snprintf(r->text, 64, "--fail-above %g", points);
}

void pd_diff_rule_finish(struct pd_diff_rule *r) {
	if (r->text && !r->any) {
		regfree(&r->re);
	}
	free(r->text);
	memset(r, 0, sizeof(*r));
}

const char *pd_diff_verdict_name(enum verdict v) {
	static const char *const names[] = {"unchanged", "can't tell", "slower",
		"faster", "not tested"};
	return names[v];
}

// Sample counts per function and column: self[f * ncols + k], total alike.
struct counts {
	size_t ncols, cap;
	uint64_t *self, *total;
	uint32_t *seen; // stack number + 1 that last counted f's total
};

static void grow(struct counts *c, size_t nf) {
	size_t cap = c->cap;
	if (nf <= cap) {
		return;
	}
	size_t want = cap ? cap : 256;
	while (want < nf) {
		want *= 2;
	}
	c->self = pd_xrealloc(c->self, want * c->ncols * sizeof(*c->self));
	c->total = pd_xrealloc(c->total, want * c->ncols * sizeof(*c->total));
	c->seen = pd_xrealloc(c->seen, want * sizeof(*c->seen));
	size_t add = want - cap;
	memset(c->self + cap * c->ncols, 0, add * c->ncols * sizeof(*c->self));
	memset(c->total + cap * c->ncols, 0, add * c->ncols * sizeof(*c->total));
	memset(c->seen + cap, 0, add * sizeof(*c->seen));
	c->cap = want;
}

static void add_counts(uint64_t *to, const uint64_t *w, size_t n) {
	for (size_t k = 0; k < n; k++) {
		to[k] = to[k] > UINT64_MAX - w[k] ? UINT64_MAX : to[k] + w[k];
	}
}

// Splits each stack into frames once: the first frame is the process,
// not a function; the last is the leaf (self); each function counts once
// per stack in total, however often it recurs.
static void count(struct pd_diff_report *r, const struct pd_profile *p,
		struct counts *c) {
	for (uint32_t i = 0; i < pd_profile_size(p); i++) {
		size_t len;
		const char *s = pd_profile_stack(p, i, &len);
		const uint64_t *w = pd_profile_counts(p, i);
		const char *semi = memchr(s, ';', len);
		uint32_t leaf = UINT32_MAX;
		for (size_t at = semi ? (size_t)(semi - s) + 1 : len; at < len;) {
			const char *e = memchr(s + at, ';', len - at);
			size_t n = e ? (size_t)(e - s) - at : len - at;
			uint32_t id = pd_texts_id(r->names, s + at, n);
			grow(c, (size_t)id + 1);
			if (c->seen[id] != i + 1) {
				c->seen[id] = i + 1;
				add_counts(c->total + (size_t)id * c->ncols, w, c->ncols);
			}
			leaf = id;
			at += n + 1;
		}
		if (leaf != UINT32_MAX) {
			add_counts(c->self + (size_t)leaf * c->ncols, w, c->ncols);
		}
	}
}

// Mean and sample standard deviation of the shares x[k] / totals[k] in
// percent, k in [from, to).
static void spread(const uint64_t *x, const uint64_t *totals, size_t from,
		size_t to, double *mean, double *sd) {
	double sum = 0;
	for (size_t k = from; k < to; k++) {
		sum += 100.0 * (double)x[k] / (double)totals[k];
	}
	size_t n = to - from;
	*mean = sum / (double)n;
	if (n < 2) {
		*sd = NAN;
		return;
	}
	double ss = 0;
	for (size_t k = from; k < to; k++) {
		double d = 100.0 * (double)x[k] / (double)totals[k] - *mean;
		ss += d * d;
	}
	*sd = sqrt(ss / (double)(n - 1));
}

// The mean binomial sampling variance p (1 - p) / n of the shares x[k] /
// totals[k] (in percent squared), k in [from, to): a share measured from
// n samples is never known better than this, however closely the runs
// agree by chance.
static double floor_var(const uint64_t *x, const uint64_t *totals,
		size_t from, size_t to) {
	double v = 0;
	for (size_t k = from; k < to; k++) {
		double p = (double)x[k] / (double)totals[k];
		v += 1e4 * p * (1 - p) / (double)totals[k];
	}
	return v / (double)(to - from);
}

static uint64_t sum(const uint64_t *x, size_t from, size_t to) {
	uint64_t s = 0;
	for (size_t k = from; k < to; k++) {
		s = s > UINT64_MAX - x[k] ? UINT64_MAX : s + x[k];
	}
	return s;
}

static void test(struct pd_diff_report *r, const uint64_t *x,
		struct measure *m) {
	const struct pd_diff_config *c = r->c;
	size_t nb = c->nbase, nc = c->nbase + c->nnew;
	spread(x, r->totals, 0, nb, &m->mean[0], &m->sd[0]);
	spread(x, r->totals, nb, nc, &m->mean[1], &m->sd[1]);
	// Filtered on the mean over all runs, which says nothing of the
	// difference between the sides when there is none (Bourgon,
	// Gentleman and Huber 2010): the FDR stays controlled.
	double all = (m->mean[0] * (double)nb + m->mean[1] * (double)c->nnew)
		/ (double)nc;
	if (all < c->min_share) {
		m->t = (struct pd_stats_test){.delta = m->mean[1] - m->mean[0],
			.se = NAN, .lo = NAN, .hi = NAN, .p = NAN, .df = NAN,
			.mdc = NAN};
		return;
	}
	if (r->welch) {
		// The floor is no more certain than the spread it replaces:
		// degrees of freedom stay those of the runs (treating it as
		// known raised false alarms to 7-10% in tests/stats/sim.c
		// with 2 runs per side or 10% run-to-run variance).
		double f0 = floor_var(x, r->totals, 0, nb);
		double f1 = floor_var(x, r->totals, nb, nc);
		double s0 = m->sd[0] * m->sd[0], s1 = m->sd[1] * m->sd[1];
		pd_stats_welch(nb, m->mean[0], s0 > f0 ? s0 : f0, (double)(nb - 1),
			c->nnew, m->mean[1], s1 > f1 ? s1 : f1,
			(double)(c->nnew - 1), c->alpha, &m->t);
		return;
	}
	pd_stats_two_prop(sum(x, 0, nb), sum(r->totals, 0, nb), sum(x, nb, nc),
		sum(r->totals, nb, nc), c->alpha, &m->t);
	// In percentage points, like the Welch case.
	m->t.delta *= 100;
	m->t.se *= 100;
	m->t.lo *= 100;
	m->t.hi *= 100;
	m->t.mdc *= 100;
}

static enum verdict judge(const struct pd_diff_config *c,
		const struct measure *m) {
	const struct pd_stats_test *t = &m->t;
	if (isnan(t->p)) {
		return UNTESTED;
	}
	if (m->q <= c->alpha && fabs(t->delta) >= c->min_delta
			&& t->delta != 0) {
		return t->delta > 0 ? SLOWER : FASTER;
	}
	if (t->lo >= -c->min_delta && t->hi <= c->min_delta) {
		return UNCHANGED;
	}
	return CANT_TELL;
}

// Slower if a share is, faster if one is and none slower, unchanged if
// both are, else can't tell; a share not tested leaves it to the other.
static enum verdict overall(const struct func *f) {
	enum verdict a = f->m[SELF].v, b = f->m[TOTAL].v;
	a = a == UNTESTED ? b : a;
	b = b == UNTESTED ? a : b;
	if (a == UNTESTED) {
		return UNTESTED;
	}
	if (a == SLOWER || b == SLOWER) {
		return SLOWER;
	}
	if (a == FASTER || b == FASTER) {
		return FASTER;
	}
	return a == UNCHANGED && b == UNCHANGED ? UNCHANGED : CANT_TELL;
}

static double largest_change(const struct func *f) {
	double a = fabs(f->m[SELF].t.delta), b = fabs(f->m[TOTAL].t.delta);
	return a > b ? a : b;
}

// Largest change first, then by name bytes: a total order, so the
// report's bytes depend on nothing but the input.
static int by_change(const void *x, const void *y) {
	const struct func *a = x, *b = y;
	double da = largest_change(a), db = largest_change(b);
	if (da != db) {
		return da > db ? -1 : 1;
	}
	size_t n = a->len < b->len ? a->len : b->len;
	int d = memcmp(a->name, b->name, n);
	return d ? d : (a->len > b->len) - (a->len < b->len);
}

// Benjamini-Hochberg over the shares tested (p not NAN).
static void correct(struct pd_diff_report *r) {
	double *p = pd_xcalloc(2 * r->nf + 1, sizeof(*p));
	double *q = pd_xcalloc(2 * r->nf + 1, sizeof(*q));
	size_t n = 0;
	for (size_t i = 0; i < r->nf; i++) {
		for (int k = 0; k < 2; k++) {
			if (!isnan(r->f[i].m[k].t.p)) {
				p[n++] = r->f[i].m[k].t.p;
			}
		}
	}
	pd_stats_bh(p, n, q);
	r->ntests = n;
	n = 0;
	for (size_t i = 0; i < r->nf; i++) {
		for (int k = 0; k < 2; k++) {
			struct measure *m = &r->f[i].m[k];
			m->q = isnan(m->t.p) ? NAN : q[n++];
			m->v = judge(r->c, m);
		}
		r->f[i].v = overall(&r->f[i]);
	}
	free(p);
	free(q);
}

static const struct pd_diff_rule *rule_for(const struct pd_diff_config *c,
		const struct func *f, size_t *which) {
	for (size_t i = 0; i < c->nrules; i++) {
		if (!c->rules[i].any && regexec(&c->rules[i].re, f->name, 0, NULL,
				0) == 0) {
			*which = i;
			return &c->rules[i];
		}
	}
	for (size_t i = 0; i < c->nrules; i++) {
		if (c->rules[i].any) {
			*which = i;
			return &c->rules[i];
		}
	}
	return NULL;
}

static void gate(struct pd_diff_report *r) {
	const struct pd_diff_config *c = r->c;
	size_t cap = 0;
	for (uint32_t i = 0; i < r->nf; i++) {
		size_t which;
		const struct pd_diff_rule *rule = rule_for(c, &r->f[i], &which);
		for (int k = 0; rule && k < 2; k++) {
			const struct measure *m = &r->f[i].m[k];
			if (m->t.delta > rule->points && m->t.delta >= c->min_delta
					&& m->q <= c->alpha) {
				pd_xgrow(&r->fail, &cap, r->nfail + 1, sizeof(*r->fail));
				r->fail[r->nfail++] = (struct failure){i, k, which};
			}
		}
	}
}

struct pd_diff_report *pd_diff_report_create(const struct pd_profile *p,
		const struct pd_diff_config *c) {
	struct pd_diff_report *r = pd_xcalloc(1, sizeof(*r));
	r->c = c;
	r->names = pd_texts_create();
	r->welch = c->nbase >= 2 && c->nnew >= 2;
	size_t ncols = c->nbase + c->nnew;
	r->totals = pd_xcalloc(pd_profile_cols(p), sizeof(*r->totals));
	pd_profile_totals(p, r->totals);
	struct counts k = {.ncols = ncols};
	count(r, p, &k);
	r->nf = pd_texts_count(r->names);
	r->f = pd_xcalloc(r->nf ? r->nf : 1, sizeof(*r->f));
	for (uint32_t i = 0; i < r->nf; i++) {
		struct func *f = &r->f[i];
		f->name = pd_texts_get(r->names, i, &f->len);
		test(r, k.self + (size_t)i * ncols, &f->m[SELF]);
		test(r, k.total + (size_t)i * ncols, &f->m[TOTAL]);
	}
	free(k.self);
	free(k.total);
	free(k.seen);
	correct(r);
	qsort(r->f, r->nf, sizeof(*r->f), by_change);
	gate(r);
	return r;
}

void pd_diff_report_destroy(struct pd_diff_report *r) {
	if (!r) {
		return;
	}
	pd_texts_destroy(r->names);
	free(r->totals);
	free(r->f);
	free(r->fail);
	free(r);
}

size_t pd_diff_report_failures(const struct pd_diff_report *r) {
	return r->nfail;
}

const char *pd_diff_report_failure(const struct pd_diff_report *r, size_t i,
		bool *total) {
	*total = r->fail[i].measure == TOTAL;
	return r->f[r->fail[i].func].name;
}
