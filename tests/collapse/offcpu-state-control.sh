# A task-state name with a control character (here a newline for "S") in
# the recording's sched_switch format: shown as '_', not splitting lines.
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
nl=$(printf '\n.') && nl=${nl%.}
python3 ../tests/corrupt/patch-tracing.py perf/offcpu.data "$t/a.data" \
	"replace=1:\"S\":\"$nl\"" || exit 99
pd-collapse -q --off-cpu --task-state perf/offcpu.data |
	sed 's/;\[S\] /;[_] /' >"$t/want"
pd-collapse -q --off-cpu --task-state "$t/a.data" >"$t/got"
cmp "$t/want" "$t/got" && grep -c ';\[_\] ' "$t/got"
