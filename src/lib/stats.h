// SPDX-License-Identifier: MIT
// Distributions and two-sample tests for pd-diff's report: the normal and
// Student t laws, Welch's t-test, the two-proportion test and the
// Benjamini-Hochberg false-discovery-rate correction. No randomness.
#ifndef PD_STATS_H
#define PD_STATS_H

#include <stddef.h>
#include <stdint.h>

// P(Z <= x) for a standard normal Z.
double pd_stats_normal_cdf(double x);
// x with P(Z <= x) = p, for 0 < p < 1 (-INFINITY or INFINITY at 0 or 1).
double pd_stats_normal_quantile(double p);
// The regularized incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1.
double pd_stats_beta_inc(double a, double b, double x);
// P(T <= t) for T with Student's t law of df > 0 degrees of freedom.
double pd_stats_t_cdf(double t, double df);
// t with P(T <= t) = p, for 0 < p < 1 and df > 0.
double pd_stats_t_quantile(double p, double df);

// The power at which pd_stats_test.mdc is computed.
#define PD_STATS_POWER 0.8

// One two-sample comparison of new against base (in the units given).
struct pd_stats_test {
	double delta;  // new - base
	double se;     // standard error of delta
	double lo, hi; // two-sided 1 - alpha confidence interval of delta
	double p;      // two-sided p-value of "no change"
	double df;     // degrees of freedom; INFINITY for a z (normal) test
	double mdc;    // smallest |change| found with PD_STATS_POWER at alpha
};

// Welch's unequal-variance t-test from two samples of n1, n2 >= 1 values
// with means m1, m2 and variances v1, v2 known with df1, df2 degrees of
// freedom (n - 1 for a sample variance; INFINITY for a variance known
// exactly). Degrees of freedom by Welch and Satterthwaite; INFINITY (a z
// test) if both are known. With both variances 0 the test is exact: p is
// 1 if the means agree, else 0.
void pd_stats_welch(size_t n1, double m1, double v1, double df1, size_t n2,
	double m2, double v2, double df2, double alpha,
	struct pd_stats_test *r);

// The two-proportion z-test of x1 of n1 against x2 of n2 (n1, n2 > 0):
// delta = x2/n2 - x1/n1, p from the pooled proportion; the interval and
// mdc use Agresti and Caffo's adjusted proportions ((x + 1) / (n + 2)), so
// they stay wider than 0 at shares of 0 and 1.
void pd_stats_two_prop(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
	double alpha, struct pd_stats_test *r);

// Benjamini-Hochberg q-values q[0, n) of the p-values p[0, n): the
// smallest false-discovery rate at which each test would be rejected.
// Ties keep their order; q[i] >= p[i], q <= 1.
void pd_stats_bh(const double *p, size_t n, double *q);

#endif
