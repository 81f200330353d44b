#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks pd-collapse on --call-graph dwarf profiles (a C program built
# without frame pointers, a small C++ one, and a C++ std::regex/std::map
# workload with deep template-heavy stacks; >= 30k samples each) against
# `perf script` (inline frames on, as by default) and
# `perf script --no-inline`: wall time and peak RSS (/usr/bin/time).
# usage: sh bench/dwarf.sh [BUILDDIR]  (default build)
# env: PD_BENCH_TIMEOUT (seconds for one perf script run, default 600)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
pd=$build/src/pd-collapse
out=$build/bench-dwarf
limit=${PD_BENCH_TIMEOUT:-600}
fields=comm,pid,tid,period,event,ip,sym,dso
mkdir -p "$out"
cd "$out"
command -v perf >/dev/null || { echo "bench: perf not found" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time not found" >&2; exit 1; }

${CC:-cc} -O2 -g -fomit-frame-pointer -o c-burn "$root/testdata/src/fp-burn.c"
${CXX:-c++} -O2 -g -o cxx-dwarf "$root/testdata/dwarf/src/cxx-dwarf.cc"
${CXX:-c++} -O2 -g -o cxx-regex "$root/testdata/dwarf/src/cxx-regex.cc"
# Two copies, one per core, at 10 kHz: ~35k samples of 8 KiB dumps.
[ -s c.data ] || perf record -q -N --call-graph dwarf -e cpu-clock -F 10000 \
	-o c.data -- sh -c './c-burn 500 & ./c-burn 500; wait' >/dev/null
[ -s cxx.data ] || perf record -q -N --call-graph dwarf -e cpu-clock \
	-F 10000 -o cxx.data -- sh -c './cxx-dwarf 9000 & ./cxx-dwarf 9000; wait' \
	>/dev/null
[ -s regex.data ] || perf record -q -N --call-graph dwarf -e cpu-clock \
	-F 10000 -o regex.data -- \
	sh -c './cxx-regex 500000 & ./cxx-regex 500000; wait' >/dev/null

# run NAME CMD: prints seconds and peak KiB; a timeout is a lower bound.
run() {
	name=$1
	shift
	cat "$file" >/dev/null # warm the page cache (some hosts page it out)
	if /usr/bin/time -f '%e %M' -o time.txt timeout "$limit" sh -c "$*" \
			>/dev/null 2>&1; then
		set -- $(cat time.txt)
		printf '  %-28s %8.2f s %9d KiB\n' "$name" "$1" "$2"
	else
		set -- $(tail -1 time.txt)
		printf '  %-28s > %6s s %9s KiB (timed out)\n' "$name" "$limit" "$2"
	fi
	eval "t_$tag=\$1 m_$tag=\$2"
}

uname -srm
nproc
for file in c.data cxx.data regex.data; do
	samples=$(perf script -i "$file" -F event 2>/dev/null | wc -l)
	echo "$file: $samples samples, $(wc -c <"$file") bytes"
	[ "$samples" -ge 30000 ] || echo "bench: warning: fewer than 30000 samples"
	tag=pd run "pd-collapse" "$pd -q $file"
	tag=pdn run "pd-collapse --no-inline" "$pd -q --no-inline $file"
	tag=ps run "perf script" "perf script -i $file -F $fields"
	tag=psn run "perf script --no-inline" \
		"perf script -i $file --no-inline -F $fields"
	awk -v a="$t_pd" -v b="$t_ps" -v c="$t_psn" -v ma="$m_pd" -v mb="$m_ps" \
		'BEGIN { printf "  speed-up: %.1fx vs perf script, %.1fx vs --no-inline; RSS %.2f of perf script\n",
			b / a, c / a, ma / mb }'
done
