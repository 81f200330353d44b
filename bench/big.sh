#!/bin/sh
# SPDX-License-Identifier: MIT
# Time and peak RSS of pd-collapse from 100 MB to 4 GB: --call-graph dwarf
# recordings of two copies of testdata/src/fp-burn.c, cut by perf record
# --max-size at each size (recorded once into BUILDDIR/bench-big/; delete
# a file to record it again), each read PD_BENCH_RUNS times (default 3)
# with the page cache warm, beside `cat FILE > /dev/null`.
# usage: sh bench/big.sh [BUILDDIR]   env: PD_BIG_SIZES (default
# "100M 500M 1G 2G 4G"; the disk needs their sum)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
pd=$build/src/pd-collapse
out=$build/bench-big
runs=${PD_BENCH_RUNS:-3}
mkdir -p "$out"
cd "$out"
command -v perf >/dev/null || { echo "big: perf not found" >&2; exit 1; }
[ -x burn ] || cc -O2 -g -o burn "$root/testdata/src/fp-burn.c"
export XDG_CACHE_HOME="$out/cache"
printf '%-6s %14s %8s %24s %s\n' size bytes cat 'pd-collapse (median)' \
	'peak RSS of each run (KB)'
for size in ${PD_BIG_SIZES:-100M 500M 1G 2G 4G}; do
	f=dwarf-$size.data
	if [ ! -s "$f" ]; then
		# The workload outlives the recording: perf stops at the size.
		perf record -q --call-graph dwarf -e cpu-clock -F 10000 \
			--max-size="$size" -o "$f" -- \
			sh -c './burn 100000000 & ./burn 100000000; wait' \
			>/dev/null 2>&1 || true
		pkill -x burn || true
	fi
	cat "$f" >/dev/null
	c=$( { /usr/bin/time -f %e cat "$f" >/dev/null; } 2>&1)
	times= rss=
	i=0
	while [ $i -lt "$runs" ]; do
		r=$( { /usr/bin/time -f '%e %M' "$pd" -q "$f" >/dev/null; } 2>&1 |
			tail -1)
		times="$times ${r% *}"
		rss="$rss ${r#* }"
		i=$((i + 1))
	done
	med=$(printf '%s\n' $times | sort -n | awk '{ v[NR] = $1 }
		END { print v[int((NR + 1) / 2)] }')
	printf '%-6s %14s %7ss %23ss %s\n' "$size" "$(wc -c <"$f")" "$c" \
		"$med" "$rss"
done
