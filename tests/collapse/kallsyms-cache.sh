#!/bin/sh
# Kallsyms files indexed in the cache (kallsyms-*.ksym): perf's copy of the
# recorded kernel's kallsyms in ~/.debug, or --kallsyms FILE. Cold, warm,
# damaged entries, parallel runs and --no-cache all print
# testdata/collapse/offcpu.out (perf script | ref-offcpu.py). A warm run
# takes the names from the entry: a copy changed with its size and times
# kept still gives the old names, which shows the entry is what was read;
# a copy whose time changed is read again. /proc/kallsyms is not indexed.
# Usage: kallsyms-cache.sh PD_COLLAPSE TESTDATA
set -u
pd=$1 data=$2
. "$(dirname "$0")/../cache-lib.sh" || exit 99
id=a3e4cd60a8ec14f02aa41b41d5b5846d3d9f1dd8 # perf/offcpu.data's kernel
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
HOME=$tmp/home
XDG_CACHE_HOME=$tmp/cache
export HOME XDG_CACHE_HOME
copy="$HOME/.debug/[kernel.kallsyms]/$id/kallsyms"
mkdir -p "$HOME/.debug/[kernel.kallsyms]/$id" &&
	cp "$data/perf/offcpu.kallsyms" "$copy" || exit 99
want=$data/collapse/offcpu.out
cd "$data" || exit 99
fail=0

# run NAME ARGS...: pd-collapse --off-cpu ARGS on perf/offcpu.data, stdout
# into $tmp/NAME
run() {
	n=$1
	shift
	"$pd" --symfs bin --off-cpu "$@" perf/offcpu.data >"$tmp/$n" \
		2>"$tmp/$n.err" || {
		echo "$n: pd-collapse failed:"; cat "$tmp/$n.err"; fail=1; }
}

# expect NAME WHAT: complains unless run NAME printed offcpu.out
expect() {
	cmp -s "$tmp/$1" "$want" || {
		echo "$2: not the names of offcpu.out:"
		diff "$want" "$tmp/$1" | head -10
		fail=1
	}
}

run none --no-cache
expect none "--no-cache"
[ "$(entries 'kallsyms-*.ksym')" = 0 ] || { echo "--no-cache wrote an entry"; fail=1; }
run cold
expect cold "cold cache"
[ "$(entries 'kallsyms-*.ksym')" = 1 ] || { echo "cold run: want 1 entry, have $(entries 'kallsyms-*.ksym')"; fail=1; }
run warm
expect warm "warm cache"

# The copy changed in place, its size and times kept: the entry is used.
line=$(grep -b ' __schedule$' "$copy" | cut -d: -f1)
[ -n "$line" ] || { echo "no __schedule in the copy"; exit 99; }
touch -r "$copy" "$tmp/stamp" &&
	printf '__sXhedule' | dd of="$copy" bs=1 seek=$((line + 19)) \
		conv=notrunc 2>/dev/null &&
	touch -r "$tmp/stamp" "$copy" || exit 99
run same-stat
expect same-stat "copy changed, same size and times (the entry's names)"
run same-stat-none --no-cache
grep -q __sXhedule "$tmp/same-stat-none" ||
	{ echo "the changed copy names nothing new: test is void"; fail=1; }
# Its time changed: read again, and the entry replaced.
touch -d '2001-01-01 00:00:00' "$copy" || exit 99
run changed
cmp -s "$tmp/changed" "$tmp/same-stat-none" ||
	{ echo "copy changed: its new names not used"; diff "$tmp/same-stat-none" "$tmp/changed" | head; fail=1; }
run changed-warm
cmp -s "$tmp/changed-warm" "$tmp/same-stat-none" ||
	{ echo "copy changed, warm: its new names not used"; fail=1; }
cp "$data/perf/offcpu.kallsyms" "$copy" || exit 99
run back
expect back "copy restored"
entry=$(find "$XDG_CACHE_HOME" -name 'kallsyms-*.ksym')
cp "$entry" "$tmp/good" || exit 99

# Damaged entries (24: the count of symbols).
damaged "$entry" "$tmp/good" 24

# Temporary files a killed run left: removed when the entry is next
# written if ten minutes old, kept if fresh (a run may be writing it).
: >"$entry.AAAAAA" && touch -d '2001-01-01' "$entry.AAAAAA" &&
	: >"$entry.BBBBBB" && : >"$entry" || exit 99
run stale
expect stale "with temporary files left"
[ -e "$entry.AAAAAA" ] && { echo "an old temporary file left"; fail=1; }
[ -e "$entry.BBBBBB" ] || { echo "a fresh temporary file removed"; fail=1; }
rm -f "$entry.AAAAAA" "$entry.BBBBBB"

parallel 'kallsyms-*.ksym'

# --kallsyms FILE, without perf's copy.
rm -rf "$XDG_CACHE_HOME" "$HOME/.debug"
run file-cold --kallsyms perf/offcpu.kallsyms
expect file-cold "--kallsyms, cold"
[ "$(entries 'kallsyms-*.ksym')" = 1 ] || { echo "--kallsyms: want 1 entry, have $(entries 'kallsyms-*.ksym')"; fail=1; }
run file-warm --kallsyms perf/offcpu.kallsyms
expect file-warm "--kallsyms, warm"

# /proc/kallsyms, even named: never indexed (its size is 0, its stat
# says nothing of its contents).
if [ -r /proc/kallsyms ]; then
	rm -rf "$XDG_CACHE_HOME"
	run proc --kallsyms /proc/kallsyms
	[ "$(entries 'kallsyms-*.ksym')" = 0 ] || { echo "--kallsyms /proc/kallsyms: indexed"; fail=1; }
fi

[ $fail = 0 ] && echo "ok: cold, warm, changed, damaged and parallel runs name kernel frames as offcpu.out"
exit $fail
