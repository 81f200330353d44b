// SPDX-License-Identifier: MIT
// Unit tests for src/lib/stats.c against values computed with mpmath at 30
// digits (betainc, ncdf, findroot on the t CDF).
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "stats.h"

static int near(double got, double want, double rel) {
	double tol = rel * (fabs(want) > 1e-300 ? fabs(want) : 1);
	if (fabs(got - want) <= tol) {
		return 1;
	}
	fprintf(stderr, "got %.17g, want %.17g\n", got, want);
	return 0;
}

static void distributions(void) {
	CHECK(near(pd_stats_normal_cdf(1.96), 0.9750021048517795, 1e-14));
	CHECK(near(pd_stats_normal_quantile(0.975), 1.959963984540054, 1e-12));
	CHECK(near(pd_stats_normal_quantile(0.8), 0.8416212335729143, 1e-12));
	CHECK(near(pd_stats_normal_quantile(0.025), -1.959963984540054, 1e-12));
	CHECK(near(pd_stats_normal_quantile(1e-10), -6.361340902404056, 1e-10));
	CHECK(pd_stats_normal_quantile(0.5) == 0);
	CHECK(isinf(pd_stats_normal_quantile(1)));
	CHECK(near(pd_stats_beta_inc(2, 3, 0.4), 0.5248, 1e-13));
	CHECK(near(pd_stats_beta_inc(0.5, 30, 0.01), 0.5606656310947488, 1e-12));
	CHECK(pd_stats_beta_inc(2, 3, 0) == 0 && pd_stats_beta_inc(2, 3, 1) == 1);
	CHECK(near(pd_stats_t_cdf(2, 5), 0.9490302605850708, 1e-13));
	CHECK(near(pd_stats_t_cdf(-3, 2.5), 0.03628804777451592, 1e-12));
	CHECK(near(pd_stats_t_cdf(1, 1), 0.75, 1e-14)); // Cauchy
	CHECK(near(pd_stats_t_quantile(0.975, 5), 2.570581835636315, 1e-12));
	CHECK(near(pd_stats_t_quantile(0.975, 1), 12.70620473617469, 1e-12));
	CHECK(near(pd_stats_t_quantile(0.975, 10), 2.228138851986274, 1e-12));
	CHECK(near(pd_stats_t_quantile(0.8, 7.3), 0.8936713571802271, 1e-11));
	CHECK(near(pd_stats_t_quantile(0.999999, 3), 103.2994677794290, 1e-10));
	CHECK(near(pd_stats_t_quantile(0.2, 7.3), -0.8936713571802271, 1e-11));
}

static void welch(void) {
	// {1, 2, 3} against {4, 6, 8}: means 2 and 6, variances 1 and 4;
	// se = sqrt(1/3 + 4/3), t = 4 / se = 3.0984, df = (5/3)^2 /
	// ((1/3)^2/2 + (4/3)^2/2) = 50/17.
	struct pd_stats_test r;
	pd_stats_welch(3, 2, 1, 2, 3, 6, 4, 2, 0.05, &r);
	CHECK(near(r.delta, 4, 1e-15));
	CHECK(near(r.df, 50.0 / 17, 1e-14));
	CHECK(near(r.p, 0.05478676604107642, 1e-11));
	CHECK(near(r.lo, 4 - 3.218758614532884 * sqrt(5.0 / 3), 1e-11));
	CHECK(near(r.hi, 4 + 3.218758614532884 * sqrt(5.0 / 3), 1e-11));
	// No spread: exact.
	pd_stats_welch(2, 0.1, 0, 1, 2, 0.1, 0, 1, 0.05, &r);
	CHECK(r.p == 1 && r.lo == 0 && r.hi == 0 && r.mdc == 0);
	pd_stats_welch(2, 0.1, 0, 1, 3, 0.2, 0, 2, 0.05, &r);
	CHECK(r.p == 0 && near(r.lo, 0.1, 1e-12) && r.df == 3);
	// Spread on one side only: df = n - 1 of that side.
	pd_stats_welch(4, 0, 0, 3, 5, 1, 0.5, 4, 0.05, &r);
	CHECK(near(r.df, 4, 1e-12));
	// Both variances known: a z test. se = sqrt(1/2 + 1/2) = 1, z = 3.
	pd_stats_welch(2, 0, 1, INFINITY, 2, 3, 1, INFINITY, 0.05, &r);
	CHECK(isinf(r.df) && near(r.p, 0.002699796063260207, 1e-10));
	CHECK(near(r.hi, 3 + 1.959963984540054, 1e-12));
}

static void two_prop(void) {
	// 100 of 1000 against 150 of 1000: pool 0.125, se0 = sqrt(0.125 *
	// 0.875 * 0.002) = 0.0147902, z = 3.38062, p = erfc(z / sqrt 2).
	struct pd_stats_test r;
	pd_stats_two_prop(100, 1000, 150, 1000, 0.05, &r);
	CHECK(near(r.delta, 0.05, 1e-14));
	CHECK(near(r.p, 0.0007232327164301934, 1e-10));
	CHECK(isinf(r.df));
	// Agresti-Caffo: 101/1002 and 151/1002.
	double a1 = 101.0 / 1002, a2 = 151.0 / 1002;
	double se = sqrt(a1 * (1 - a1) / 1002 + a2 * (1 - a2) / 1002);
	CHECK(near(r.lo, a2 - a1 - 1.959963984540054 * se, 1e-12));
	// Absent on both sides, or everywhere on both: no change, p = 1, and
	// an interval wider than 0.
	pd_stats_two_prop(0, 500, 0, 800, 0.05, &r);
	CHECK(r.p == 1 && r.delta == 0 && r.lo < 0 && r.hi > 0);
	pd_stats_two_prop(500, 500, 800, 800, 0.05, &r);
	CHECK(r.p == 1 && r.delta == 0 && r.lo < 0 && r.hi > 0);
}

static void bh(void) {
	// Ranks 0.005, 0.01, 0.03, 0.04: p n / k = 0.02, 0.02, 0.04, 0.04.
	double p[] = {0.01, 0.04, 0.03, 0.005}, q[4];
	pd_stats_bh(p, 4, q);
	CHECK(near(q[0], 0.02, 1e-15) && near(q[1], 0.04, 1e-15));
	CHECK(near(q[2], 0.04, 1e-15) && near(q[3], 0.02, 1e-15));
	// Monotone: a larger p never gets a smaller q; q <= 1.
	double p2[] = {0.9, 0.2, 0.5}, q2[3];
	pd_stats_bh(p2, 3, q2);
	CHECK(near(q2[1], 0.6, 1e-15) && near(q2[2], 0.75, 1e-15));
	CHECK(near(q2[0], 0.9, 1e-15));
	pd_stats_bh(NULL, 0, NULL);
}

int main(void) {
	distributions();
	welch();
	two_prop();
	bh();
	return check_status();
}
