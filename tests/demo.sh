#!/bin/sh
# SPDX-License-Identifier: MIT
# Records a profile of testdata/src/demo.c with perf and turns it into
# folded stacks (pd-collapse) and, when pd-svg is built, a flame graph.
# It records with --call-graph dwarf: libc has no frame pointers, so
# frame-pointer stacks that pass through it (snprintf, qsort, strtod) lose
# the program's frames; stack dumps unwound with the CFI do not.
# usage: sh tests/demo.sh [BUILDDIR]   (default: build; outputs in BUILDDIR/demo)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || {
	echo "demo.sh: no build directory; run: meson setup build && ninja -C build" >&2
	exit 1
}
out=$build/demo
command -v perf >/dev/null 2>&1 || { echo "demo.sh: perf not found (apt-get install linux-perf)" >&2; exit 1; }
mkdir -p "$out"
cd "$out"
${CC:-cc} -O2 -g -fno-omit-frame-pointer -o demo "$root/testdata/src/demo.c"
perf record -q --call-graph dwarf -e cpu-clock -F 999 -o demo.perf.data ./demo >/dev/null
"$build/src/pd-collapse" demo.perf.data >demo.folded
echo "profile:      $out/demo.perf.data"
echo "folded:       $out/demo.folded ($(wc -l <demo.folded) stacks)"
if [ -x "$build/src/pd-svg" ]; then
	"$build/src/pd-svg" demo.folded >demo.svg
	echo "flame graph:  $out/demo.svg"
fi
awk '{ n = $NF; t += n; if ($0 ~ /;main;/) m += n }
	END { if (t) printf "under main:   %d of %d samples (%.1f%%)\n", m, t, 100 * m / t }' demo.folded
if command -v pd-collapse >/dev/null 2>&1; then
	echo "installed:    $(command -v pd-collapse) (and pd-diff, pd-svg, pd-top;" \
		"man pd-collapse)"
fi
echo "hottest stacks:"
awk '{ print $NF "\t  " $0 }' demo.folded | sort -rn | cut -f2- | head -5
if [ -x "$build/src/pd-top" ]; then
	echo "functions with the most samples of their own (pd-top):"
	"$build/src/pd-top" -n 5 demo.folded | sed 's/^/  /'
fi
