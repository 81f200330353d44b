#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks pd-svg and pd-diff against flamegraph.pl and difffolded.pl on
# the same synthetic folded profiles (deterministic, >= 100k distinct stacks).
# usage: sh bench/svg.sh [BUILDDIR]  (default build)
# env: FLAMEGRAPH_PL, DIFFFOLDED_PL (else found on PATH), PD_BENCH_RUNS (3),
#      PD_BENCH_STACKS (120000)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=$build/bench
runs=${PD_BENCH_RUNS:-3}
stacks=${PD_BENCH_STACKS:-120000}
mkdir -p "$out"
cd "$out"

fg=${FLAMEGRAPH_PL:-$(command -v flamegraph.pl || true)}
dfp=${DIFFFOLDED_PL:-$(command -v difffolded.pl || true)}
[ -n "$fg" ] || echo "bench: flamegraph.pl not found (set FLAMEGRAPH_PL): skipped"
[ -n "$dfp" ] || echo "bench: difffolded.pl not found (set DIFFFOLDED_PL): skipped"

# Two related profiles: a tree of ~6000 function names, shallow frames shared
# widely, deep ones rarely; "after" drops ~10% of the stacks, adds ~10% new
# ones and changes counts. A fixed LCG keeps the bytes identical everywhere.
python3 - "$stacks" <<'PY'
import sys
n = int(sys.argv[1])
state = 12345
def rnd():
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
    return state >> 33
comms = ['java', 'nginx', 'postgres', 'python3', 'rustc', 'bash', 'node', 'ld']
def stack():
    frames = [comms[rnd() % len(comms)]]
    depth = 6 + rnd() % 30
    prev = rnd() % 50
    for i in range(depth):
        width = 4 + i * i  # more branching deeper down
        prev = (prev * 31 + rnd() % width) % 6000
        frames.append('mod%d::func_%d' % (prev % 40, prev))
    return ';'.join(frames)
seen = {}
while len(seen) < n:
    s = stack()
    if s not in seen:
        c = rnd() % 100 + 1 if rnd() % 10 == 0 else rnd() % 5 + 1
        seen[s] = c
with open('before.folded', 'w') as b, open('after.folded', 'w') as a:
    for s, c in seen.items():
        b.write('%s %d\n' % (s, c))
        r = rnd() % 10
        if r == 0:
            continue  # gone in "after"
        a.write('%s %d\n' % (s, c if r < 5 else c * (1 + rnd() % 3)))
        if r == 9:
            a.write('%s;new_%d %d\n' % (s, rnd() % 100, 1 + rnd() % 5))
PY
echo "inputs: $(wc -l <before.folded) stacks ($(wc -c <before.folded) bytes)," \
	"$(wc -l <after.folded) stacks ($(wc -c <after.folded) bytes)"

# Best of $runs wall-clock seconds of "sh -c CMD".
best() {
	b=
	i=0
	while [ $i -lt "$runs" ]; do
		t0=$(date +%s.%N)
		sh -c "$1" >/dev/null
		t1=$(date +%s.%N)
		b=$(echo "$t0 $t1 ${b:-1e9}" | awk '{t = $2 - $1; print (t < $3 ? t : $3)}')
		i=$((i + 1))
	done
	echo "$b"
}

pd_svg=$build/src/pd-svg
pd_diff=$build/src/pd-diff
row() { # label, pd seconds, perl seconds, pd bytes, perl bytes
	awk -v l="$1" -v a="$2" -v b="$3" -v c="$4" -v d="$5" 'BEGIN {
		printf "%-26s pd %8.3f s  perl %8.3f s  speedup %6.1fx", l, a, b, b / a
		if (c != "") printf "  size pd %d perl %d (%.2f)", c, d, c / d
		printf "\n" }'
}

# Runs are interleaved, pd then perl, so both see the same machine load.
"$pd_diff" before.folded after.folded >pd.diff
if [ -n "$dfp" ]; then
	perl "$dfp" before.folded after.folded | sort >pl.diff
	cmp -s pd.diff pl.diff && echo "pd-diff output equals sorted difffolded.pl output" \
		|| echo "bench: warning: pd-diff and difffolded.pl outputs differ"
	t_pd=$(best "'$pd_diff' before.folded after.folded")
	t_pl=$(best "perl '$dfp' before.folded after.folded")
	row "diff (pd-diff)" "$t_pd" "$t_pl" "" ""
fi

for mw in 0.1 1; do
	"$pd_svg" --minwidth $mw before.folded >pd-$mw.svg
	if [ -n "$fg" ]; then
		perl "$fg" --hash --minwidth $mw before.folded >pl-$mw.svg
		t_pd=$(best "'$pd_svg' --minwidth $mw before.folded")
		t_pl=$(best "perl '$fg' --hash --minwidth $mw before.folded")
		row "svg --minwidth $mw" "$t_pd" "$t_pl" \
			"$(wc -c <pd-$mw.svg)" "$(wc -c <pl-$mw.svg)"
	fi
done

"$pd_svg" pd.diff >pd-diff.svg
if [ -n "$fg" ]; then
	perl "$fg" --hash pd.diff >pl-diff.svg
	t_pd=$(best "'$pd_svg' pd.diff")
	t_pl=$(best "perl '$fg' --hash pd.diff")
	row "differential svg" "$t_pd" "$t_pl" \
		"$(wc -c <pd-diff.svg)" "$(wc -c <pl-diff.svg)"
fi
echo "frames drawn: pd $(grep -c '^<g><title>' pd-0.1.svg) (--minwidth 0.1)"
