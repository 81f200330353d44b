// SPDX-License-Identifier: MIT
// pd-diff's report as JSON or Markdown, and its failures on stderr.
#include <err.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diff-report-internal.h"
#include "escape.h"
#include "strbuf.h"

static const char *const share_name[] = {"self", "total"};

static const char caveat_counts[] =
	"One run on a side: the two-proportion test on summed sample counts "
	"covers sampling noise only, not run-to-run variance; record two or "
	"more runs per side to cover it.";

static const char about_welch[] =
	"Welch's t-test on per-run shares: covers run-to-run variance; "
	"assumes independent runs and roughly normal shares across runs.";

// A number as JSON (null when not finite) or Markdown ("n/a"): fmt is
// "%.Nf", "%+.Nf" or "%.Ng" spelled as style 'f', '+' or 'g' and N.
static void num(struct pd_strbuf *b, const char *fmt, double x, bool json) {
	if (!isfinite(x)) {
		pd_strbuf_adds(b, json ? "null" : "n/a");
		return;
	}
	x = x == 0 ? 0.0 : x; // no "-0"
	int prec = fmt[strlen(fmt) - 2] - '0';
	char style = fmt[1] == '+' ? '+' : fmt[strlen(fmt) - 1];
	if (style == '+') {
		pd_strbuf_printf(b, "%+.*f", prec, x);
	} else if (style == 'g') {
		pd_strbuf_printf(b, "%.*g", prec, x);
	} else {
		pd_strbuf_printf(b, "%.*f", prec, x);
	}
}

static void jstr(struct pd_strbuf *b, const char *s, size_t n) {
	pd_strbuf_addc(b, '"');
	pd_escape_json(b, s, n);
	pd_strbuf_addc(b, '"');
}

// "why" of failure x, without the function's name.
static void reason(struct pd_strbuf *b, const struct pd_diff_report *r,
		const struct failure *x) {
	const struct measure *m = &r->f[x->func].m[x->measure];
	pd_strbuf_printf(b, "%s share grew %.3f points (%g%% interval %.3f "
		"to %.3f, q %.3g), more than the %g allowed by ",
		share_name[x->measure], m->t.delta, 100 * (1 - r->c->alpha),
		m->t.lo, m->t.hi, m->q, r->c->rules[x->rule].points);
}

static void json_side(struct pd_strbuf *b, const struct pd_diff_report *r,
		const char *key, size_t from, size_t to) {
	pd_strbuf_printf(b, "  \"%s\": {\"runs\": %zu, \"samples\": [", key,
		to - from);
	for (size_t k = from; k < to; k++) {
		pd_strbuf_printf(b, "%s%llu", k > from ? ", " : "",
			(unsigned long long)r->totals[k]);
	}
	pd_strbuf_adds(b, "], \"files\": [");
	for (size_t k = from; k < to; k++) {
		pd_strbuf_adds(b, k > from ? ", " : "");
		jstr(b, r->c->files[k], strlen(r->c->files[k]));
	}
	pd_strbuf_adds(b, "]},\n");
}

static void json_measure(struct pd_strbuf *b, const struct measure *m) {
	pd_strbuf_adds(b, "{\"base\": {\"mean\": ");
	num(b, "%.6f", m->mean[0], true);
	pd_strbuf_adds(b, ", \"sd\": ");
	num(b, "%.6f", m->sd[0], true);
	pd_strbuf_adds(b, "}, \"new\": {\"mean\": ");
	num(b, "%.6f", m->mean[1], true);
	pd_strbuf_adds(b, ", \"sd\": ");
	num(b, "%.6f", m->sd[1], true);
	pd_strbuf_adds(b, "}, \"delta\": ");
	num(b, "%.6f", m->t.delta, true);
	pd_strbuf_adds(b, ", \"ci\": [");
	num(b, "%.6f", m->t.lo, true);
	pd_strbuf_adds(b, ", ");
	num(b, "%.6f", m->t.hi, true);
	pd_strbuf_adds(b, "], \"df\": ");
	num(b, "%.4f", m->t.df, true);
	pd_strbuf_adds(b, ", \"p\": ");
	num(b, "%.6g", m->t.p, true);
	pd_strbuf_adds(b, ", \"q\": ");
	num(b, "%.6g", m->q, true);
	pd_strbuf_adds(b, ", \"mdc\": ");
	num(b, "%.6f", m->t.mdc, true);
	pd_strbuf_printf(b, ", \"verdict\": \"%s\"}", pd_diff_verdict_name(m->v));
}

static void write_json(struct pd_strbuf *b, const struct pd_diff_report *r) {
	const struct pd_diff_config *c = r->c;
	pd_strbuf_adds(b, "{\n  \"format\": \"pd-diff-report\",\n"
		"  \"version\": 1,\n  \"test\": ");
	pd_strbuf_adds(b, r->welch ? "\"welch\"" : "\"two-proportion\"");
	pd_strbuf_adds(b, ",\n  \"note\": \"");
	pd_strbuf_adds(b, r->welch ? about_welch : caveat_counts);
	pd_strbuf_adds(b, "\",\n  \"sampling_noise_only\": ");
	pd_strbuf_adds(b, r->welch ? "false" : "true");
	pd_strbuf_printf(b, ",\n  \"alpha\": %g,\n  \"fdr\": "
		"\"benjamini-hochberg\",\n  \"tests\": %zu,\n  \"min_delta\": %g,\n"
		"  \"min_share\": %g,\n  \"power\": %g,\n", c->alpha, r->ntests,
		c->min_delta, c->min_share, PD_STATS_POWER);
	json_side(b, r, "base", 0, c->nbase);
	json_side(b, r, "new", c->nbase, c->nbase + c->nnew);
	pd_strbuf_adds(b, "  \"functions\": [");
	for (size_t i = 0; i < r->nf; i++) {
		const struct func *f = &r->f[i];
		pd_strbuf_adds(b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
		jstr(b, f->name, f->len);
		pd_strbuf_printf(b, ", \"verdict\": \"%s\",\n      \"self\": ",
			pd_diff_verdict_name(f->v));
		json_measure(b, &f->m[SELF]);
		pd_strbuf_adds(b, ",\n      \"total\": ");
		json_measure(b, &f->m[TOTAL]);
		pd_strbuf_adds(b, "}");
	}
	pd_strbuf_adds(b, r->nf ? "\n  ],\n  \"rules\": [" : "],\n  \"rules\": [");
	for (size_t i = 0; i < c->nrules; i++) {
		pd_strbuf_adds(b, i ? ", " : "");
		pd_strbuf_adds(b, "{\"rule\": ");
		jstr(b, c->rules[i].text, strlen(c->rules[i].text));
		pd_strbuf_printf(b, ", \"points\": %g}", c->rules[i].points);
	}
	pd_strbuf_adds(b, "],\n  \"failures\": [");
	for (size_t i = 0; i < r->nfail; i++) {
		const struct failure *x = &r->fail[i];
		const struct func *f = &r->f[x->func];
		pd_strbuf_adds(b, i ? ",\n    {\"function\": " : "\n    {\"function\": ");
		jstr(b, f->name, f->len);
		pd_strbuf_printf(b, ", \"share\": \"%s\", \"rule\": ",
			share_name[x->measure]);
		const char *rule = c->rules[x->rule].text;
		jstr(b, rule, strlen(rule));
		pd_strbuf_adds(b, ", \"reason\": ");
		struct pd_strbuf why = {0};
		reason(&why, r, x);
		pd_strbuf_adds(&why, rule);
		jstr(b, why.s, why.len);
		pd_strbuf_finish(&why);
		pd_strbuf_adds(b, "}");
	}
	pd_strbuf_adds(b, r->nfail ? "\n  ],\n" : "],\n");
	pd_strbuf_printf(b, "  \"result\": \"%s\"\n}\n", r->nfail ? "fail"
		: "pass");
}

static void md_name(struct pd_strbuf *b, const char *s, size_t n) {
	pd_escape_markdown(b, s, n);
}

// "mean ± sd" of one side, or the mean alone for one run.
static void md_side(struct pd_strbuf *b, const struct measure *m, int side) {
	num(b, "%.3f", m->mean[side], false);
	if (isfinite(m->sd[side])) {
		pd_strbuf_adds(b, " ± ");
		num(b, "%.3f", m->sd[side], false);
	}
}

static void md_measure(struct pd_strbuf *b, const struct measure *m) {
	md_side(b, m, 0);
	pd_strbuf_adds(b, " | ");
	md_side(b, m, 1);
	pd_strbuf_adds(b, " | ");
	num(b, "%+.3f", m->t.delta, false);
	pd_strbuf_adds(b, " [");
	num(b, "%.3f", m->t.lo, false);
	pd_strbuf_adds(b, ", ");
	num(b, "%.3f", m->t.hi, false);
	pd_strbuf_adds(b, "] | ");
	num(b, "%.3g", m->q, false);
	pd_strbuf_adds(b, " | ");
	num(b, "%.3f", m->t.mdc, false);
	pd_strbuf_adds(b, " | ");
}

static void md_files(struct pd_strbuf *b, const struct pd_diff_report *r,
		size_t from, size_t to) {
	for (size_t k = from; k < to; k++) {
		pd_strbuf_adds(b, k > from ? ", " : "");
		md_name(b, r->c->files[k], strlen(r->c->files[k]));
		pd_strbuf_printf(b, " (%llu samples)",
			(unsigned long long)r->totals[k]);
	}
}

static void write_markdown(struct pd_strbuf *b,
		const struct pd_diff_report *r) {
	const struct pd_diff_config *c = r->c;
	pd_strbuf_printf(b, "# pd-diff report\n\n**Result: %s**", r->nfail
		? "fail" : "pass");
	pd_strbuf_printf(b, " (%zu share%s over the allowed change)\n\n",
		r->nfail, r->nfail == 1 ? "" : "s");
	pd_strbuf_printf(b, "- base: %zu run%s: ", c->nbase,
		c->nbase == 1 ? "" : "s");
	md_files(b, r, 0, c->nbase);
	pd_strbuf_printf(b, "\n- new: %zu run%s: ", c->nnew,
		c->nnew == 1 ? "" : "s");
	md_files(b, r, c->nbase, c->nbase + c->nnew);
	pd_strbuf_printf(b, "\n- test: %s\n", r->welch ? about_welch
		: caveat_counts);
	pd_strbuf_printf(b, "- %zu tests (self and total shares of %zu "
		"functions, those with a mean share of at least %g%%), alpha %g "
		"after Benjamini-Hochberg; min delta %g points; intervals at "
		"%g%%; mdc: the smallest change found with %g%% power\n",
		r->ntests, r->nf, c->min_share, c->alpha, c->min_delta,
		100 * (1 - c->alpha), 100 * PD_STATS_POWER);
	for (size_t i = 0; i < c->nrules; i++) {
		pd_strbuf_adds(b, i ? ", " : "- rules: ");
		md_name(b, c->rules[i].text, strlen(c->rules[i].text));
	}
	pd_strbuf_adds(b, c->nrules ? "\n" : "");
	if (r->nfail) {
		pd_strbuf_adds(b, "\n## Failures\n\n");
	}
	for (size_t i = 0; i < r->nfail; i++) {
		const struct failure *x = &r->fail[i];
		pd_strbuf_adds(b, "- ");
		md_name(b, r->f[x->func].name, r->f[x->func].len);
		pd_strbuf_adds(b, ": ");
		struct pd_strbuf why = {0};
		reason(&why, r, x);
		pd_strbuf_adds(&why, c->rules[x->rule].text);
		md_name(b, why.s, why.len);
		pd_strbuf_finish(&why);
		pd_strbuf_adds(b, "\n");
	}
	pd_strbuf_adds(b, "\n## Functions\n\nShares in percent of each run's "
		"samples (mean ± sd over runs), changes in percentage points "
		"[interval].\n\n| function | verdict | self base | self new | "
		"Δ self | q | mdc | total base | total new | Δ total | q | mdc |\n"
		"|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->nf; i++) {
		const struct func *f = &r->f[i];
		pd_strbuf_adds(b, "| ");
		md_name(b, f->name, f->len);
		pd_strbuf_printf(b, " | %s | ", pd_diff_verdict_name(f->v));
		md_measure(b, &f->m[SELF]);
		md_measure(b, &f->m[TOTAL]);
		b->len--; // one trailing space
		b->s[b->len] = '\0';
		pd_strbuf_adds(b, "\n");
	}
}

void pd_diff_report_write(FILE *f, const struct pd_diff_report *r,
		enum pd_diff_format fmt) {
	struct pd_strbuf b = {0};
	if (fmt == PD_DIFF_JSON) {
		write_json(&b, r);
	} else {
		write_markdown(&b, r);
	}
	fwrite(b.s, 1, b.len, f);
	pd_strbuf_finish(&b);
}

void pd_diff_report_warn(const struct pd_diff_report *r) {
	struct pd_strbuf b = {0};
	for (size_t i = 0; i < r->nfail && i < 10; i++) {
		const struct failure *x = &r->fail[i];
		b.len = 0;
		pd_escape_terminal(&b, r->f[x->func].name, r->f[x->func].len);
		pd_strbuf_adds(&b, ": ");
		reason(&b, r, x);
		pd_strbuf_adds(&b, r->c->rules[x->rule].text);
		warnx("%s", b.s);
	}
	if (r->nfail > 10) {
		warnx("%zu more failures (see --report)", r->nfail - 10);
	}
	pd_strbuf_finish(&b);
}
