#!/bin/sh
# Recordings of another kernel with no copy of its kallsyms in ~/.debug:
# pd-collapse leaves their kernel frames unresolved without reading
# /proc/kallsyms, which would name nothing of that kernel and costs the
# running one 20-40 ms to format (a small profile took 46 ms, not 4).
# perf/offcpu.data tells its kernel by build id; perf/zstd-burst.data
# has no build ids, only the kernel's release; perf/offcpu-pipe.data is in
# pipe format, its release in a feature record before the samples.
# Usage: kallsyms-other-kernel.sh PD_COLLAPSE TESTDATA
set -u
pd=$1 testdata=$2
built_id=a3e4cd60a8ec14f02aa41b41d5b5846d3d9f1dd8 # perf/offcpu.data's kernel
releases="6.18.44-fc-v669 6.18.44-fc-v1045" # zstd-burst's, offcpu-pipe's
command -v strace >/dev/null || { echo "skip: strace not installed"; exit 77; }
if od -An -tx1 -v /sys/kernel/notes 2>/dev/null | tr -d ' \n' |
		grep -q "$built_id" || echo " $releases " | grep -q " $(uname -r) "; then
	echo "skip: this is a kernel the fixtures were recorded on"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
strace -f -qq -e trace=openat -o "$tmp/probe" true 2>/dev/null ||
	{ echo "skip: strace cannot trace here"; exit 77; }
cd "$testdata" || exit 99

# check FIXTURE OPTION...: runs pd-collapse on perf/FIXTURE.data, tracing
# what it opens.
check() {
	f=$1
	shift
	# (LeakSanitizer cannot run under ptrace.)
	HOME=$tmp XDG_CACHE_HOME=$tmp/cache \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=openat \
		-o "$tmp/trace" "$pd" --symfs bin "$@" "perf/$f.data" \
		>"$tmp/out" 2>"$tmp/err" ||
		{ echo "$f: pd-collapse failed:"; cat "$tmp/err"; exit 1; }
	if grep -q '/proc/kallsyms' "$tmp/trace"; then
		echo "$f: /proc/kallsyms read for another kernel's recording:"
		grep kallsyms "$tmp/trace"
		exit 1
	fi
	n=$(grep -c '\[\[kernel\.kallsyms\]\]' "$tmp/out")
	[ "$n" -gt 0 ] || {
		echo "$f: want unresolved kernel frames, got:"; cat "$tmp/out"; exit 1; }
	echo "ok: $f: $n lines with unresolved kernel frames," \
		"/proc/kallsyms not read"
}

check offcpu --off-cpu
grep -q "\.debug/\[kernel\.kallsyms\]/$built_id/kallsyms" "$tmp/trace" || {
	echo "offcpu: the recorded kernel's kallsyms copy was not looked for:"
	cat "$tmp/trace"; exit 1; }
check zstd-burst
check offcpu-pipe --off-cpu
