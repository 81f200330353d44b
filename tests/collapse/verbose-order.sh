#!/bin/sh
# --verbose lists the modules with unresolved addresses in name order, the
# same on every run. With no binaries to read (--symfs names an empty
# directory) all three modules of the zstd-burst fixture are unresolved.
# Usage: verbose-order.sh PD_COLLAPSE TESTDATA
set -u
pd=$1 data=$2/perf/zstd-burst.data
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
empty=$tmp/symfs
mkdir "$empty" || exit 99
first=
for run in 1 2 3 4 5; do
	"$pd" -v --symfs "$empty" "$data" 2>"$tmp/err" >/dev/null || {
		echo "pd-collapse failed"; cat "$tmp/err"; exit 1; }
	grep ' addresses unresolved (file not found)$' "$tmp/err" \
		| sed 's/^[^:]*: [^:]*: //; s/: [0-9]* of .*//' >"$tmp/mods"
	n=$(wc -l <"$tmp/mods")
	[ "$n" -ge 3 ] || { echo "want 3 modules, got:"; cat "$tmp/err"; exit 1; }
	LC_ALL=C sort -c "$tmp/mods" || {
		echo "run $run: modules not in name order:"; cat "$tmp/mods"; exit 1; }
	if [ -z "$first" ]; then
		first=$(cat "$tmp/err")
	elif [ "$(cat "$tmp/err")" != "$first" ]; then
		echo "run $run: summary differs from run 1"; exit 1
	fi
done
echo "ok: $n modules, in name order, 5 identical runs"
