#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks pd-collapse on profiles shaped like users' programs (issue 16):
# a C++ program with deep template stacks and tens of thousands of distinct
# stacks, a Rust program built with debug = true in release, and two large
# real binaries (g++ -O2 compiling heavy translation units: cc1plus; rustc
# compiling a crate: librustc_driver and libLLVM, ~350 MB of code), each
# recorded with frame pointers (-g) and with --call-graph dwarf, and timed
# with and without glibc's debug info (hidden by mounting empty tmpfs over
# /usr/lib/debug and ~/.debug in a mount namespace of its own), against perf
# script (default and --no-inline), hotspot's perfparser and perf script |
# stackcollapse-perf.pl: median wall time and peak RSS, interleaved runs.
# usage: sh bench/real.sh [BUILDDIR]  (default build)
# env: PD_BENCH_RUNS (runs per command, default 5; perf script and the
#        other peers run PD_BENCH_PEER_RUNS times, default 3),
#      PD_BENCH_TIMEOUT (seconds per run, default 300; a command whose
#        first run takes over 30 s runs only once),
#      PD_BENCH_WORKLOADS (default "cxx rust gxx rustc"),
#      PD_BENCH_MODES (default "fp dwarf"), PD_BENCH_DEBUG (default
#        "with without": glibc's debug info present / hidden),
#      FLAMEGRAPH_DIR (a FlameGraph checkout: adds stackcollapse-perf.pl),
#      PERFPARSER (default: Debian's hotspot-perfparser),
#      PD_BENCH_JSON (append every figure as a JSON line to this file),
#      PD_BENCH_NEWREC (default 1; 0: no second recording, see measure),
#      PD_BENCH_FLAME (default 0; 1: also pd-collapse | pd-svg against
#        perf script | stackcollapse-perf.pl | flamegraph.pl)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
pd=$build/src/pd-collapse
out=$build/bench-real
runs=${PD_BENCH_RUNS:-5}
peer_runs=${PD_BENCH_PEER_RUNS:-3}
limit=${PD_BENCH_TIMEOUT:-300}
workloads=${PD_BENCH_WORKLOADS:-cxx rust gxx rustc}
modes=${PD_BENCH_MODES-fp dwarf}
debug=${PD_BENCH_DEBUG-with without}
perfparser=${PERFPARSER:-/usr/lib/x86_64-linux-gnu/libexec/hotspot-perfparser}
mkdir -p "$out"
cd "$out"
command -v perf >/dev/null || { echo "bench: perf not found" >&2; exit 1; }

# build WORKLOAD MODE: the program to record (fp: frame pointers kept).
build() {
	case $1-$2 in
	cxx-fp)
		[ -x cxx-fp ] || ${CXX:-c++} -O2 -g -fno-omit-frame-pointer \
			-o cxx-fp "$root/bench/src/cxx-templates.cc" ;;
	cxx-dwarf)
		[ -x cxx-dwarf ] || ${CXX:-c++} -O2 -g -o cxx-dwarf \
			"$root/bench/src/cxx-templates.cc" ;;
	rust-fp|rust-dwarf)
		if [ ! -x "rust-$2" ]; then
			flags=
			[ "$2" = fp ] && flags="-C force-frame-pointers=yes"
			RUSTFLAGS="$flags" CARGO_TARGET_DIR="$out/cargo-$2" \
				cargo build -q --release --manifest-path \
				"$root/bench/src/rust-walk/Cargo.toml"
			cp "cargo-$2/release/rust-walk" "rust-$2"
		fi ;;
	esac
}

# record WORKLOAD MODE [SUFFIX]: NAME-MODE[SUFFIX].data, once (delete it
# to record again).
record() {
	data=$1-$2${3:-}.data
	[ -s "$data" ] && return
	build "$1" "$2"
	if [ "$2" = fp ]; then
		cg="-g"
	else
		cg="--call-graph dwarf"
	fi
	# Two jobs, one per core, ~40-90k samples each profile.
	case $1 in
	cxx)
		n=2000000
		[ "$2" = dwarf ] && n=1200000
		cmd="./cxx-$2 $n 1 & ./cxx-$2 $n 2; wait" ;;
	rust)
		n=2000000
		[ "$2" = dwarf ] && n=1200000
		cmd="./rust-$2 $n 1 & ./rust-$2 $n 2; wait" ;;
	gxx)
		cmd="${CXX:-g++} -O2 -g -c $root/testdata/dwarf/src/cxx-regex.cc \
			-o gxx-1.o & ${CXX:-g++} -O2 -g -c \
			$root/bench/src/cxx-templates.cc -o gxx-2.o; wait" ;;
	rustc)
		rc=$(rustc --print sysroot)/bin/rustc
		src=$root/bench/src/rust-walk/src/main.rs
		cmd="$rc -O -g --edition 2021 $src -o rustc-1.out & \
			$rc -C opt-level=2 -g --edition 2021 $src -o rustc-2.out; wait" ;;
	esac
	freq=10000
	case $1-$2 in
	gxx-dwarf|rustc-dwarf) freq=4000 ;;
	esac
	perf record -q $cg -e cpu-clock -F $freq -o "$data" -- sh -c "$cmd" \
		>/dev/null
}

# shadow: a copy of perf's build-id cache (~/.debug) in hard links, less
# its copies of separate debug info (files named "debug"), in $out/shadow;
# false if it cannot be made (then "without" hides all of ~/.debug).
shadow() {
	rm -rf "$out/shadow"
	[ -d "$HOME/.debug" ] && cp -al "$HOME/.debug" "$out/shadow" 2>/dev/null ||
		{ rm -rf "$out/shadow"; return 1; }
	find "$out/shadow" -name debug ! -type d -exec rm -f {} +
}

# measure DATA DEBUG [DATA2]: one table of figures; DEBUG "without" runs it in a
# mount namespace with an empty tmpfs over /usr/lib/debug (libc6-dbg's
# files) and, over ~/.debug, the shadow above: perf's copies of the
# binaries and of the kernel's symbols stay, as they do for a user without
# debug packages, and only its copies of debug info go (where no shadow
# can be made, an empty tmpfs: the kernel's symbols then come from
# /proc/kallsyms, which costs every tool here 40 ms on this kernel).
# DATA2, a second recording of the same commands, is the CI case: a run
# over it with the cache a run over DATA wrote (made by the command's
# unmeasured first run, in a directory each measured run gets a hard-
# linked copy of: entries are replaced by rename, never written in place).
measure() {
	data=$1 dbg=$2 data2=${3:-}
	set -- \
		"pd-collapse=$pd $data" \
		"pd-collapse --no-inline=$pd --no-inline $data"
	if "$pd" --help | grep -q -- --no-cache; then
		set -- "$@" \
			"pd-collapse --no-cache=$pd --no-cache $data" \
			"pd-collapse, cold cache=rm -rf $out/cold; XDG_CACHE_HOME=$out/cold $pd $data"
		if [ -n "$data2" ]; then
			base=$out/newrec-base-$dbg
			rm -rf "$base"
			set -- "$@" \
				"pd-collapse, new recording=[ -d $base ] || XDG_CACHE_HOME=$base $pd -q $data >/dev/null; rm -rf $out/newrec; cp -al $base $out/newrec; XDG_CACHE_HOME=$out/newrec $pd $data2"
		fi
	fi
	set -- "$@" \
		"perf script=perf script -i $data" \
		"perf script --no-inline=perf script --no-inline -i $data"
	if [ -x "$perfparser" ]; then
		set -- "$@" \
			"perfparser=$perfparser --input $data --output /dev/null"
	fi
	if [ -n "${FLAMEGRAPH_DIR:-}" ]; then
		set -- "$@" \
			"perf script | stackcollapse-perf.pl=perf script -i $data | perl $FLAMEGRAPH_DIR/stackcollapse-perf.pl"
	fi
	# The whole way to a flame graph, as users run it: the output goes
	# through pipes (pd-collapse's alone goes to /dev/null above).
	if [ "${PD_BENCH_FLAME:-0}" != 0 ]; then
		set -- "$@" "pd-collapse | pd-svg=$pd $data | $build/src/pd-svg"
		[ -n "${FLAMEGRAPH_DIR:-}" ] && set -- "$@" \
			"perf script | stackcollapse-perf.pl | flamegraph.pl=perf script -i $data | perl $FLAMEGRAPH_DIR/stackcollapse-perf.pl | perl $FLAMEGRAPH_DIR/flamegraph.pl"
	fi
	set -- "$root/bench/measure.py" "$data, glibc debug info: $dbg" "$data" \
		"$runs" "$peer_runs" "$limit" "$@"
	if [ "$dbg" = with ]; then
		python3 "$@"
	elif shadow; then
		unshare -m sh -c 'mount -t tmpfs none /usr/lib/debug &&
			mount --bind "$0" "$HOME/.debug" && exec python3 "$@"' \
			"$out/shadow" "$@" || echo "bench: unshare failed"
		rm -rf "$out/shadow"
	else
		echo "bench: no shadow of ~/.debug: all of it hidden"
		unshare -m sh -c 'mount -t tmpfs none /usr/lib/debug &&
			mount -t tmpfs none "$HOME/.debug" && exec python3 "$@"' \
			sh "$@" || echo "bench: unshare failed"
	fi
}

uname -srm
echo "cpus: $(nproc)"
perf --version
[ -x "$perfparser" ] || echo "bench: $perfparser not found: perfparser not timed"
[ -n "${FLAMEGRAPH_DIR:-}" ] ||
	echo "bench: FLAMEGRAPH_DIR not set: stackcollapse-perf.pl not timed"
dpkg-query -W libc6-dbg 2>/dev/null || echo "bench: libc6-dbg not installed"
for w in $workloads; do
	for m in $modes; do
		data2=
		if [ "${PD_BENCH_NEWREC:-1}" != 0 ]; then
			record "$w" "$m" -2
			data2=$w-$m-2.data
		fi
		record "$w" "$m"
		data=$w-$m.data
		samples=$(perf script -i "$data" -F event 2>/dev/null | wc -l)
		echo
		echo "$data: $samples samples, $(wc -c <"$data") bytes," \
			"$("$pd" -q "$data" | wc -l) folded lines," \
			"$("$pd" -q "$data" | wc -c) bytes of folded text"
		for d in $debug; do
			measure "$data" "$d" $data2
		done
	done
done
