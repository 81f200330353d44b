#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds tests/fuzz/fuzz-TARGET.c with clang's libFuzzer, ASan and UBSan
# and fuzzes it for PD_FUZZ_SECONDS (30): collapse (the default),
# pd-collapse's reading and folding from the committed perf.data fixtures;
# report, pd-svg's reading of pd-diff reports (and folded runs through the
# statistics) from the committed reports; top, pd-top on the folded
# fixtures; tracing, the tracing data reader and tracepoint payload
# decoding, from the fixtures' tracing data each followed by a sched_switch
# payload; kcache, kallsyms cache entries (from the one pd-collapse writes
# for testdata/perf/offcpu.kallsyms); loc, cache entries of resolved
# addresses and symbol tables (from those pd-collapse writes for fp.data
# and the DWARF fixture); cfi, cache entries of unwind rules
# (from the one pd-collapse writes for the DWARF fixture); diff, pd-diff's
# reading of folded files against the stack table's (from pairs of the
# folded fixtures). Any crash, leak, sanitizer report
# or hang (10 s per input) fails; the input that caused it is kept in the
# work directory.
# usage: run.sh SRCDIR BUILDDIR WORKDIR [TARGET]
# Exit 0 pass, 1 fail, 77 skip (no clang with libFuzzer), 99 setup.
set -u
src=$1 build=$2 work=$3 target=${4:-collapse}
secs=${PD_FUZZ_SECONDS:-30}
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not found"; exit 77; }
work=$work/$target
mkdir -p "$work/corpus" || exit 99
cd "$work" || exit 99
lib=$src/src/lib
# The diff target's library has parts and chunks of a few bytes. Hashes
# have a fixed secret in fuzzing builds (src/lib/hash.c): a kept input
# does again what it did.
small=$([ "$target" = diff ] && echo -DPD_DIFF_SMALL)
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE $small \
		-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
		-I"$lib" -I"$build" "$src/tests/fuzz/fuzz-$target.c" "$lib"/*.c \
		-ldw -lelf -ldeflate -ltraceevent -lzstd -liberty -lpthread -lm -o fuzz-$target 2>build.log; then
	cat build.log
	grep -q 'fuzzer' build.log && { echo "SKIP: clang cannot link libFuzzer"; exit 77; }
	exit 99
fi
case $target in
collapse)
	# The fixtures that are files (the target feeds its input as one
	# file; a perf.data directory is not one).
	for f in "$src"/testdata/perf/*.data "$src"/testdata/dwarf/perf/*.data; do
		[ ! -f "$f" ] || cp "$f" corpus/ || exit 99
	done
	;;
diff)
	# Seeds: pairs of fixtures (and the runs, three and two), sorted as
	# they are and shuffled, a first byte picking the files and -n.
	d=$src/testdata/folded
	seed() { # NAME BYTE FILE...
		name=$1 byte=$2
		shift 2
		{
			printf "\\$byte"
			first=1
			for f; do
				[ $first = 1 ] || printf '\000'
				first=0
				cat "$f"
			done
		} >"corpus/$name" || exit 99
	}
	seed pair 000 "$d/before.folded" "$d/after.folded"
	seed pair-n 200 "$d/before.folded" "$d/after.folded"
	seed merge 000 "$d/merge-a.folded" "$d/merge-b.folded"
	seed hex 000 "$d/hex1.folded" "$d/hex2.folded"
	seed huge 000 "$d/huge-count.folded" "$d/simple.folded"
	seed runs 013 "$d/run-base1.folded" "$d/run-base2.folded" \
		"$d/run-base3.folded" "$d/run-new1.folded" "$d/run-new2.folded"
	for f in before after java; do
		sort -R --random-source="$d/$f.folded" "$d/$f.folded" >"$work/$f.shuf" || exit 99
	done
	seed shuffled 000 "$work/before.shuf" "$work/after.shuf"
	seed shuffled-java 001 "$work/java.shuf" "$d/java.folded" \
		"$work/before.shuf"
	;;
report) cp "$src"/testdata/folded/*.json "$src"/testdata/reports/*.json \
	"$src"/testdata/folded/run-*.folded corpus/ ;;
top)
	# Each seed twice: as a one-count table and (first byte 0x18) a
	# butterfly.
	for f in "$src"/testdata/folded/*.folded; do
		b=$(basename "$f" .folded)
		{ printf 'A'; cat "$f"; } >"corpus/$b" || exit 99
		{ printf '\030'; cat "$f"; } >"corpus/$b-fly" || exit 99
	done
	;;
svg)
	# Each seed as a flame graph, with --minwidth 0 (first byte 0x10:
	# checked against pd_flame_add) and reversed, and as a flame chart.
	for f in "$src"/testdata/folded/*.folded; do
		b=$(basename "$f" .folded)
		{ printf '\000'; cat "$f"; } >"corpus/$b" || exit 99
		{ printf '\020'; cat "$f"; } >"corpus/$b-all" || exit 99
		{ printf '\021'; cat "$f"; } >"corpus/$b-rev" || exit 99
		{ printf '\002'; cat "$f"; } >"corpus/$b-chart" || exit 99
	done
	;;
kcache)
	# Seeds: the entry pd-collapse writes for testdata/perf/offcpu.kallsyms.
	XDG_CACHE_HOME=$work/cache "$build/src/pd-collapse" --off-cpu \
		--symfs "$src/testdata/bin" --kallsyms "$src/testdata/perf/offcpu.kallsyms" \
		"$src/testdata/perf/offcpu.data" >/dev/null 2>&1
	cp "$work"/cache/pd/kallsyms-*.ksym corpus/ ;;
loc)
	# Seeds: the entries pd-collapse writes for fp.data without inline
	# frames (complete: with the symbol table) and for the DWARF fixture
	# with them (not complete).
	XDG_CACHE_HOME=$work/cache "$build/src/pd-collapse" --no-inline \
		--symfs "$src/testdata/bin" "$src/testdata/perf/fp.data" \
		>/dev/null 2>&1
	XDG_CACHE_HOME=$work/cache "$build/src/pd-collapse" \
		--symfs "$src/testdata/dwarf/bin" \
		"$src/testdata/dwarf/perf/static.data" >/dev/null 2>&1
	cp "$work"/cache/pd/*.loc corpus/ ;;
cfi)
	# Seeds: the entry pd-collapse writes for dwarf/perf/static.data.
	XDG_CACHE_HOME=$work/cache "$build/src/pd-collapse" \
		--symfs "$src/testdata/dwarf/bin" \
		"$src/testdata/dwarf/perf/static.data" >/dev/null 2>&1
	cp "$work"/cache/pd/cfi-*.cfi corpus/ ;;
tracing)
	# Seeds: a 16-bit length, a fixture's tracing data, then a 64-byte
	# sched_switch payload (common_type = the id its format gives).
	command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
	python3 - "$src" corpus <<'PY'
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
	;;
esac || exit 99
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	./fuzz-$target -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len="$(case $target in top) echo 20000 ;; tracing) echo 70000 ;;
		*) echo 300000 ;; esac)" \
	-print_final_stats=1 corpus >fuzz.log 2>&1
st=$?
grep -v '^pd-collapse\|^pd-svg\|^fuzz-\|/proc/self/fd' fuzz.log | tail -15
[ $st = 0 ] || { echo "FAIL: fuzzing found a problem (exit $st), see $work"; exit 1; }
echo "PASS: $(grep -o 'stat::number_of_executed_units: *[0-9]*' fuzz.log) without a fault"
