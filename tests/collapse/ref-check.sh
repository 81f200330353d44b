#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks that the expected outputs of the fixture goldens equal what
# `perf script | tests/ref-collapse.py` makes of the same files, so the
# goldens stay tied to perf's own reading of the fixtures.
# usage: ref-check.sh SRCDIR [--write]   (--write regenerates the .out files)
# Exit 0 all agree, 1 a difference, 77 perf or python3 missing.
set -u
src=$1
write=${2:-}
command -v perf >/dev/null 2>&1 || { echo "SKIP: perf not found on PATH"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
cd "$src/testdata" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fields=comm,pid,tid,period,event,ip,sym,dso
fail=0
# case | perf.data | perf script options | ref-collapse.py options
while IFS='|' read -r name file popts ropts; do
	# shellcheck disable=SC2086
	perf script -i "$file" $popts -F "$fields" 2>"$tmp/err" |
		python3 ../tests/ref-collapse.py $ropts >"$tmp/out" ||
		{ cat "$tmp/err"; exit 99; }
	if [ "$write" = --write ]; then
		cp "$tmp/out" "collapse/$name.out"
	elif ! cmp -s "$tmp/out" "collapse/$name.out"; then
		echo "collapse/$name.out differs from perf script | ref-collapse.py:"
		diff -u "collapse/$name.out" "$tmp/out" | head -20
		fail=1
	else
		echo "ok $name ($(wc -l <"$tmp/out") stacks)"
	fi
done <<'TABLE'
fp|perf/fp.data|--symfs bin|
fp-pid|perf/fp.data|--symfs bin|--pid
fp-tid|perf/fp.data|--symfs bin|--tid
fp-period|perf/fp.data|--symfs bin|--weight period
fp-all|perf/fp.data|--symfs bin|--all
fp-nosymfs|perf/fp.data||
fp-addrs|perf/fp.data||--addrs
zstd|perf/fp-zstd.data|--symfs bin|
pipe-mode|perf/fp-pipe.data|--symfs bin|
stdin-file|perf/fp.data|--symfs bin|
stdin-dash|perf/fp.data|--symfs bin|
two-events|perf/two-events.data|--symfs bin|--event cpu-clock:u
two-events-task|perf/two-events.data|--symfs bin|--event task-clock:u
threads|perf/threads.data|--symfs bin|
threads-tid|perf/threads.data|--symfs bin|--tid
threads-dir|perf/threads-dir.data|--symfs bin|
threads-dir-tid|perf/threads-dir.data|--symfs bin|--tid
threads-dir-zstd|perf/threads-dir-zstd.data|--symfs bin|
sample-read|perf/sample-read.data|--symfs bin|--event cpu-clock:u
sample-read-task-period|perf/sample-read.data|--symfs bin|--event task-clock:u --weight period
TABLE
# Off-CPU and wall-clock goldens: perf script | ref-offcpu.py, kernel
# frames named from the fixture's kallsyms for both.
kopts='--symfs bin --kallsyms perf/offcpu.kallsyms'
while IFS='|' read -r name file ropts; do
	# shellcheck disable=SC2086
	perf script -i "$file" $kopts --ns --show-switch-events \
		--show-task-events --show-mmap-events \
		-F comm,pid,tid,time,period,event,trace,ip,sym,dso 2>"$tmp/err" |
		python3 ../tests/ref-offcpu.py $ropts >"$tmp/out" ||
		{ cat "$tmp/err"; exit 99; }
	if [ "$write" = --write ]; then
		cp "$tmp/out" "collapse/$name.out"
	elif ! cmp -s "$tmp/out" "collapse/$name.out"; then
		echo "collapse/$name.out differs from perf script | ref-offcpu.py:"
		diff -u "collapse/$name.out" "$tmp/out" | head -20
		fail=1
	else
		echo "ok $name ($(wc -l <"$tmp/out") stacks)"
	fi
done <<'TABLE'
offcpu|perf/offcpu.data|
offcpu-state-tid|perf/offcpu.data|--task-state --tid
offcpu-pipe|perf/offcpu-pipe.data|
wall|perf/offcpu.data|--on-off-cpu
wall-state-pid|perf/offcpu.data|--on-off-cpu --task-state --pid
TABLE
# Tracepoint fields and weights: the values perf script -F trace prints.
# shellcheck disable=SC2086
perf script -i perf/offcpu.data $kopts -F comm,pid,tid,event,trace \
	>"$tmp/trace" 2>"$tmp/err" || { cat "$tmp/err"; exit 99; }
python3 ../tests/live/fields-check.py --event syscalls:sys_enter_write \
	--field fd --field count collapse/field-write.out "$tmp/trace" || fail=1
python3 ../tests/live/fields-check.py --event kmem:kmalloc \
	--weight bytes_alloc --field call_site collapse/weight-kmalloc.out \
	"$tmp/trace" || fail=1
exit $fail
