#!/bin/sh
# The loader thread names locations while samples are read; every job it
# was given must be done before pd-collapse frees their owner, on every
# path out: --list-events, an unknown --event, a normal fold.
# PD_DEBUG_LOADER_DELAY_US (debug builds) makes the thread sleep before
# each job, so it is still working when the reading thread finishes; a
# job that outlives its owner is then a use-after-free that ASan or TSan
# reports. With no binaries to read (--symfs and HOME name empty
# directories) modules load at once and the jobs start during the read.
# Usage: loader-teardown.sh PD_COLLAPSE TESTDATA
set -u
pd=$1 data=$2
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/symfs" "$tmp/home" || exit 99
fail=0

# run NAME WANT_STATUS pd-collapse-arguments...: output to $tmp/NAME.{out,err}
run() {
	name=$1 want=$2
	shift 2
	HOME=$tmp/home PD_DEBUG_LOADER_DELAY_US=${delay:-20000} \
		"$pd" --symfs "$tmp/symfs" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	st=$?
	if [ "$st" != "$want" ]; then
		echo "$name: exit $st, expected $want"
		cat "$tmp/$name.err"
		fail=1
	fi
}

run list 0 --list-events "$data/perf/zstd-burst.data"
cmp -s "$tmp/list.out" "$data/collapse/zstd-burst.out" ||
	{ echo "list: wrong output"; cat "$tmp/list.out"; fail=1; }
[ -s "$tmp/list.err" ] && { echo "list: stderr:"; cat "$tmp/list.err"; fail=1; }

run noevent 64 --event nosuch "$data/perf/fp.data"
[ "$(cat "$tmp/noevent.err")" = "pd-collapse: $data/perf/fp.data: no event named 'nosuch'" ] ||
	{ echo "noevent: unexpected stderr"; cat "$tmp/noevent.err"; fail=1; }

# The delay changes when names are made, never which.
run fold 0 -q "$data/perf/fp.data"
delay=0 run fold0 0 -q "$data/perf/fp.data"
cmp -s "$tmp/fold.out" "$tmp/fold0.out" ||
	{ echo "fold: output differs with the delay"; fail=1; }
[ -s "$tmp/fold.out" ] || { echo "fold: no output"; fail=1; }
[ $fail = 0 ] && echo "ok: no job outlived its owner"
exit $fail
