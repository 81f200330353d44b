#!/bin/sh
# SPDX-License-Identifier: MIT
# Live cross-check: records testdata/dwarf/src/c-words.c (C with libc's
# printf, strtod, qsort) with frame pointers now, folds it with
# `pd-collapse --no-inline --weight period` and requires pd-top's self
# shares of the top 20 functions to equal `perf report --no-children
# --sort sym` on the same perf.data within 0.1 percentage point
# (compare-report.py says how names are matched).
# usage: perf-report.sh   (env: PD_COLLAPSE, PD_TOP, PD_SRCDIR, PD_WORKDIR)
# Exit 0 pass, 1 fail, 77 skip (perf, cc or permissions missing), 99 setup.
set -u
pd=${PD_COLLAPSE:?PD_COLLAPSE must name the pd-collapse binary}
top=${PD_TOP:?PD_TOP must name the pd-top binary}
src=${PD_SRCDIR:?PD_SRCDIR must name the source tree}
work=${PD_WORKDIR:-${TMPDIR:-/tmp}}/top-perf-report
rate=${PD_LIVE_FREQ:-4000}

. "$src/tests/live-common.sh"

"$CC" -O2 -g -fno-omit-frame-pointer -o bin/c-words \
	"$src/testdata/dwarf/src/c-words.c" || exit 99
# perf report weighs by period, so pd-collapse does too; perf report shows
# no inlined frames as a sample's symbol: --no-inline. Kernel frames carry
# no _[k] by default, like perf's names after "[k] ".
perf_record w.data -g -e cpu-clock -F "$rate" -- bin/c-words 250000
"$pd" -q --no-inline --weight period w.data >w.folded ||
	fail "pd-collapse exited $?"
"$top" --format tsv w.folded >top.tsv || fail "pd-top exited $?"
perf report -i w.data --no-children --sort sym --stdio -g none \
	>report.txt 2>report.err || { cat report.err; exit 99; }
echo "== $(grep -c . w.folded) stacks; perf report: $(grep -m1 '^# Samples' report.txt)"
python3 "$src/tests/top/compare-report.py" top.tsv report.txt 20 0.1 ||
	fail "pd-top and perf report differ"
echo "PASS: top-perf-report"
