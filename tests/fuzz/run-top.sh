#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds tests/fuzz/fuzz-top.c with clang's libFuzzer, ASan and UBSan and
# fuzzes pd-top's reading, counting and writing for PD_FUZZ_SECONDS (30),
# starting from the committed folded inputs. Any crash, leak, sanitizer
# report or hang (10 s per input) fails; the input that caused it is kept
# in the work directory.
# usage: run-top.sh SRCDIR BUILDDIR WORKDIR
# Exit 0 pass, 1 fail, 77 skip (no clang with libFuzzer), 99 setup.
set -u
src=$1 build=$2 work=$3
secs=${PD_FUZZ_SECONDS:-30}
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not found"; exit 77; }
mkdir -p "$work/corpus-top" || exit 99
cd "$work" || exit 99
lib=$src/src/lib
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-I"$lib" -I"$build" "$src/tests/fuzz/fuzz-top.c" \
		"$lib"/*.c \
		-ldw -lelf -ldeflate -ltraceevent -lzstd -liberty -lpthread -o fuzz-top 2>build-top.log; then
	cat build-top.log
	grep -q 'fuzzer' build-top.log && { echo "SKIP: clang cannot link libFuzzer"; exit 77; }
	exit 99
fi
# Each seed twice: as a one-count table and (first byte 0x18) a butterfly.
for f in "$src"/testdata/folded/*.folded; do
	b=$(basename "$f" .folded)
	{ printf 'A'; cat "$f"; } >"corpus-top/$b" || exit 99
	{ printf '\030'; cat "$f"; } >"corpus-top/$b-fly" || exit 99
done
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	./fuzz-top -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=20000 -print_final_stats=1 corpus-top >fuzz-top.log 2>&1
st=$?
grep -v '^fuzz-top: \|/proc/self/fd' fuzz-top.log | tail -15
[ $st = 0 ] || { echo "FAIL: fuzzing found a problem (exit $st), see $work"; exit 1; }
echo "PASS: $(grep -o 'stat::number_of_executed_units: *[0-9]*' fuzz-top.log) without a fault"
