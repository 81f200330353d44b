#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks pd-svg and pd-diff against flamegraph.pl and difffolded.pl on
# the same synthetic folded profiles (deterministic, >= 100k distinct stacks).
# usage: sh bench/svg.sh [BUILDDIR]  (default build)
# env: FLAMEGRAPH_PL, DIFFFOLDED_PL (else found on PATH), PD_BENCH_RUNS (3),
#      PD_BENCH_STACKS (120000), INFERNO_DIFF_FOLDED (else on PATH),
#      PD_DIFF_BASE (another pd-diff to compare with, e.g. an older build),
#      PD_BENCH_SVG=0 (pd-diff only)
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
# The same lines sorted by stack bytes, as pd-collapse writes them.
for name in ('before', 'after'):
    with open(name + '.folded', 'rb') as f:
        lines = f.read().splitlines(True)
    lines.sort(key=lambda l: l.rsplit(b' ', 1)[0])
    with open(name + '.sorted.folded', 'wb') as f:
        f.writelines(lines)
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

# pd-diff: hyperfine runs the commands in turn (PD_BENCH_RUNS each, after a
# warm-up), output to /dev/null; peak RSS from /usr/bin/time -f %M.
ifd=${INFERNO_DIFF_FOLDED:-$(command -v inferno-diff-folded || true)}
[ -n "$ifd" ] || echo "bench: inferno-diff-folded not found (set INFERNO_DIFF_FOLDED): skipped"
"$pd_diff" before.folded after.folded >pd.diff
"$pd_diff" before.sorted.folded after.sorted.folded >pd-sorted.diff
cmp -s pd.diff pd-sorted.diff && echo "pd-diff: the same output from sorted and unsorted inputs" \
	|| echo "bench: warning: pd-diff's outputs from sorted and unsorted inputs differ"
if [ -n "$dfp" ]; then
	perl "$dfp" before.folded after.folded | LC_ALL=C sort >pl.diff
	cmp -s pd.diff pl.diff && echo "pd-diff output equals sorted difffolded.pl output" \
		|| echo "bench: warning: pd-diff and difffolded.pl outputs differ"
fi
rss() { /usr/bin/time -f %M sh -c "$1 >/dev/null" 2>&1 | tail -1; }
set -- "pd-diff sorted|'$pd_diff' before.sorted.folded after.sorted.folded" \
	"pd-diff unsorted|'$pd_diff' before.folded after.folded"
[ -n "${PD_DIFF_BASE:-}" ] && set -- "$@" \
	"base pd-diff sorted|'$PD_DIFF_BASE' before.sorted.folded after.sorted.folded" \
	"base pd-diff unsorted|'$PD_DIFF_BASE' before.folded after.folded"
[ -n "$dfp" ] && set -- "$@" "difffolded.pl|perl '$dfp' before.folded after.folded"
[ -n "$ifd" ] && set -- "$@" "inferno-diff-folded|'$ifd' before.folded after.folded"
# hyperfine runs one command's runs back to back: rounds of 2 runs each,
# all commands per round, so that load from elsewhere falls on all alike.
if command -v hyperfine >/dev/null 2>&1; then
	rounds=$(((runs + 1) / 2))
	i=0
	while [ $i -lt $rounds ]; do
		for c in "$@"; do
			printf '%s\0' --command-name "${c%%|*}" "${c#*|}"
		done | xargs -0 hyperfine -N --warmup 1 --runs 2 --style none \
			--export-json "diff-$i.json" >/dev/null 2>&1 ||
			echo "bench: hyperfine failed"
		i=$((i + 1))
	done
	python3 - diff-*.json <<'PY'
import json, sys
times, user, system = {}, {}, {}
for path in sys.argv[1:]:
    for x in json.load(open(path))['results']:
        times.setdefault(x['command'], []).extend(x['times'])
        user.setdefault(x['command'], []).extend(x['user'] for _ in x['times'])
        system.setdefault(x['command'], []).extend(x['system'] for _ in x['times'])
mean = {c: sum(t) / len(t) for c, t in times.items()}
cpu = {c: (sum(user[c]) + sum(system[c])) / len(user[c]) for c in times}
ref = 'difffolded.pl'
for c in times:
    line = '%-24s mean %7.3f s (%d runs), CPU %.3f s' % (c, mean[c], len(times[c]), cpu[c])
    if ref in mean:
        line += '  %5.1fx wall, %5.1fx CPU vs difffolded.pl' % (mean[ref] / mean[c], cpu[ref] / cpu[c])
    print(line)
PY
	rm -f diff-*.json
fi
for c in "$@"; do
	printf '%-24s peak RSS %s KiB\n' "${c%%|*}" "$(rss "${c#*|}")"
done
echo "inputs: $(($(wc -c <before.folded) + $(wc -c <after.folded))) bytes"

# Several runs per side: 1, 2, 4 runs of STACKS/4 stacks (counts
# perturbed per run), sorted; time should grow linearly with the runs.
python3 - "$((stacks / 4))" <<'PY'
import sys
n = int(sys.argv[1])
lines = open('before.sorted.folded', 'rb').read().splitlines()[:n]
for side in ('b', 'n'):
    for k in range(4):
        with open('run-%s%d.folded' % (side, k), 'wb') as f:
            for i, l in enumerate(lines):
                s, c = l.rsplit(b' ', 1)
                f.write(b'%s %d\n' % (s, int(c) + (i * 7 + k * 3 + (side == 'n')) % 5))
PY
for r in 1 2 4; do
	bf= nf=
	k=0
	while [ $k -lt $r ]; do bf="$bf run-b$k.folded"; nf="$nf run-n$k.folded"; k=$((k + 1)); done
	t=$(best "'$pd_diff' $bf -- $nf")
	t2=$(best "'$pd_diff' --report r.json $bf -- $nf")
	echo "runs per side $r: pd-diff $t s, with --report $t2 s"
done
[ "${PD_BENCH_SVG:-1}" = 0 ] && exit 0

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
