#!/bin/sh
# SPDX-License-Identifier: MIT
# Statistical tests of pd-diff's tests, long version: tests/stats/sim.c
# draws synthetic profiles (true shares from a log-normal spread over
# 20-200 functions; each run's shares drawn around them with a relative
# run-to-run spread cv, then 20,000 samples a run by multinomial sampling)
# and counts how often the gate (--fail-above) fails. The test suite runs
# a few hundred trials of the first two; this runs PD_STATS_TRIALS (1000)
# of each, and more settings. See bench/README.md.
# usage: sh bench/stats.sh [BUILDDIR]  (default build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
sim=$build/tests/stats/sim
trials=${PD_STATS_TRIALS:-1000}
[ -x "$sim" ] || { echo "bench: $sim missing (ninja -C $build)"; exit 1; }
run() {
	"$sim" --trials "$trials" "$@" || true
}
echo "== identical sides, 5 runs per side: false alarms (want <= 5%)"
run --seed 11 --fail-above 0 --cv 0.05
run --seed 12 --fail-above 0 --cv 0.1
run --seed 13 --fail-above 0 --cv 0.2
echo "== f_0's self share +3 points, 5 runs per side: found (want >= 95%)"
run --seed 21 --plant 3 --fail-above 1 --cv 0.05
run --seed 22 --plant 3 --fail-above 1 --cv 0.1
run --seed 23 --plant 3 --fail-above 1 --cv 0.05 --runs 10
run --seed 24 --plant 3 --fail-above 1 --cv 0.1 --runs 10
echo "== fewer runs"
run --seed 31 --fail-above 0 --cv 0.05 --runs 2
run --seed 32 --plant 3 --fail-above 1 --cv 0.05 --runs 2
run --seed 33 --plant 3 --fail-above 1 --cv 0.05 --runs 3
echo "== one run per side (the two-proportion test: sampling noise only)"
run --seed 41 --fail-above 0 --cv 0 --runs 1
run --seed 42 --fail-above 0 --cv 0.05 --runs 1
