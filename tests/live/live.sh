#!/bin/sh
# SPDX-License-Identifier: MIT
# Live test: records a test program with perf now, folds the recording with
# pd-collapse and with `perf script | ref-collapse.py`, and requires at least
# 99% of the samples on identical stacks (tests/compare-folded.py).
# usage: live.sh CASE   (env: PD_COLLAPSE, PD_SRCDIR, PD_WORKDIR)
# Exit 0 pass, 1 fail, 77 skip (perf, cc or permissions missing), 99 setup.
set -u
case=$1
pd=${PD_COLLAPSE:?PD_COLLAPSE must name the pd-collapse binary}
src=${PD_SRCDIR:?PD_SRCDIR must name the source tree}
work=${PD_WORKDIR:-${TMPDIR:-/tmp}}/live-$case
fields=comm,pid,tid,period,event,ip,sym,dso
rate=${PD_LIVE_FREQ:-4000}

. "$src/tests/live-common.sh"

# build NAME [extra flags]: compiles testdata/src/NAME.c into bin/NAME.
build() {
	name=$1
	shift
	"$CC" -O2 -g -fno-omit-frame-pointer "$@" -o "bin/$name" \
		"$src/testdata/src/$name.c" || exit 99
}

# record OUT [perf record options] -- command
record() {
	out=$1
	shift
	perf_record "$out" -F "$rate" "$@"
}

# record_dir OUT [perf record options] -- command: perf record --threads,
# which writes the directory OUT; skips where perf cannot.
record_dir() {
	out=$1
	shift
	if ! perf record -q --threads -o "$out" -F "$rate" "$@" >record.out \
			2>record.err; then
		cat record.err
		grep -qiE 'unknown (switch|option)|threads|not supported|compress' \
			record.err &&
			skip "perf record cannot record --threads here"
		grep -qiE 'permission|paranoid|access|not permitted|no such device' \
			record.err &&
			skip "perf record cannot sample here (permissions, perf_event_paranoid or no perf events)"
		fail "perf record --threads failed"
	fi
	[ -d "$out" ] || fail "perf record --threads wrote no directory $out"
	ls -l "$out"
}

# fold FILE [pd-collapse options]: pd-collapse FILE > pd.folded, without
# inline frames: perf 6.1 shows none in callchains (tests/dwarf covers them).
fold() {
	file=$1
	shift
	"$pd" --no-inline "$@" "$file" >pd.folded 2>pd.err
	st=$?
	cat pd.err
	[ $st = 0 ] || fail "pd-collapse $* $file exited $st"
}

# reference FILE [ref-collapse options]: perf script | ref-collapse.py.
reference() {
	file=$1
	shift
	perf script -i "$file" -F "$fields" ${scriptopts:-} 2>script.err |
		python3 "$src/tests/ref-collapse.py" "$@" >ref.folded ||
		{ cat script.err; exit 99; }
}

compare() {
	echo "== $*"
	python3 "$src/tests/compare-folded.py" --label-a pd-collapse \
		--min-stacks "${minstacks:-0.99}" --min-leaf "${minleaf:-0}" \
		${compareopts:-} --label-b reference pd.folded ref.folded ||
		fail "$*"
}

# debug_hidden: whether /usr/lib/debug is an empty tmpfs mounted over the
# debug packages, as run-all.sh's second pass does in a mount namespace
# of its own (other processes still see them).
debug_hidden() {
	[ "$(stat -f -c %T /usr/lib/debug 2>/dev/null)" = tmpfs ]
}

# compare_own WHAT ROOTS PROG: for system-wide recordings. Every process's
# agreement is shown; the stacks whose first frame matches ROOTS (an ERE)
# are held to the bar (minstacks, minleaf). Other processes differ where
# debug info is hidden (libc aliases) or perf reads their files through
# /proc/PID/root. perf 6.1 recording -a in a chroot names none of PROG's
# functions (and libc's by other files than pd reads): then pd's names of
# PROG's functions, per nm, are compared as [PROG], leaves only.
compare_own() {
	co_what=$1 co_roots=$2 co_prog=$3
	echo "== $co_what (every process)"
	python3 "$src/tests/compare-folded.py" --min-stacks 0 --label-a pd-collapse \
		--label-b reference pd.folded ref.folded || fail "$co_what (every process)"
	grep -E "^($co_roots);" pd.folded >pd-own.folded
	grep -E "^($co_roots);" ref.folded >ref-own.folded
	own_stacks=${minstacks:-0.99} own_leaf=${minleaf:-0}
	if debug_hidden; then
		# perf -a reads each library's symbols in the mount namespace
		# of a process that mapped it (setns), where the debug files
		# this namespace hides may be in sight: it names what pd, like
		# a user without debug packages, cannot.
		echo "debug files hidden in this mount namespace only:" \
			"$co_what held to the same leaf"
		own_stacks=0 own_leaf=0.99
	fi
	if ! grep -q "^$co_prog;.*;main;" ref-own.folded; then
		echo "perf named none of $co_prog's functions (a chroot?): comparing" \
			"them as [$co_prog], leaves only"
		own_stacks=0 own_leaf=0.99
		nm "bin/$co_prog" | awk '$2 ~ /^[tT]$/ { print $3 }' >own-names
		python3 - own-names "$co_prog" pd-own.folded <<'PY' || exit 99
import sys
names = set(open(sys.argv[1]).read().split())
me, path = sys.argv[2], sys.argv[3]
out = []
for line in open(path):
    stack, _, n = line.rstrip('\n').rpartition(' ')
    fs = stack.split(';')
    fs = fs[:1] + ['[%s]' % me if f in names else f for f in fs[1:]]
    out.append('%s %s\n' % (';'.join(fs), n))
open(path, 'w').writelines(out)
PY
	fi
	echo "== $co_what ($co_roots)"
	python3 "$src/tests/compare-folded.py" --min-stacks "$own_stacks" \
		--min-leaf "$own_leaf" --label-a pd-collapse --label-b reference \
		pd-own.folded ref-own.folded || fail "$co_what"
}

# inline_both: records bin/inline-both (testdata/src/inline-both.c), where
# work runs inlined into inlined_caller and out of line: with inline
# marks, the same name must render "work_[i]" there and "work" elsewhere.
inline_both() {
	record i.data -g -e cpu-clock -- bin/inline-both 60000
	"$pd" -q --inline-marks i.data >marks.folded ||
		fail "pd-collapse --inline-marks failed"
	cat marks.folded
	grep -q ';inlined_caller;work_\[i\] [0-9]*$' marks.folded ||
		fail "work inlined into inlined_caller is not marked _[i]"
	grep -q ';work [0-9]*$' marks.folded ||
		fail "work out of line is not shown unmarked"
	! grep -q ';inlined_caller;work [0-9]*$' marks.folded ||
		fail "work inlined into inlined_caller is shown unmarked"
}

# check FILE [options]: pd-collapse and the reference with the same options.
check() {
	file=$1
	shift
	fold "$file" "$@"
	reference "$file" "$@"
	compare "$file $*"
}

# offcpu_ref FILE [ref-offcpu options]: perf script | ref-offcpu.py, the
# off-CPU reference computed from perf's own decoding of FILE.
offcpu_ref() {
	file=$1
	shift
	perf script -i "$file" --no-inline --ns --show-switch-events \
		--show-task-events --show-mmap-events \
		-F comm,pid,tid,time,period,event,trace,ip,sym,dso 2>script.err |
		python3 "$src/tests/ref-offcpu.py" "$@" >ref.folded ||
		{ cat script.err; exit 99; }
}

# offcpu_check FILE TIMES [options]: pd-collapse with the options (--off-cpu
# unless --on-off-cpu is among them) against ref-offcpu.py, then the
# profile's totals against the wall times bin/offcpu measured (TIMES).
offcpu_check() {
	file=$1 times=$2
	shift 2
	mode=--off-cpu totals=
	case " $* " in *" --on-off-cpu "*) mode= totals=--wall ;; esac
	fold "$file" $mode "$@"
	offcpu_ref "$file" $mode "$@"
	if [ -n "${own:-}" ]; then
		compare_own "$file $mode $*" "$own|oc-writer" "$own"
	else
		compare "$file $mode $*"
	fi
	echo "== $file $mode $*: totals against measured wall times"
	python3 "$src/tests/live/offcpu-totals.py" $totals ${roots:-} \
		pd.folded "$times" || fail "$file $mode $*: totals"
}

case $case in
fp)
	build fp-burn
	record fp.data -g -e cpu-clock -- bin/fp-burn
	check fp.data
	check fp.data --pid
	;;
rebuilt)
	# A program rebuilt after it was recorded (-N: perf keeps no copy of
	# the recorded one): the file at its path has another build id, so
	# its addresses stay unresolved, and --verbose says why, the same
	# from the file, from the cache and with --no-cache.
	build fp-burn
	record rb.data -N -g -e cpu-clock -- bin/fp-burn
	build fp-burn -O1 -DPD_REBUILT
	want="bin/fp-burn: [0-9]* of [0-9]* addresses unresolved (the file there has another build id than the recorded one)"
	for opts in "" "" --no-cache; do
		"$pd" -v $opts rb.data 2>pd.err >pd.folded ||
			{ cat pd.err; fail "pd-collapse -v $opts exited $?"; }
		grep -q "$want" pd.err || { cat pd.err; fail "no build id message ($opts)"; }
	done
	grep -qE ';(leaf_add|leaf_mul|alpha|beta)( |;)' pd.folded &&
		fail "the rebuilt program's functions were named"
	cat pd.err
	;;
many-stacks)
	# Over 16,384 distinct stacks: the writer makes and sorts the lines
	# on threads, and with two or more the stacks are added on a thread
	# of their own (stack-adder.c); neither must change a byte.
	build many-stacks -pthread -fno-optimize-sibling-calls
	perf_record m.data -F 12000 -g -e cpu-clock -- bin/many-stacks 2
	check m.data
	lines=$(wc -l <pd.folded)
	[ "$lines" -ge 16384 ] ||
		skip "$lines stacks recorded: too few for the writer's threads"
	for t in 1 5; do
		PD_THREADS=$t "$pd" --no-inline m.data >pd-$t.folded \
			2>/dev/null || fail "pd-collapse with PD_THREADS=$t failed"
		cmp pd.folded pd-$t.folded ||
			fail "PD_THREADS=$t changes pd-collapse's output"
	done
	;;
inline-both)
	# work runs inlined into inlined_caller and out of line: with inline
	# marks, the same name renders "work_[i]" there and "work" here.
	build inline-both
	inline_both
	;;
inline-clang)
	# The same built by clang, which writes no .debug_aranges (nor does
	# Go): libdw 0.188 finds no unit for an address then, and the inline
	# frames come from the units' own ranges.
	command -v clang >/dev/null 2>&1 || skip "clang not found"
	clang -O2 -g -fno-omit-frame-pointer -o bin/inline-both \
		"$src/testdata/src/inline-both.c" || exit 99
	if readelf -SW bin/inline-both | grep -q '\.debug_aranges'; then
		fail "clang wrote .debug_aranges: this case tests a build without"
	fi
	inline_both
	;;
threads)
	build threads -pthread
	record t.data -g -e cpu-clock -- bin/threads
	check t.data
	check t.data --tid
	grep -q '^sort_er-[0-9]*/[0-9]*;' pd.folded ||
		fail "thread 'sort er' is not folded as sort_er-PID/TID"
	;;
pipeline)
	build fp-burn
	build pipe-gen
	build pipe-sum
	record p.data -g -e cpu-clock -- sh -c \
		'bin/pipe-gen 1500 | bin/pipe-sum | bin/pipe-sum; bin/fp-burn 60'
	check p.data --pid
	check p.data
	;;
no-callchain)
	build fp-burn
	record n.data -e cpu-clock -- bin/fp-burn
	check n.data
	;;
threads-dir)
	# perf record --threads writes a directory: data (header, attrs,
	# synthesized records) and data.N, one raw record stream per
	# recording thread, merged by time when read.
	build threads -pthread
	record_dir d.data -g -e cpu-clock -- bin/threads
	check d.data
	check d.data --tid
	# The same workload in one file: the same stacks (two recordings, so
	# sampling noise: a looser 0.9).
	fold d.data
	mv pd.folded dir.folded
	record f.data -g -e cpu-clock -- bin/threads
	fold f.data
	echo "== d.data (directory) against f.data (one file)"
	python3 "$src/tests/compare-folded.py" --min-stacks 0.9 --shares \
		--label-a directory --label-b file dir.folded pd.folded ||
		fail "directory and file recordings of one workload differ"
	;;
threads-dir-zstd)
	# -z: each data.N file is its own zstd stream.
	build threads -pthread
	record_dir z.data -z -g -e cpu-clock -- bin/threads
	check z.data
	;;
zstd)
	build fp-burn
	record z.data -z -g -e cpu-clock -- bin/fp-burn
	check z.data
	;;
pipe-mode)
	build fp-burn
	record - -g -e cpu-clock -- bin/fp-burn
	mv record.out f.pipe.data
	"$pd" --no-inline <f.pipe.data >pd.folded 2>pd.err
	st=$?
	cat pd.err
	[ $st = 0 ] || fail "pd-collapse < f.pipe.data exited $st"
	reference f.pipe.data
	compare "pd-collapse < f.pipe.data"
	;;
cat-file)
	build fp-burn
	record fp.data -g -e cpu-clock -- bin/fp-burn
	cat fp.data | "$pd" --no-inline - >pd.folded 2>pd.err
	st=$?
	cat pd.err
	[ $st = 0 ] || fail "cat fp.data | pd-collapse - exited $st"
	reference fp.data
	compare "cat fp.data | pd-collapse -"
	;;
two-events)
	build fp-burn
	record two.data -g -e cpu-clock -e task-clock -- bin/fp-burn
	# Default: the first event (in attr order) that has samples.
	fold two.data
	reference two.data --event cpu-clock
	compare "two.data (default event: cpu-clock)"
	fold two.data --event task-clock
	reference two.data --event task-clock
	compare "two.data --event task-clock"
	;;
sample-read)
	# Leader sampling: the leader's samples carry both counters' values
	# (PERF_SAMPLE_READ), and each value that moved is a sample of its
	# own event, weighing what it counted, as perf script has them.
	build fp-burn
	record sr.data -g -e '{cpu-clock,task-clock}:S' -- bin/fp-burn
	fold sr.data
	reference sr.data --event cpu-clock
	compare "sr.data (default event: cpu-clock, the leader)"
	fold sr.data --event task-clock --weight=period
	reference sr.data --event task-clock --weight period
	compare "sr.data --event task-clock --weight=period"
	;;
tracepoint)
	# A tracepoint beside a clock event: sample layouts differ, so perf
	# uses IDENTIFIER; the tracepoint's samples carry RAW data too.
	build pipe-gen
	build pipe-sum
	record tp.data -g -e cpu-clock -e sched:sched_switch -- sh -c \
		'bin/pipe-gen 300 | bin/pipe-sum'
	# A busy machine preempts the shell now and then in ld.so's PLT,
	# whose stubs perf 6.1 may leave unnamed (@plt).
	compareopts=--plt
	fold tp.data --event sched:sched_switch
	reference tp.data --event sched:sched_switch
	compare "tp.data --event sched:sched_switch"
	[ -s pd.folded ] || fail "no sched_switch samples folded"
	;;
list-events)
	build fp-burn
	record two.data -g -e cpu-clock -e task-clock -- bin/fp-burn
	"$pd" --list-events two.data >pd.events 2>pd.err ||
		{ cat pd.err; fail "pd-collapse --list-events exited $?"; }
	perf script -i two.data -F event 2>/dev/null |
		sed 's/^ *//; s/: *$//' | sort | uniq -c >perf.events
	echo "== pd-collapse --list-events"
	cat pd.events
	echo "== perf script -F event | sort | uniq -c"
	cat perf.events
	# Every event perf shows must appear on one line of ours with its count.
	while read -r count name; do
		awk -v n="$name" -v c="$count" '
			{ hit_n = 0; hit_c = 0
			  for (i = 1; i <= NF; i++) { if ($i == n) hit_n = 1; if ($i == c) hit_c = 1 } }
			hit_n && hit_c { found = 1 }
			END { exit !found }' pd.events || fail "no line with '$name' and $count"
	done <perf.events
	;;
kernel)
	build fp-burn
	record k.data -g -e cpu-clock -- sh -c \
		'dd if=/dev/zero of=/dev/null bs=512 count=300000 2>/dev/null; bin/fp-burn 60'
	check k.data --all
	check k.data --kernel --addrs
	# --kallsyms FILE: the same kernel symbols renamed ("K" + name) must
	# rename exactly the kernel frames and nothing else.
	[ -r /proc/kallsyms ] || skip "/proc/kallsyms not readable"
	sed -E 's/^([0-9a-f]+ [a-zA-Z] )/\1K/' /proc/kallsyms >renamed.kallsyms
	fold k.data --kernel
	mv pd.folded plain.folded
	fold k.data --kernel --kallsyms renamed.kallsyms
	python3 - plain.folded pd.folded <<'PY' || fail "--kallsyms did not rename kernel frames only"
import sys
def frames(line):
    stack, count = line.rsplit(' ', 1)
    return stack.split(';'), count
want = []
for line in open(sys.argv[1]):
    fs, count = frames(line.rstrip('\n'))
    fs = ['K' + f if f.endswith('_[k]') else f for f in fs]
    want.append(';'.join(fs) + ' ' + count)
got = [l.rstrip('\n') for l in open(sys.argv[2])]
kernel = sum(1 for l in want if '_[k]' in l)
print('kernel stacks:', kernel)
sys.exit(0 if sorted(want) == sorted(got) and kernel > 0 else 1)
PY
	;;
debuginfod)
	# Debug info served only by a debuginfod on loopback (libdwfl's client,
	# used when DEBUGINFOD_URLS is set); HOME elsewhere so that perf's
	# ~/.debug cache cannot supply it. A fresh client cache per try: the
	# client remembers misses from before the server indexed srv/.
	command -v debuginfod >/dev/null 2>&1 || skip "debuginfod not installed"
	command -v objcopy >/dev/null 2>&1 || skip "objcopy not found"
	build fp-burn
	mkdir -p srv home && objcopy --only-keep-debug bin/fp-burn srv/fp-burn.debug &&
		objcopy --strip-all bin/fp-burn bin/stripped || exit 99
	HOME=$work/home record d.data -g -e cpu-clock:u -- bin/stripped 100
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	debuginfod -p "$port" -F srv -d "$work/db.sqlite" >debuginfod.log 2>&1 &
	server=$!
	trap 'kill $server 2>/dev/null' EXIT
	ok=
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		sleep 0.5
		HOME=$work/home DEBUGINFOD_URLS=http://127.0.0.1:$port \
			DEBUGINFOD_CACHE_PATH=$work/cache$i "$pd" -q d.data >pd.folded 2>pd.err
		grep -q ';leaf_add ' pd.folded && { ok=1; break; }
	done
	[ -n "$ok" ] || { cat debuginfod.log pd.err; fail "symbols not fetched from debuginfod"; }
	HOME=$work/home "$pd" -q d.data >plain.folded
	grep -q ';leaf_add ' plain.folded && fail "symbols found without debuginfod"
	echo "symbols fetched from debuginfod on port $port"
	;;
system-wide)
	# perf record -a: a dummy:HG event besides cpu-clock, every process,
	# maps synthesized for processes already running (one copy of the
	# program starts before perf), the idle task as perf names it. Other
	# processes on the machine (CI neighbours, containers whose files
	# perf reaches through /proc/PID/root and pd cannot) are not this
	# test's: their agreement is shown; the stacks of the program, under
	# a name of its own, and of the idle task are held to the usual 0.99.
	# perf record -a puts the files of the processes it samples in its
	# build-id cache, read in each one's mount namespace (setns): with
	# the debug packages hidden here (run-all.sh's second pass), another
	# namespace's debug files would land in this one's ~/.debug, where
	# the tests after this one (pd and perf alike) would find them. A
	# build-id cache of this test's own.
	HOME=$work/home && export HOME && mkdir -p "$HOME" || exit 99
	build fp-burn
	me=swb-$$
	cp bin/fp-burn "bin/$me" || exit 99
	"bin/$me" 120 >/dev/null &
	bg=$!
	sleep 0.2
	record a.data -a -g -e cpu-clock -- sh -c "bin/$me 100; sleep 0.3"
	kill "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null
	fold a.data
	reference a.data
	compare_own "a.data (system-wide)" "$me|swapper" "$me"
	grep -q "^$me;.*;leaf_add " pd.folded || fail "no $me stacks named by pd"
	if grep -q '^swapper;' ref.folded; then
		grep -q '^swapper;' pd.folded || fail "no idle (swapper) stacks"
	else
		echo "no idle samples (the machine was busy): idle naming not checked"
	fi
	grep -q '^:0;' pd.folded && fail "idle task folded as :0"
	;;
node)
	# JIT code in a real runtime: V8 names its code in /tmp/perf-PID.map
	# (--perf-basic-prof); that code and V8's builtins have no CFI but
	# keep frame pointers, which perf's unwinder follows and pd's must.
	# pd must reach JavaScript frames (_[j]) in as many samples as perf
	# and agree with it where both reach them (a deeper pd stack that ends
	# in perf's frames agrees).
	command -v node >/dev/null 2>&1 || skip "node not found (Debian's nodejs)"
	# perf script --no-inline: with inline frames on it names functions
	# by their DWARF names and takes minutes on node's 80 MB of DWARF.
	scriptopts=--no-inline
	rate=1000
	record n.data --call-graph dwarf -- node --perf-basic-prof \
		--interpreted-frames-native-stack "$src/testdata/src/jit-burn.js" 800
	record g.data -g -- node --perf-basic-prof \
		"$src/testdata/src/jit-burn.js" 800
	for f in n g; do
		fold $f.data --jit
		mv pd.folded pd-$f.folded
		reference $f.data --jit
		mv ref.folded ref-$f.folded
	done
	# Only the maps of the processes recorded here: another run of the
	# suite may be reading its own.
	for f in n g; do
		perf script -i $f.data -F pid 2>/dev/null
	done | sort -u | while read -r pid; do
		rm -f "/tmp/perf-$pid.map"
	done
	for f in n g; do
		awk '/_\[j\]/ { j += $NF } END { print j + 0 }' pd-$f.folded >jit-pd
		awk '/_\[j\]/ { j += $NF } END { print j + 0 }' ref-$f.folded >jit-ref
		echo "$f.data: samples reaching JIT frames: pd $(cat jit-pd), perf $(cat jit-ref)"
		[ "$(cat jit-pd)" -gt 0 ] || fail "$f.data: no JIT frames"
		[ "$(cat jit-pd)" -ge "$(cat jit-ref)" ] ||
			fail "$f.data: fewer samples reach JIT frames than in perf"
	done
	echo "== n.data (--call-graph dwarf)"
	python3 "$src/tests/compare-folded.py" --min-stacks 0.97 --deeper-ok --plt \
		--label-a pd-collapse --label-b reference pd-n.folded ref-n.folded ||
		fail "n.data"
	echo "== g.data (-g)"
	python3 "$src/tests/compare-folded.py" --min-stacks 0.99 --label-a pd-collapse \
		--label-b reference pd-g.folded ref-g.folded || fail "g.data"
	;;
jit)
	# JIT code described by /tmp/perf-PID.map, annotated with --jit.
	build jit
	record j.data -g -e cpu-clock -- bin/jit 300
	map=$(cat record.out)
	check j.data --jit
	rm -f "$map"
	grep -q 'jit_hot_loop_\[j\]' pd.folded || fail "JIT symbol not resolved"
	;;
cxx)
	CXX=${CXX:-c++}
	command -v "$CXX" >/dev/null 2>&1 || skip "no C++ compiler ($CXX) on PATH"
	"$CXX" -O2 -g -fno-omit-frame-pointer -o bin/cxx-burn \
		"$src/testdata/src/cxx-burn.cc" || exit 99
	record c.data -g -e cpu-clock -- bin/cxx-burn
	check c.data
	grep -q 'operator()' pd.folded || fail "lambda operator() not in pd-collapse output"
	;;
offcpu)
	# Off CPU per process: sched:sched_switch stacks (frame pointers),
	# switch-ins from PERF_RECORD_SWITCH (--switch-events).
	build offcpu -pthread
	perf_record oc.data -e sched:sched_switch --switch-events -g -- \
		bin/offcpu 1 times.txt
	offcpu_check oc.data times.txt
	offcpu_check oc.data times.txt --task-state --tid
	# Through a pipe, as it is recorded.
	perf record -q -o - -e sched:sched_switch --switch-events -g -- \
		bin/offcpu 1 pipe-times.txt 2>record.err |
		"$pd" --no-inline --off-cpu >pd.folded 2>pd.err ||
		{ cat record.err pd.err; fail "perf record -o - | pd-collapse --off-cpu"; }
	cat pd.err
	echo "== perf record -o - | pd-collapse --off-cpu: totals"
	python3 "$src/tests/live/offcpu-totals.py" pd.folded pipe-times.txt ||
		fail "pipe: totals"
	;;
offcpu-sites)
	# Each site function sleeps from four return addresses: four stacks
	# of addresses, one line. Its microseconds are rounded once, from
	# the line's nanoseconds, as perf script's are: exactly equal.
	build sleep-sites
	perf_record os.data -e sched:sched_switch --switch-events -g -- \
		bin/sleep-sites 5
	fold os.data --off-cpu
	offcpu_ref os.data --off-cpu
	compare "os.data --off-cpu"
	echo "== os.data --off-cpu: the site lines' microseconds, exactly"
	python3 - pd.folded ref.folded <<'PY' || fail "site lines differ"
import sys
def load(path):
    d = {}
    for line in open(path, encoding='latin-1'):
        k, _, v = line.rstrip('\n').rpartition(' ')
        if ';site' in k:
            d[k] = d.get(k, 0) + int(v)
    return d
pd, ref = load(sys.argv[1]), load(sys.argv[2])
print('site lines: pd-collapse %d, reference %d' % (len(pd), len(ref)))
bad = [k for k in set(pd) | set(ref) if pd.get(k) != ref.get(k)]
for k in bad:
    print('  %s: pd-collapse %s, reference %s' % (k, pd.get(k), ref.get(k)))
sys.exit(1 if bad or len(ref) < 8 else 0)
PY
	;;
offcpu-dwarf)
	# The same with user stacks unwound from stack dumps.
	build offcpu -pthread
	perf_record od.data -e sched:sched_switch --switch-events \
		--call-graph dwarf -- bin/offcpu 1 times.txt
	offcpu_check od.data times.txt
	grep -q ';pipe_wait;' pd.folded || fail "pipe_wait not unwound"
	;;
offcpu-system)
	# perf record -a: every CPU's switches. Without --switch-events a
	# thread runs again at the sched_switch naming it as next_pid; with
	# them, at PERF_RECORD_SWITCH_CPU_WIDE records. The program runs under
	# a name of its own; only its threads are held to the wall times.
	# perf record -a puts the files of the processes it samples in its
	# build-id cache, read in each one's mount namespace (setns): with
	# the debug packages hidden here (run-all.sh's second pass), another
	# namespace's debug files would land in this one's ~/.debug, where
	# the tests after this one (pd and perf alike) would find them. A
	# build-id cache of this test's own.
	HOME=$work/home && export HOME && mkdir -p "$HOME" || exit 99
	build offcpu -pthread
	me=ocw-$$
	cp bin/offcpu "bin/$me" || exit 99
	roots="--root $me --root oc-writer" own=$me
	perf_record oa.data -a -e sched:sched_switch -g -- "bin/$me" 1 times.txt
	if ! (offcpu_check oa.data times.txt); then
		# Once, on a machine busy linking, neither pd nor the reference
		# found the writer's sleep in the recording: show what the
		# writer's stacks were, then record once more.
		echo "== the writer's stacks in pd.folded"
		grep -e '^oc-writer' -e 'writer' pd.folded | head -20
		echo "== recorded again"
		perf_record oa.data -a -e sched:sched_switch -g -- "bin/$me" 1 \
			times.txt
		offcpu_check oa.data times.txt
	fi
	# perf 6.1 unwinds some of these dumps to shorter stacks than in a
	# recording of the process alone (nap, _start missing), where it
	# agrees with pd (offcpu-dwarf): held to the same leaf here.
	perf_record ow.data -a -e sched:sched_switch --switch-events \
		--call-graph dwarf,8192 -- "bin/$me" 0.5 times-dwarf.txt
	minstacks=0 minleaf=0.99 offcpu_check ow.data times-dwarf.txt
	;;
tracepoint-fields)
	# Field values and weights decoded through libtraceevent against perf
	# script -F trace (perf's own decoding) of the same file: sched,
	# syscalls and kmem tracepoints. Not compared: prev_state and
	# gfp_flags, which perf prints through the format's flag tables
	# (--task-state is checked against perf in the offcpu cases).
	build offcpu -pthread
	perf_record tf.data -e sched:sched_switch -e syscalls:sys_enter_write \
		-e kmem:kmalloc -- sh -c 'bin/offcpu 0.2 /dev/null; ls -l / >/dev/null;\
		dd if=/dev/zero of=/dev/null bs=512 count=300 2>/dev/null'
	perf script -i tf.data -F comm,pid,tid,event,trace >trace.txt 2>script.err ||
		{ cat script.err; exit 99; }
	while read -r ev fields; do
		args=
		for f in $fields; do
			args="$args --field $f"
		done
		fold tf.data --tid -e "$ev" $args
		python3 "$src/tests/live/fields-check.py" --event "$ev" $args \
			pd.folded trace.txt || fail "$ev $args"
	done <<-'EOF'
	sched:sched_switch prev_comm prev_pid prev_prio next_comm next_pid next_prio
	syscalls:sys_enter_write fd buf count
	kmem:kmalloc call_site ptr bytes_req bytes_alloc node
	EOF
	for w in kmem:kmalloc=bytes_alloc syscalls:sys_enter_write=count; do
		fold tf.data --tid -e "${w%=*}" --weight="${w#*=}"
		python3 "$src/tests/live/fields-check.py" --event "${w%=*}" \
			--weight "${w#*=}" pd.folded trace.txt || fail "--weight $w"
	done
	"$pd" --list-events --verbose tf.data >events.txt || fail "--list-events"
	grep -q '^	bytes_alloc	size_t$' events.txt || fail "no field list"
	;;
wall)
	# Wall clock: cpu-clock samples on CPU, sched_switch stacks off it.
	build offcpu -pthread
	perf_record ww.data -e cpu-clock -e sched:sched_switch --switch-events \
		-g -- bin/offcpu 1 times.txt
	offcpu_check ww.data times.txt --on-off-cpu
	offcpu_check ww.data times.txt --on-off-cpu --pid
	grep -q ';spin_phase;spin \|;spin_phase;spin;' pd.folded ||
		fail "no on-CPU spin"
	"$pd" -q --on-off-cpu --task-state ww.data >states.folded ||
		fail "--task-state"
	grep -q ';\[S\] [0-9]*$' states.folded || fail "no [S] stacks"
	;;
*)
	echo "live.sh: unknown case $case"
	exit 99
	;;
esac
echo "PASS: $case"
