#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks pd-collapse --off-cpu against the text pipeline users run
# today, perf script and an off-CPU collapser, on a recording of at least
# 100k sched_switch samples; see bench/README.md.
# usage: sh bench/offcpu.sh [BUILDDIR]  (default build)
# env: PD_BENCH_RUNS (default 5), PD_BENCH_ROUNDS (pingpong round trips,
#      default 60000: about 120k switches)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
pd=$build/src/pd-collapse
out=$build/bench
runs=${PD_BENCH_RUNS:-5}
rounds=${PD_BENCH_ROUNDS:-60000}
mkdir -p "$out"
cd "$out"

command -v perf >/dev/null || { echo "bench: perf not found" >&2; exit 1; }
${CC:-cc} -O2 -g -fno-omit-frame-pointer -pthread -o pingpong "$root/bench/pingpong.c"

# Recorded once (delete it to record again): two threads waking each
# other through pipes, every switch with its stack, switch-ins recorded.
data=offcpu.data
if [ ! -s "$data" ]; then
	perf record -q -e sched:sched_switch --switch-events -g -o "$data" -- \
		./pingpong "$rounds"
fi
switches=$(perf script -i "$data" -F event 2>/dev/null | grep -c sched_switch || true)
echo "profile: $out/$data, $switches sched_switch samples, $(wc -c <"$data") bytes"
[ "$switches" -ge 100000 ] || echo "bench: warning: fewer than 100000 sched_switch samples"

# What users run: perf script's text (the switch records too) through an
# off-CPU collapser, here tests/ref-offcpu.py (Python, the same rules).
script="perf script -i $data --no-inline --ns --show-switch-events --show-task-events --show-mmap-events -F comm,pid,tid,time,period,event,trace,ip,sym,dso"
ref="$script | python3 $root/tests/ref-offcpu.py"
set -- \
	"$pd --off-cpu $data" \
	"$pd --off-cpu --no-inline $data" \
	"$script" \
	"$ref"

# The same answer from both, or the timing means little.
"$pd" -q --no-inline --off-cpu "$data" >pd.folded
sh -c "$ref" >ref.folded
python3 "$root/tests/compare-folded.py" --top 3 --label-a pd-collapse \
	--label-b reference pd.folded ref.folded || echo "bench: outputs differ"

# One command at a time (the machine may be shared): hyperfine runs them
# in turn, the page cache warmed before every run.
if command -v hyperfine >/dev/null; then
	hyperfine -S sh --runs "$runs" --warmup 1 --prepare "cat $data" \
		--export-json offcpu-times.json --output=null "$@" \
		>offcpu-hyperfine.txt 2>&1
	python3 - <<'PY'
import json
r = json.load(open('offcpu-times.json'))['results']
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
	printf '%8s  %s\n' "$rss" "$cmd"
done
