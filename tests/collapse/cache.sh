#!/bin/sh
# The cache of resolved addresses never changes the output: a cold cache, a
# warm one, corrupt entries, runs in parallel and --no-cache all give the
# same bytes (stdout and stderr, with --verbose's per-module lines), and an
# entry whose files changed (the binary stripped of its DWARF, a debug
# file appearing) or that was written under another HOME (another ~/.debug)
# is not used. A new recording of a binary whose entry holds its symbol
# table is named from the entry, without opening the binary.
# Usage: cache.sh PD_COLLAPSE TESTDATA
set -u
pd=$1 data=$2
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/home" || exit 99
HOME=$tmp/home
XDG_CACHE_HOME=$tmp/cache
export HOME XDG_CACHE_HOME
fail=0

# run NAME ARGS...: pd-collapse -v ARGS, output (both streams and the exit
# status) into $tmp/NAME
run() {
	out=$tmp/$1
	shift
	"$pd" -v "$@" >"$out" 2>&1
	echo "exit $?" >>"$out"
}

# same A B WHAT: complains unless runs A and B printed the same
same() {
	cmp -s "$tmp/$1" "$tmp/$2" || {
		echo "$3: output differs from --no-cache:"
		diff "$tmp/$2" "$tmp/$1" | head -20
		fail=1
	}
}

entries() {
	find "$XDG_CACHE_HOME/pd" -name '*.loc' 2>/dev/null | wc -l
}

# check NAME ARGS...: every cache state against --no-cache.
check() {
	c=$1
	shift
	rm -rf "$XDG_CACHE_HOME"
	run "$c.none" --no-cache "$@"
	[ "$(entries)" = 0 ] || { echo "$c: --no-cache wrote the cache"; fail=1; }
	run "$c.cold" "$@"
	same "$c.cold" "$c.none" "$c, cold cache"
	[ "$(entries)" -gt 0 ] || { echo "$c: no cache entry written"; fail=1; }
	run "$c.warm" "$@"
	same "$c.warm" "$c.none" "$c, warm cache"
	# Damaged entries: cut short, a byte flipped in the middle, emptied,
	# garbage; each run must ignore them (and rewrite them).
	for how in cut flip empty garbage; do
		for f in "$XDG_CACHE_HOME"/pd/*.loc; do
			size=$(wc -c <"$f")
			case $how in
			cut) head -c $((size - 5)) "$f" >"$f.new" ;;
			flip)
				cp "$f" "$f.new"
				printf '\377' | dd of="$f.new" bs=1 seek=$((size / 2)) \
					conv=notrunc 2>/dev/null ;;
			empty) : >"$f.new" ;;
			garbage) head -c 4096 /dev/urandom >"$f.new" ;;
			esac
			mv "$f.new" "$f"
		done
		run "$c.$how" "$@"
		same "$c.$how" "$c.none" "$c, entries $how"
		run "$c.$how.again" "$@"
		same "$c.$how.again" "$c.none" "$c, after entries $how"
	done
	# Cold runs in parallel, then warm ones: entries written and read
	# at the same time.
	rm -rf "$XDG_CACHE_HOME"
	for i in 1 2 3 4 5 6; do
		run "$c.par$i" "$@" &
	done
	wait
	for i in 1 2 3 4 5 6; do
		run "$c.warmpar$i" "$@" &
	done
	wait
	for i in 1 2 3 4 5 6; do
		same "$c.par$i" "$c.none" "$c, parallel cold run $i"
		same "$c.warmpar$i" "$c.none" "$c, parallel warm run $i"
	done
	leftover=$(find "$XDG_CACHE_HOME/pd" -name '*.loc.*' | wc -l)
	[ "$leftover" = 0 ] || { echo "$c: temporary files left"; fail=1; }
}

check fp --symfs "$data/bin" "$data/perf/fp.data"
check dwarf --symfs "$data/dwarf/bin" "$data/dwarf/perf/static.data"
check dwarf-noinline --no-inline --symfs "$data/dwarf/bin" \
	"$data/dwarf/perf/static.data"

# Files change under a warm cache. A private copy of the DWARF fixture's
# binary: with its symbols, then stripped of them (same build id: frames
# are unresolved), then with them back in a separate debug file found by
# build id.
sym=$tmp/symfs
bin=pdfix/dw-static
mkdir -p "$sym/pdfix" && cp "$data/dwarf/bin/$bin" "$sym/$bin" || exit 99
rm -rf "$XDG_CACHE_HOME"
run full.cold --symfs "$sym" "$data/dwarf/perf/static.data"
run full.warm --symfs "$sym" "$data/dwarf/perf/static.data"
run full.none --no-cache --symfs "$sym" "$data/dwarf/perf/static.data"
same full.cold full.none "dwarf copy, cold"
same full.warm full.none "dwarf copy, warm"
objcopy --only-keep-debug "$sym/$bin" "$tmp/dw-static.debug" &&
	objcopy --strip-all "$sym/$bin" "$sym/$bin.new" &&
	mv "$sym/$bin.new" "$sym/$bin" || exit 99
run stripped.warm --symfs "$sym" "$data/dwarf/perf/static.data"
run stripped.none --no-cache --symfs "$sym" "$data/dwarf/perf/static.data"
same stripped.warm stripped.none "binary stripped under a warm cache"
cmp -s "$tmp/stripped.none" "$tmp/full.none" &&
	{ echo "stripping the binary changed nothing: test is void"; fail=1; }
id=$(readelf -n "$sym/$bin" | sed -n 's/.*Build ID: //p')
# The debug file in perf's build-id cache of another HOME only: what runs
# under that HOME wrote is not used under this one, which lacks the file.
other=$tmp/other/.debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-)
mkdir -p "$other" && cp "$tmp/dw-static.debug" "$other/debug" || exit 99
HOME=$tmp/other
run other.cold --symfs "$sym" "$data/dwarf/perf/static.data"
run other.none --no-cache --symfs "$sym" "$data/dwarf/perf/static.data"
HOME=$tmp/home
same other.cold other.none "debug file in another HOME's ~/.debug, cold"
cmp -s "$tmp/other.none" "$tmp/stripped.none" &&
	{ echo "the other HOME's debug file changed nothing: test is void"; fail=1; }
run home.warm --symfs "$sym" "$data/dwarf/perf/static.data"
same home.warm stripped.none "back in this HOME after another's entries"
dbg=$sym/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)
mkdir -p "$dbg" && cp "$tmp/dw-static.debug" "$dbg/$(echo "$id" | cut -c3-).debug" ||
	exit 99
run debug.warm --symfs "$sym" "$data/dwarf/perf/static.data"
run debug.none --no-cache --symfs "$sym" "$data/dwarf/perf/static.data"
same debug.warm debug.none "debug file added under a warm cache"
cmp -s "$tmp/debug.none" "$tmp/stripped.none" &&
	{ echo "adding the debug file changed nothing: test is void"; fail=1; }

# A warm run does not open the binaries it has entries for (with strace,
# where installed): the frame-pointer fixture needs nothing else of them.
if command -v strace >/dev/null; then
	mkdir -p "$tmp/fpsym/pdfix" &&
		cp "$data/bin/pdfix/fp-static" "$tmp/fpsym/pdfix/" || exit 99
	rm -rf "$XDG_CACHE_HOME"
	run fpcopy.cold --symfs "$tmp/fpsym" "$data/perf/fp.data"
	# (LeakSanitizer cannot run under ptrace.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=open,openat -o "$tmp/trace" "$pd" -v \
		--symfs "$tmp/fpsym" "$data/perf/fp.data" >"$tmp/fpcopy.warm" 2>&1
	echo "exit $?" >>"$tmp/fpcopy.warm"
	same fpcopy.warm fpcopy.cold "frame-pointer copy, warm"
	if grep -q "fpsym/pdfix/fp-static\"" "$tmp/trace"; then
		echo "a warm run opened the binary:"
		grep "fpsym/pdfix/fp-static" "$tmp/trace"
		fail=1
	fi
fi

# Another recording of the same binary (two-events.data: fp-static, the
# same build id, addresses fp.data lacks) after fp.data's: the CI case.
# An entry whose names come from the symbol table alone (--no-inline;
# inline frames from a copy with no DWARF) holds the table, and names the
# new addresses as --no-cache does, without opening the binary (with
# strace, where installed). With the DWARF there the binary is opened:
# the new addresses are new.
mkdir -p "$tmp/fpsym2/pdfix" "$tmp/fpstrip/pdfix" &&
	cp "$data/bin/pdfix/fp-static" "$tmp/fpsym2/pdfix/" &&
	objcopy --strip-debug "$data/bin/pdfix/fp-static" \
		"$tmp/fpstrip/pdfix/fp-static" || exit 99
# newrec NAME SYMFS OPENS ARGS...: the second recording, warm from the
# first, prints what --no-cache does, opening the binary OPENS (yes, no).
newrec() {
	nr=$1 nrsym=$2 opens=$3
	shift 3
	rm -rf "$XDG_CACHE_HOME"
	run "$nr.first" --symfs "$nrsym" "$@" "$data/perf/fp.data"
	cp -r "$XDG_CACHE_HOME" "$tmp/$nr.cache" || exit 99
	run "$nr.warm" --symfs "$nrsym" "$@" "$data/perf/two-events.data"
	run "$nr.none" --no-cache --symfs "$nrsym" "$@" \
		"$data/perf/two-events.data"
	same "$nr.warm" "$nr.none" "$nr, a new recording"
	command -v strace >/dev/null || return 0
	rm -rf "$XDG_CACHE_HOME" && cp -r "$tmp/$nr.cache" "$XDG_CACHE_HOME" ||
		exit 99
	# (LeakSanitizer cannot run under ptrace.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=open,openat -o "$tmp/trace" "$pd" -v \
		--symfs "$nrsym" "$@" "$data/perf/two-events.data" >/dev/null 2>&1
	did=no
	grep -q "$nrsym/pdfix/fp-static\"" "$tmp/trace" && did=yes
	[ $did = "$opens" ] || {
		echo "$nr: a new recording opened the binary: $did, not $opens"
		fail=1
	}
}
newrec newrec-noinline "$tmp/fpsym2" no --no-inline
newrec newrec-nodwarf "$tmp/fpstrip" no
newrec newrec-dwarf "$tmp/fpsym2" yes
cmp -s "$tmp/newrec-nodwarf.none" "$tmp/newrec-noinline.none" || {
	echo "the copy without DWARF names frames differently: test is void"
	fail=1
}

[ $fail = 0 ] && echo "ok: cold, warm, corrupt, parallel, changed-file and" \
	"new-recording runs print the same as --no-cache"
exit $fail
