// SPDX-License-Identifier: MIT
// Tests pd-diff's tests: draws synthetic profiles from known shares with a
// seeded generator, runs the report and the gate on them (the library
// calls pd-diff makes) and counts how often the gate fails.
//
// Model, per trial: F functions (uniform in [fmin, fmax]), each the leaf
// of "sim;main;g_(i mod 8);f_i"; true shares from a log-normal spread
// (sigma 1). Each run draws its own shares around the true ones (times
// exp(cv * N(0, 1)), renormalized: run-to-run variance), then its samples
// by multinomial sampling. --plant PCT adds PCT points to f_0's self share
// on the new side (f_0 is set to 5% on the base side; the others shrink
// in proportion).
//
// usage: sim [--trials N] [--seed S] [--runs R] [--samples N]
//            [--functions MIN-MAX] [--cv X] [--plant PCT] [--fail-above PCT]
//            [--alpha A] [--max-rate X] [--min-rate X]
// Prints the rate at which the gate failed (on any function without a
// plant; on f_0's self share with one); exits 1 if it is above --max-rate
// or below --min-rate.
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff-report.h"
#include "profile.h"

static uint64_t rng[4];

static uint64_t rotl(uint64_t x, int k) {
	return x << k | x >> (64 - k);
}

// xoshiro256** (Blackman and Vigna), seeded by splitmix64.
static uint64_t next(void) {
	uint64_t r = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;
	rng[2] ^= rng[0];
	rng[3] ^= rng[1];
	rng[1] ^= rng[2];
	rng[0] ^= rng[3];
	rng[2] ^= t;
	rng[3] = rotl(rng[3], 45);
	return r;
}

static void seed(uint64_t s) {
	for (int i = 0; i < 4; i++) {
		uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		rng[i] = z ^ (z >> 31);
	}
}

static double uniform(void) { // (0, 1)
	return ((double)(next() >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void) { // Box-Muller
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

struct opts {
	long trials, runs, samples, fmin, fmax;
	uint64_t seed;
	double cv, plant, fail_above, alpha, max_rate, min_rate;
};

// Draws one run's counts of F functions with true shares pi.
static void draw_run(const struct opts *o, const double *pi, size_t nf,
		double *tmp, double *cum, uint64_t *counts) {
	double sum = 0;
	for (size_t i = 0; i < nf; i++) {
		tmp[i] = pi[i] * exp(o->cv * gauss());
		sum += tmp[i];
	}
	double acc = 0;
	for (size_t i = 0; i < nf; i++) {
		acc += tmp[i] / sum;
		cum[i] = acc;
		counts[i] = 0;
	}
	cum[nf - 1] = 1;
	for (long s = 0; s < o->samples; s++) {
		double u = uniform();
		size_t lo = 0, hi = nf - 1;
		while (lo < hi) { // first i with cum[i] >= u
			size_t mid = (lo + hi) / 2;
			if (cum[mid] >= u) {
				hi = mid;
			} else {
				lo = mid + 1;
			}
		}
		counts[lo]++;
	}
}

// One trial: true if the gate failed (on f_0's self share when planted).
static int trial(const struct opts *o) {
	size_t nf = (size_t)(o->fmin + (long)(next() % (uint64_t)(o->fmax
		- o->fmin + 1)));
	double *pi = calloc(nf, sizeof(*pi)), *pn = calloc(nf, sizeof(*pn));
	double *tmp = calloc(nf, sizeof(*tmp)), *cum = calloc(nf, sizeof(*cum));
	uint64_t *counts = calloc(nf, sizeof(*counts));
	double sum = 0;
	for (size_t i = 0; i < nf; i++) {
		pi[i] = exp(gauss());
		sum += pi[i];
	}
	for (size_t i = 0; i < nf; i++) {
		pi[i] /= sum;
		pn[i] = pi[i];
	}
	if (o->plant > 0) {
		// f_0 at 5% on the base side, 5% + plant on the new side.
		double rest = 1 - pi[0], b = 0.05, a = 0.05 + o->plant / 100;
		for (size_t i = 1; i < nf; i++) {
			pn[i] = pi[i] / rest * (1 - a);
			pi[i] = pi[i] / rest * (1 - b);
		}
		pi[0] = b;
		pn[0] = a;
	}
	size_t ncols = 2 * (size_t)o->runs;
	struct pd_profile *p = pd_profile_create(ncols);
	uint64_t *w = calloc(ncols, sizeof(*w));
	char stack[64];
	for (size_t k = 0; k < ncols; k++) {
		draw_run(o, k < (size_t)o->runs ? pi : pn, nf, tmp, cum, counts);
		for (size_t i = 0; i < nf; i++) {
			if (!counts[i]) {
				continue;
			}
			int len = snprintf(stack, sizeof(stack), "sim;main;g_%zu;f_%zu",
				i % 8, i);
			w[k] = counts[i];
			pd_profile_add(p, stack, (size_t)len, w);
			w[k] = 0;
		}
	}
	const char **files = calloc(ncols, sizeof(*files));
	for (size_t k = 0; k < ncols; k++) {
		files[k] = "sim";
	}
	struct pd_diff_rule rule;
	pd_diff_rule_above(&rule, o->fail_above);
	struct pd_diff_config c = {
		.alpha = o->alpha, .min_share = 0.1, .rules = &rule, .nrules = 1,
		.files = files,
		.nbase = (size_t)o->runs, .nnew = (size_t)o->runs,
	};
	struct pd_diff_report *r = pd_diff_report_create(p, &c);
	int failed = 0;
	for (size_t i = 0; i < pd_diff_report_failures(r); i++) {
		bool total;
		const char *name = pd_diff_report_failure(r, i, &total);
		failed |= o->plant > 0 ? strcmp(name, "f_0") == 0 && !total : 1;
	}
	pd_diff_report_destroy(r);
	pd_diff_rule_finish(&rule);
	pd_profile_destroy(p);
	free(files);
	free(w);
	free(pi);
	free(pn);
	free(tmp);
	free(cum);
	free(counts);
	return failed;
}

int main(int argc, char *argv[]) {
	static const struct option longopts[] = {
		{"alpha", required_argument, NULL, 'a'},
		{"cv", required_argument, NULL, 'c'},
		{"fail-above", required_argument, NULL, 'f'},
		{"functions", required_argument, NULL, 'F'},
		{"max-rate", required_argument, NULL, 'M'},
		{"min-rate", required_argument, NULL, 'm'},
		{"plant", required_argument, NULL, 'p'},
		{"runs", required_argument, NULL, 'r'},
		{"samples", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"trials", required_argument, NULL, 't'},
		{0},
	};
	struct opts o = {.trials = 200, .runs = 5, .samples = 20000, .fmin = 20,
		.fmax = 200, .seed = 1, .cv = 0.05, .alpha = 0.05, .max_rate = 1};
	int opt;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a': o.alpha = atof(optarg); break;
		case 'c': o.cv = atof(optarg); break;
		case 'f': o.fail_above = atof(optarg); break;
		case 'F':
			if (sscanf(optarg, "%ld-%ld", &o.fmin, &o.fmax) != 2
					|| o.fmin < 1 || o.fmax < o.fmin) {
				return 99;
			}
			break;
		case 'M': o.max_rate = atof(optarg); break;
		case 'm': o.min_rate = atof(optarg); break;
		case 'p': o.plant = atof(optarg); break;
		case 'r': o.runs = atol(optarg); break;
		case 'n': o.samples = atol(optarg); break;
		case 's': o.seed = strtoull(optarg, NULL, 10); break;
		case 't': o.trials = atol(optarg); break;
		default: return 99;
		}
	}
	if (o.runs < 1 || o.samples < 1 || o.trials < 1) {
		return 99;
	}
	seed(o.seed);
	long hits = 0;
	for (long t = 0; t < o.trials; t++) {
		hits += trial(&o);
	}
	double rate = (double)hits / (double)o.trials;
	printf("%s: %ld of %ld trials (rate %.3f); runs %ld per side, %ld "
		"samples per run, %ld-%ld functions, cv %g, alpha %g, --fail-above "
		"%g, seed %llu\n", o.plant > 0 ? "planted regression found"
		: "false alarms", hits, o.trials, rate, o.runs, o.samples, o.fmin,
		o.fmax, o.cv, o.alpha, o.fail_above, (unsigned long long)o.seed);
	if (rate > o.max_rate || rate < o.min_rate) {
		printf("FAIL: rate outside [%g, %g]\n", o.min_rate, o.max_rate);
		return 1;
	}
	return 0;
}
