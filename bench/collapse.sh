#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks pd-collapse against perf script and script-based collapsers on
# two frame-pointer profiles (~40k and ~400k samples); see bench/README.md.
# usage: sh bench/collapse.sh [BUILDDIR]  (default build)
# env: FLAMEGRAPH_DIR (adds stackcollapse-perf.pl), PD_BENCH_RUNS (default 5),
#      PD_BENCH_LARGE=0 (only the small profile)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
pd=$build/src/pd-collapse
out=$build/bench
runs=${PD_BENCH_RUNS:-5}
fields=comm,pid,tid,period,event,ip,sym,dso
mkdir -p "$out"
cd "$out"

command -v perf >/dev/null || { echo "bench: perf not found" >&2; exit 1; }
${CC:-cc} -O2 -g -fno-omit-frame-pointer -o fp-burn "$root/testdata/src/fp-burn.c"

# bench FILE FREQ ITERATIONS: records FILE once (two copies of fp-burn, one
# per core, at FREQ Hz), checks pd-collapse against the reference
# collapser, then times every command on it.
bench() {
	data=$1
	if [ ! -s "$data" ]; then
		perf record -q -g -e cpu-clock -F "$2" -o "$data" -- \
			sh -c "./fp-burn $3 & ./fp-burn $3; wait" >/dev/null
	fi
	samples=$(perf script -i "$data" -F event 2>/dev/null | wc -l)
	echo
	echo "profile: $out/$data, $samples samples, $(wc -c <"$data") bytes"
	[ "$samples" -ge 30000 ] || echo "bench: warning: fewer than 30000 samples"

	ref="perf script -i $data -F $fields | python3 $root/tests/ref-collapse.py"
	set -- \
		"$pd $data" \
		"$pd --no-inline $data" \
		"perf script -i $data" \
		"$ref"
	if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/stackcollapse-perf.pl" ]; then
		set -- "$@" "perf script -i $data | perl $FLAMEGRAPH_DIR/stackcollapse-perf.pl"
	else
		echo "bench: FLAMEGRAPH_DIR not set: stackcollapse-perf.pl not timed"
	fi

	# Same output from both collapsers, or the timing means little.
	"$pd" -q "$data" >pd.folded
	sh -c "$ref" >ref.folded
	python3 "$root/tests/compare-folded.py" --top 3 --label-a pd-collapse \
		--label-b reference pd.folded ref.folded || echo "bench: outputs differ"

	if command -v hyperfine >/dev/null; then
		# The page cache is warmed before every run (some hosts page
		# idle file pages out between runs).
		hyperfine -N -S sh --runs "$runs" --warmup 1 \
			--prepare "cat $data" --export-json times.json \
			--output=null "$@" >hyperfine.txt 2>&1 ||
			hyperfine -S sh --runs "$runs" --warmup 1 \
				--prepare "cat $data" --export-json times.json \
				--output=null "$@" >hyperfine.txt
		python3 - <<'PY'
import json
r = json.load(open('times.json'))['results']
base = r[0]['mean']
print('%-70s %9s %9s %7s' % ('command', 'mean s', 'stddev', 'x pd'))
for x in r:
    print('%-70.70s %9.3f %9.3f %7.1f' % (x['command'], x['mean'], x['stddev'],
                                          x['mean'] / base))
PY
	else
		echo "bench: hyperfine not found; timing $runs runs with /usr/bin/time"
		for cmd; do
			/usr/bin/time -f "%e s  $cmd" sh -c "for i in \$(seq $runs); do $cmd >/dev/null 2>&1; done"
		done
	fi

	echo "peak RSS (KiB, /usr/bin/time -f %M; a pipeline reports its largest process):"
	for cmd; do
		rss=$(/usr/bin/time -f %M sh -c "$cmd >/dev/null 2>/dev/null" 2>&1 | tail -1)
		printf '%10s  %s\n' "$rss" "$cmd"
	done
}

uname -srm
nproc
# ~2 s per copy at 10 kHz: ~40k samples, ~4.5 MB.
bench bench.data 10000 500
# ~10 s per copy at 20 kHz: ~400k samples, ~40 MB (PD_BENCH_LARGE=0 skips).
[ "${PD_BENCH_LARGE:-1}" = 0 ] || bench bench-large.data 20000 2500
