#!/bin/sh
# SPDX-License-Identifier: MIT
# Live test of pd-diff's gate: records testdata/src/diff-work.c twice per
# side, where the new side gives its function extra() 8 times as much work
# (extra's total share grows from 11.8% to 51.6% of the work: steady() and
# extra() run one loop, spin(), so their shares are those of their work),
# and requires that --fail-above 5 fails (exit 1) naming extra, and passes
# (exit 0) on two sides recorded alike.
# usage: diff-gate.sh   (env: PD_BUILDDIR, PD_SRCDIR, PD_WORKDIR)
# Exit 0 pass, 1 fail, 77 skip (perf, cc or permissions missing), 99 setup.
set -u
build=${PD_BUILDDIR:?PD_BUILDDIR must name the build directory}
src=${PD_SRCDIR:?PD_SRCDIR must name the source tree}
work=${PD_WORKDIR:-${TMPDIR:-/tmp}}/live-diff-gate
rate=${PD_LIVE_FREQ:-10000}

. "$src/tests/live-common.sh"

"$CC" -O2 -g -fno-omit-frame-pointer -o bin/diff-work \
	"$src/testdata/src/diff-work.c" || exit 99

# run NAME K: record diff-work K and fold it into NAME.folded.
run() {
	# User space only: the kernel's share (interrupts, page faults) moves
	# with the machine's load, the program's own split does not.
	perf_record "$1.data" -F "$rate" -g -e cpu-clock --all-user -- \
		bin/diff-work "$2"
	"$build/src/pd-collapse" --no-inline "$1.data" >"$1.folded" ||
		fail "pd-collapse $1.data"
	echo "$1: $(awk '{n += $NF} END {print n}' "$1.folded") samples"
}
run base1 1
run base2 1
run new1 8
run new2 8
run same1 1
run same2 1

"$build/src/pd-diff" --fail-above 5 --report regress.md \
	base1.folded base2.folded -- new1.folded new2.folded >regress.diff 2>regress.err
st=$?
cat regress.err
grep -E '^\| (extra|steady) ' regress.md
[ $st = 1 ] || fail "pd-diff --fail-above 5 exited $st on the regression, expected 1"
# extra's total shares are those of its work: 40/340 and 320/620.
awk -F'|' '$2 == " extra " {
	split($9, b, " "); split($10, n, " ")
	ok = b[1] > 9.8 && b[1] < 13.8 && n[1] > 48.6 && n[1] < 54.6
	printf "extra total share: base %s%%, new %s%% (work: 11.8%%, 51.6%%)\n", b[1], n[1]
	found = 1
	exit !ok
} END { if (!found) exit 1 }' regress.md ||
	fail "extra's total shares are not those of its work (11.8% and 51.6%, +-2 and +-3)"
grep -q '^pd-diff: extra: \(self\|total\) share grew' regress.err ||
	fail "the gate did not name extra"
echo "regression: exit 1, extra flagged"

"$build/src/pd-diff" --fail-above 5 --report same.md \
	base1.folded base2.folded -- same1.folded same2.folded >same.diff 2>same.err
st=$?
cat same.err
grep -E '^\| (extra|steady) ' same.md
[ $st = 0 ] || fail "pd-diff --fail-above 5 exited $st on identical sides, expected 0"
echo "identical sides: exit 0"
