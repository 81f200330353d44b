#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks pd-collapse against perf script and script-based collapsers on a
# frame-pointer profile of at least 30k samples; see bench/README.md.
# usage: sh bench/collapse.sh [BUILDDIR]  (default build)
# env: FLAMEGRAPH_DIR (adds stackcollapse-perf.pl), PD_BENCH_RUNS (default 5)
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
if [ ! -s bench.data ]; then
	# Two copies, one per core, sampled at 10 kHz: ~2 s each gives ~35k samples.
	perf record -q -g -e cpu-clock -F 10000 -o bench.data -- \
		sh -c './fp-burn 500 & ./fp-burn 500; wait' >/dev/null
fi
samples=$(perf script -i bench.data -F event 2>/dev/null | wc -l)
echo "profile: $out/bench.data, $samples samples, $(wc -c <bench.data) bytes"
[ "$samples" -ge 30000 ] || echo "bench: warning: fewer than 30000 samples"

ref="perf script -i bench.data -F $fields | python3 $root/tests/ref-collapse.py"
set -- \
	"$pd bench.data" \
	"perf script -i bench.data" \
	"$ref"
if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/stackcollapse-perf.pl" ]; then
	set -- "$@" "perf script -i bench.data | perl $FLAMEGRAPH_DIR/stackcollapse-perf.pl"
else
	echo "bench: FLAMEGRAPH_DIR not set: stackcollapse-perf.pl not timed"
fi

# Same output from both collapsers, or the timing means little.
"$pd" -q bench.data >pd.folded
sh -c "$ref" >ref.folded
python3 "$root/tests/compare-folded.py" --top 3 --label-a pd-collapse \
	--label-b reference pd.folded ref.folded || echo "bench: outputs differ"

if command -v hyperfine >/dev/null; then
	hyperfine -N -S sh --runs "$runs" --warmup 1 --export-json times.json \
		--output=null "$@" >hyperfine.txt 2>&1 ||
		hyperfine -S sh --runs "$runs" --warmup 1 --export-json times.json \
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
