#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds tests/fuzz/fuzz-tracing.c with clang's libFuzzer, ASan and UBSan
# and fuzzes the tracing data reader and payload decoding for
# PD_FUZZ_SECONDS (30), from the fixtures' tracing data followed by a
# sched_switch payload. Any crash, leak, sanitizer report or hang (10 s per
# input) fails; the input that caused it is kept in the work directory.
# usage: run-tracing.sh SRCDIR BUILDDIR WORKDIR
# Exit 0 pass, 1 fail, 77 skip (no clang with libFuzzer), 99 setup.
set -u
src=$1 build=$2 work=$3
secs=${PD_FUZZ_SECONDS:-30}
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not found"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
mkdir -p "$work/corpus-tracing" || exit 99
cd "$work" || exit 99
lib=$src/src/lib
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-I"$lib" -I"$build" "$src/tests/fuzz/fuzz-tracing.c" "$lib"/*.c \
		-ldw -lelf -ldeflate -ltraceevent -lzstd -liberty -lpthread \
		-o fuzz-tracing 2>build-tracing.log; then
	cat build-tracing.log
	grep -q 'fuzzer' build-tracing.log && { echo "SKIP: clang cannot link libFuzzer"; exit 77; }
	exit 99
fi
# Seeds: each fixture's tracing data, then a 64-byte sched_switch payload
# (common_type = the sched_switch id the fixture's attrs give).
python3 - "$src" corpus-tracing <<'PY' || exit 99
import importlib.util, os, struct, sys
src, out = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location(
    'pt', os.path.join(src, 'tests/corrupt/patch-tracing.py'))
pt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pt)
for name in ('offcpu.data', 'offcpu-pipe.data', 'tracepoint.data'):
    buf = open(os.path.join(src, 'testdata/perf', name), 'rb').read()
    base, size, _, _ = pt.blob_place(buf)
    blob = buf[base:base + size][:65535]
    raw = bytearray(64)
    i = blob.find(b'name: sched_switch\nID: ')
    sid = int(blob[i + 23:blob.index(b'\n', i + 23)]) if i >= 0 else 0
    struct.pack_into('<H', raw, 0, sid)
    raw[8:15] = b'sleeper'
    raw[32] = 1
    with open(os.path.join(out, name + '.seed'), 'wb') as f:
        f.write(struct.pack('<H', len(blob)) + blob + bytes(raw))
PY
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	./fuzz-tracing -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=70000 -print_final_stats=1 corpus-tracing >fuzz-tracing.log 2>&1
st=$?
tail -15 fuzz-tracing.log
[ $st = 0 ] || { echo "FAIL: fuzzing found a problem (exit $st), see $work"; exit 1; }
echo "PASS: $(grep -o 'stat::number_of_executed_units: *[0-9]*' fuzz-tracing.log) without a fault"
