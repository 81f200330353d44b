// SPDX-License-Identifier: MIT
// Distributions and two-sample tests for pd-diff's report.
#include "stats.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "alloc.h"

double pd_stats_normal_cdf(double x) {
	return 0.5 * erfc(-x / sqrt(2.0));
}

// The upper tail of a symmetric law and its density at x >= 0.
struct tail {
	double df; // INFINITY: the normal law
	double log_c; // log of the t density's constant
};

static double upper(const struct tail *t, double x) {
	if (isinf(t->df)) {
		return 0.5 * erfc(x / sqrt(2.0));
	}
	return 0.5 * pd_stats_beta_inc(t->df / 2, 0.5, t->df / (t->df + x * x));
}

static double density(const struct tail *t, double x) {
	if (isinf(t->df)) {
		return exp(-x * x / 2) / sqrt(2 * M_PI);
	}
	return exp(t->log_c - (t->df + 1) / 2 * log1p(x * x / t->df));
}

// The x >= 0 whose upper tail is q (0 < q <= 0.5): Newton's method from
// a normal start, kept inside a bracket that bisection narrows when a
// step would leave it.
static double solve_upper(const struct tail *t, double q) {
	double s = sqrt(-2 * log(q));
	// Abramowitz and Stegun 26.2.23 (error < 4.5e-4) as a start.
	double x = s - (2.515517 + 0.802853 * s + 0.010328 * s * s)
		/ (1 + 1.432788 * s + 0.189269 * s * s + 0.001308 * s * s * s);
	if (!isinf(t->df)) {
		x += (x * x * x + x) / (4 * t->df); // Cornish-Fisher term
	}
	double lo = 0, hi = INFINITY;
	for (int i = 0; i < 200; i++) {
		double g = upper(t, x) - q;
		if (g > 0) {
			lo = x; // tail too heavy: go right
		} else {
			hi = x;
		}
		double d = density(t, x);
		double next = d > 0 ? x + g / d : NAN;
		if (!(next > lo && next < hi)) {
			next = isinf(hi) ? (lo > 0 ? 2 * lo : 1) : (lo + hi) / 2;
		}
		if (fabs(next - x) <= 1e-13 * (1 + fabs(x))) {
			return next;
		}
		x = next;
	}
	return x;
}

static double quantile(const struct tail *t, double p) {
	if (!(p > 0)) {
		return -INFINITY;
	}
	if (!(p < 1)) {
		return INFINITY;
	}
	if (p == 0.5) {
		return 0;
	}
	return p > 0.5 ? solve_upper(t, 1 - p) : -solve_upper(t, p);
}

double pd_stats_normal_quantile(double p) {
	struct tail t = {INFINITY, 0};
	return quantile(&t, p);
}

// The continued fraction of I_x(a, b) (for x < (a + 1) / (a + b + 2)),
// evaluated by the modified Lentz method.
static double beta_fraction(double a, double b, double x) {
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1);
	d = fabs(d) < tiny ? tiny : d;
	d = 1 / d;
	double f = d;
	for (int m = 1; m <= 10000; m++) {
		// Even step: m (b - m) x / ((a + 2m - 1)(a + 2m)).
		double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		f *= d * c;
		// Odd step: -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
		num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		double step = d * c;
		f *= step;
		if (fabs(step - 1) < 1e-15) {
			break;
		}
	}
	return f;
}

double pd_stats_beta_inc(double a, double b, double x) {
	if (!(x > 0)) {
		return 0;
	}
	if (!(x < 1)) {
		return 1;
	}
	double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x)
		+ b * log1p(-x);
	// The fraction converges fast only below the mean; use the symmetry
	// I_x(a, b) = 1 - I_{1-x}(b, a) above it.
	if (x < (a + 1) / (a + b + 2)) {
		return exp(lfront) * beta_fraction(a, b, x) / a;
	}
	return 1 - exp(lfront) * beta_fraction(b, a, 1 - x) / b;
}

double pd_stats_t_cdf(double t, double df) {
	if (isnan(t) || !(df > 0)) {
		return NAN;
	}
	if (isinf(df)) {
		return pd_stats_normal_cdf(t);
	}
	if (isinf(t)) {
		return t > 0 ? 1 : 0;
	}
	double tail = 0.5 * pd_stats_beta_inc(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail : tail;
}

static struct tail t_law(double df) {
	struct tail t = {df, 0};
	if (!isinf(df)) {
		t.log_c = lgamma((df + 1) / 2) - lgamma(df / 2)
			- 0.5 * log(df * M_PI);
	}
	return t;
}

double pd_stats_t_quantile(double p, double df) {
	struct tail t = t_law(df);
	return quantile(&t, p);
}

// Fills the interval and mdc of r from delta, se and the law's quantiles.
static void interval(struct pd_stats_test *r, double center, double alpha) {
	struct tail t = t_law(r->df);
	double crit = quantile(&t, 1 - alpha / 2);
	r->lo = center - crit * r->se;
	r->hi = center + crit * r->se;
	r->mdc = (crit + quantile(&t, PD_STATS_POWER)) * r->se;
}

void pd_stats_welch(size_t n1, double m1, double v1, double df1, size_t n2,
		double m2, double v2, double df2, double alpha,
		struct pd_stats_test *r) {
	double a = v1 / (double)n1, b = v2 / (double)n2;
	r->delta = m2 - m1;
	r->se = sqrt(a + b);
	if (!(r->se > 0)) {
		// No spread on either side: the runs agree exactly, and so
		// does every repetition of them.
		r->df = (double)(n1 + n2 - 2);
		r->p = r->delta == 0 ? 1 : 0;
		r->lo = r->hi = r->delta;
		r->mdc = 0;
		return;
	}
	// Welch-Satterthwaite; a side without spread, or whose variance is
	// known, adds nothing to the denominator.
	double den = (isinf(df1) ? 0 : a * a / df1) + (isinf(df2) ? 0
		: b * b / df2);
	r->df = den > 0 ? (a + b) * (a + b) / den : INFINITY;
	double tv = r->delta / r->se;
	if (isinf(r->df)) {
		r->p = erfc(fabs(tv) / sqrt(2.0));
	} else {
		r->p = pd_stats_beta_inc(r->df / 2, 0.5, r->df / (r->df + tv * tv));
	}
	r->p = r->p > 1 ? 1 : r->p;
	interval(r, r->delta, alpha);
}

void pd_stats_two_prop(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
		double alpha, struct pd_stats_test *r) {
	double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
	r->delta = p2 - p1;
	r->df = INFINITY;
	double pool = ((double)x1 + (double)x2) / ((double)n1 + (double)n2);
	double se0 = sqrt(pool * (1 - pool) * (1 / (double)n1 + 1 / (double)n2));
	if (se0 > 0) {
		r->p = erfc(fabs(r->delta) / se0 / sqrt(2.0));
	} else {
		r->p = r->delta == 0 ? 1 : 0; // a share of 0 or 1 on both sides
	}
	double a1 = ((double)x1 + 1) / ((double)n1 + 2);
	double a2 = ((double)x2 + 1) / ((double)n2 + 2);
	r->se = sqrt(a1 * (1 - a1) / ((double)n1 + 2)
		+ a2 * (1 - a2) / ((double)n2 + 2));
	interval(r, a2 - a1, alpha);
}

struct ranked {
	double p;
	size_t i;
};

static int by_p(const void *x, const void *y) {
	const struct ranked *a = x, *b = y;
	if (a->p != b->p) {
		return a->p < b->p ? -1 : 1;
	}
	return a->i < b->i ? -1 : a->i > b->i;
}

void pd_stats_bh(const double *p, size_t n, double *q) {
	struct ranked *v = pd_xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i] = (struct ranked){isnan(p[i]) ? 1 : p[i], i};
	}
	qsort(v, n, sizeof(*v), by_p);
	// q of rank k (1-based) = min over ranks j >= k of p_(j) n / j.
	double min = 1;
	for (size_t k = n; k-- > 0;) {
		double x = v[k].p * (double)n / (double)(k + 1);
		min = x < min ? x : min;
		q[v[k].i] = min;
	}
	free(v);
}
