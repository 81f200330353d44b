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
TABLE
exit $fail
