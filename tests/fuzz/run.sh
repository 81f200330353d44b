#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds tests/fuzz/fuzz-collapse.c with clang's libFuzzer, ASan and UBSan
# and fuzzes pd-collapse's reading and folding for PD_FUZZ_SECONDS (30),
# starting from the committed perf.data fixtures. Any crash, leak,
# sanitizer report or hang (10 s per input) fails; the input that caused it
# is kept in the work directory.
# usage: run.sh SRCDIR BUILDDIR WORKDIR
# Exit 0 pass, 1 fail, 77 skip (no clang with libFuzzer), 99 setup.
set -u
src=$1 build=$2 work=$3
secs=${PD_FUZZ_SECONDS:-30}
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not found"; exit 77; }
mkdir -p "$work/corpus" || exit 99
cd "$work" || exit 99
lib=$src/src/lib
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-I"$lib" -I"$build" "$src/tests/fuzz/fuzz-collapse.c" "$lib"/*.c \
		-ldw -lelf -ldeflate -ltraceevent -lzstd -liberty -lpthread -o fuzz-collapse 2>build.log; then
	cat build.log
	grep -q 'fuzzer' build.log && { echo "SKIP: clang cannot link libFuzzer"; exit 77; }
	exit 99
fi
# The fixtures that are files (the target feeds its input as one file; a
# perf.data directory is not one).
for f in "$src"/testdata/perf/*.data "$src"/testdata/dwarf/perf/*.data; do
	[ ! -f "$f" ] || cp "$f" corpus/ || exit 99
done
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	./fuzz-collapse -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=300000 -print_final_stats=1 corpus >fuzz.log 2>&1
st=$?
grep -v '^pd-collapse\|^fuzz-collapse\|/proc/self/fd' fuzz.log | tail -15
[ $st = 0 ] || { echo "FAIL: fuzzing found a problem (exit $st), see $work"; exit 1; }
echo "PASS: $(grep -o 'stat::number_of_executed_units: *[0-9]*' fuzz.log) without a fault"
