#!/bin/sh
# The unwinder's rules kept in the cache (cfi-*.cfi), on the DWARF fixture
# dwarf/perf/static.data. Cold, warm, damaged entries, parallel runs and
# --no-cache all print dwarf/static.out (checked against perf script and
# the program's call tree: testdata/dwarf/README.md). A warm run takes
# its rules from the entry: with the binary's .eh_frame zeroed in place,
# its size and times kept, the stacks stay whole, where --no-cache cuts
# them; once the binary's time changes, its rules are made again.
# Usage: cfi-cache.sh PD_COLLAPSE TESTDATA
set -u
pd=$1 data=$2
. "$(dirname "$0")/../cache-lib.sh" || exit 99
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
cp -r "$data/dwarf/bin" "$tmp/bin" || exit 99
bin=$tmp/bin/pdfix/dw-static
cp -p "$bin" "$tmp/pristine" || exit 99
want=$data/dwarf/static.out
fail=0

# run NAME ARGS...: pd-collapse ARGS on the fixture, stdout into $tmp/NAME
run() {
	n=$1
	shift
	"$pd" --symfs "$tmp/bin" "$@" "$data/dwarf/perf/static.data" \
		>"$tmp/$n" 2>"$tmp/$n.err" || {
		echo "$n: pd-collapse failed:"; cat "$tmp/$n.err"; fail=1; }
}

# expect NAME WHAT: complains unless run NAME printed static.out
expect() {
	cmp -s "$tmp/$1" "$want" || {
		echo "$2: not the stacks of static.out:"
		diff "$want" "$tmp/$1" | head -10
		fail=1
	}
}

run none --no-cache
expect none "--no-cache"
[ "$(entries 'cfi-*.cfi')" = 0 ] || { echo "--no-cache wrote an entry"; fail=1; }
run cold
expect cold "cold cache"
[ "$(entries 'cfi-*.cfi')" = 1 ] || { echo "cold run: want 1 entry, have $(entries 'cfi-*.cfi')"; fail=1; }
entry=$(find "$XDG_CACHE_HOME" -name 'cfi-*.cfi')
cp "$entry" "$tmp/good" || exit 99
touch -d '2001-01-01' "$entry" || exit 99
run warm
expect warm "warm cache"
[ "$(find "$entry" -newer "$tmp/good")" = "" ] ||
	{ echo "a warm run with nothing new wrote the entry again"; fail=1; }

# .eh_frame zeroed in place, the size and times kept: the entry is used.
touch -r "$bin" "$tmp/stamp" || exit 99
python3 - "$bin" <<'PY' || exit 99
import struct, sys
f = open(sys.argv[1], 'r+b')
elf = f.read()
shoff, = struct.unpack_from('<Q', elf, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', elf, 0x3a)
def sh(i):
    return struct.unpack_from('<IIQQQQ', elf, shoff + i * shentsize)
strtab = sh(shstrndx)[4]
for i in range(shnum):
    name, _, _, _, off, size = sh(i)
    if elf[strtab + name:elf.index(b'\0', strtab + name)] == b'.eh_frame':
        f.seek(off)
        f.write(bytes(size))
        sys.exit(0)
sys.exit(1)
PY
touch -r "$tmp/stamp" "$bin" || exit 99
run same-stat
expect same-stat "binary changed, same size and times (the entry's rules)"
run same-stat-none --no-cache
cmp -s "$tmp/same-stat-none" "$want" &&
	{ echo "zeroing .eh_frame changed nothing: test is void"; fail=1; }
# Its time changed: rules made again from the file as it is now.
touch -d '2001-01-01 00:00:00' "$bin" || exit 99
run changed
cmp -s "$tmp/changed" "$tmp/same-stat-none" ||
	{ echo "binary changed: its rules not made again"; diff "$tmp/same-stat-none" "$tmp/changed" | head; fail=1; }
# Back as it was (the same inode, size and times): the same entry.
cp -p "$tmp/pristine" "$bin" || exit 99
rm -rf "$XDG_CACHE_HOME"
run back
expect back "binary restored"
entry=$(find "$XDG_CACHE_HOME" -name 'cfi-*.cfi')
cmp -s "$entry" "$tmp/good" || { echo "entry not as the cold run's"; fail=1; }

# Damaged entries (112: the count of rules), then runs in parallel.
damaged "$entry" "$tmp/good" 112
parallel 'cfi-*.cfi'

[ $fail = 0 ] && echo "ok: cold, warm, changed, damaged and parallel runs unwind as static.out"
exit $fail
