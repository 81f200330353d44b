#!/bin/sh
# A recording of another kernel with no copy of its kallsyms in ~/.debug:
# pd-collapse leaves its kernel frames unresolved without reading
# /proc/kallsyms, which would name nothing of that kernel and costs the
# running one 20-40 ms to format (a small profile took 46 ms, not 3).
# Usage: kallsyms-other-kernel.sh PD_COLLAPSE TESTDATA
set -u
pd=$1 testdata=$2
recorded=a3e4cd60a8ec14f02aa41b41d5b5846d3d9f1dd8 # perf/offcpu.data's kernel
command -v strace >/dev/null || { echo "skip: strace not installed"; exit 77; }
if od -An -tx1 -v /sys/kernel/notes 2>/dev/null | tr -d ' \n' |
		grep -q "$recorded"; then
	echo "skip: this is the kernel the fixture was recorded on"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
strace -f -qq -e trace=openat -o "$tmp/probe" true 2>/dev/null ||
	{ echo "skip: strace cannot trace here"; exit 77; }
cd "$testdata" || exit 99
HOME=$tmp XDG_CACHE_HOME=$tmp/cache strace -f -qq -e trace=openat \
	-o "$tmp/trace" "$pd" --symfs bin --off-cpu perf/offcpu.data \
	>"$tmp/out" 2>"$tmp/err" || { echo "pd-collapse failed:"; cat "$tmp/err"; exit 1; }
grep -q "\.debug/\[kernel\.kallsyms\]/$recorded/kallsyms" "$tmp/trace" || {
	echo "the recorded kernel's kallsyms copy was not looked for:"
	cat "$tmp/trace"; exit 1; }
if grep -q '/proc/kallsyms' "$tmp/trace"; then
	echo "/proc/kallsyms read for another kernel's recording:"
	grep kallsyms "$tmp/trace"; exit 1
fi
n=$(grep -c '\[\[kernel\.kallsyms\]\]' "$tmp/out")
[ "$n" -gt 0 ] || { echo "want unresolved kernel frames, got:"; cat "$tmp/out"; exit 1; }
echo "ok: $n lines with unresolved kernel frames, /proc/kallsyms not read"
