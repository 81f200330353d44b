#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks pd-collapse on --call-graph dwarf profiles, >= 30k samples
# each, of four programs built without frame pointers: two small ones (C
# fp-burn, C++ cxx-dwarf: a handful of functions) and two shaped like real
# code (C c-words: snprintf, strtod, qsort, a hash table; C++ cxx-regex:
# std::regex, std::map, sorting), against `perf script` (inline frames on,
# as by default) and `perf script --no-inline`: wall time (median) and
# peak RSS.
# usage: sh bench/dwarf.sh [BUILDDIR]  (default build)
# env: PD_BENCH_TIMEOUT (seconds for one perf script run, default 600),
#      PD_BENCH_RUNS (runs per perf script command, median reported;
#      default 5), PD_BENCH_PD_RUNS (runs per pd-collapse command; default
#      15: its runs are short, so noise from other tenants weighs more)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
pd=$build/src/pd-collapse
out=$build/bench-dwarf
limit=${PD_BENCH_TIMEOUT:-600}
runs=${PD_BENCH_RUNS:-5}
pd_runs=${PD_BENCH_PD_RUNS:-15}
fields=comm,pid,tid,period,event,ip,sym,dso
mkdir -p "$out"
cd "$out"
command -v perf >/dev/null || { echo "bench: perf not found" >&2; exit 1; }

${CC:-cc} -O2 -g -fomit-frame-pointer -o c-burn "$root/testdata/src/fp-burn.c"
${CXX:-c++} -O2 -g -o cxx-dwarf "$root/testdata/dwarf/src/cxx-dwarf.cc"
${CXX:-c++} -O2 -g -o cxx-regex "$root/testdata/dwarf/src/cxx-regex.cc"
${CC:-cc} -O2 -g -fomit-frame-pointer -o c-words "$root/testdata/dwarf/src/c-words.c"
# Two copies, one per core, at 10 kHz: ~35k samples of 8 KiB dumps.
# Recorded as perf record does by default (no -N): it keeps a copy of the
# kernel's symbol table in its build-id cache (~/.debug), which both
# pd-collapse and perf script read instead of /proc/kallsyms (see
# bench/README.md for what that costs).
[ -s c.data ] || perf record -q --call-graph dwarf -e cpu-clock -F 10000 \
	-o c.data -- sh -c './c-burn 500 & ./c-burn 500; wait' >/dev/null
[ -s cxx.data ] || perf record -q --call-graph dwarf -e cpu-clock \
	-F 10000 -o cxx.data -- sh -c './cxx-dwarf 9000 & ./cxx-dwarf 9000; wait' \
	>/dev/null
[ -s words.data ] || perf record -q --call-graph dwarf -e cpu-clock \
	-F 10000 -o words.data -- \
	sh -c './c-words 250000 & ./c-words 250000; wait' >/dev/null
[ -s regex.data ] || perf record -q --call-graph dwarf -e cpu-clock \
	-F 10000 -o regex.data -- \
	sh -c './cxx-regex 500000 & ./cxx-regex 500000; wait' >/dev/null

# run NAME CMD: prints the median wall time of $runs runs (the page cache
# warmed before each) and the peak RSS of the largest process; a timeout
# is a lower bound.
run() {
	name=$1
	n=$2
	shift 2
	set -- $(python3 - "$limit" "$n" "$file" "$*" <<'PY'
import resource, subprocess, sys, time
limit, runs, data, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
times = []
for _ in range(runs):
    with open(data, 'rb') as f:  # warm the page cache (some hosts page it out)
        while f.read(1 << 24):
            pass
    # timeout(1), not subprocess's: its wait polls in steps of up to 50 ms
    t = time.perf_counter()
    r = subprocess.run(['timeout', str(limit), 'sh', '-c', cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode == 124:
        print(-1, 0)
        sys.exit()
    times.append(time.perf_counter() - t)
times.sort()
print('%.3f' % times[len(times) // 2],
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)
	if [ "$1" = -1 ]; then
		printf '  %-28s > %6s s (timed out)\n' "$name" "$limit"
		set -- "$limit" 0
	else
		printf '  %-28s %8.3f s %9d KiB\n' "$name" "$1" "$2"
	fi
	eval "t_$tag=\$1 m_$tag=\$2"
}

uname -srm
nproc
kid=$(perf buildid-list -k 2>/dev/null || true)
if [ -n "$kid" ] && [ -s "$HOME/.debug/[kernel.kallsyms]/$kid/kallsyms" ]; then
	echo "kernel symbols: perf's build-id cache ($kid)"
else
	echo "kernel symbols: /proc/kallsyms (no copy in perf's build-id cache)"
fi
for file in c.data words.data cxx.data regex.data; do
	samples=$(perf script -i "$file" -F event 2>/dev/null | wc -l)
	echo "$file: $samples samples, $(wc -c <"$file") bytes"
	[ "$samples" -ge 30000 ] || echo "bench: warning: fewer than 30000 samples"
	tag=pd run "pd-collapse" "$pd_runs" "$pd -q $file"
	tag=pdn run "pd-collapse --no-inline" "$pd_runs" \
		"$pd -q --no-inline $file"
	tag=ps run "perf script" "$runs" "perf script -i $file -F $fields"
	tag=psn run "perf script --no-inline" "$runs" \
		"perf script -i $file --no-inline -F $fields"
	awk -v a="$t_pd" -v b="$t_ps" -v c="$t_psn" -v ma="$m_pd" -v mb="$m_ps" \
		'BEGIN { printf "  speed-up: %.1fx vs perf script, %.1fx vs --no-inline; RSS %.2f of perf script\n",
			b / a, c / a, ma / mb }'
done
