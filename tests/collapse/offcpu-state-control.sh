# A task-state name with a control character (here a newline for "S") in
# the recording's sched_switch format: shown as '_', not splitting lines.
# Kernel frames are named from the recording machine's kallsyms, and both
# sides sorted again: the renamed state may move a line past another.
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
nl=$(printf '\n.') && nl=${nl%.}
python3 ../tests/corrupt/patch-tracing.py perf/offcpu.data "$t/a.data" \
	"replace=1:\"S\":\"$nl\"" || exit 99
opts="-q --symfs bin --kallsyms perf/offcpu.kallsyms --off-cpu --task-state"
pd-collapse $opts perf/offcpu.data | sed 's/;\[S\] /;[_] /' |
	LC_ALL=C sort >"$t/want"
pd-collapse $opts "$t/a.data" | LC_ALL=C sort >"$t/got"
cmp "$t/want" "$t/got" && grep -c ';\[_\] ' "$t/got"
