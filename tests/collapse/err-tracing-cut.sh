t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
p=../tests/corrupt/patch-tracing.py
python3 $p perf/offcpu.data "$t/a.data" cut=0x1000 &&
	python3 $p perf/offcpu.data "$t/b.data" format.1.size=0xffffffff &&
	python3 $p perf/offcpu.data "$t/c.data" garbage=1 &&
	python3 $p perf/offcpu-pipe.data "$t/d.data" systems=1000000 &&
	python3 $p perf/offcpu.data "$t/e.data" 'replace=1:long prev_state:long prev_statX' || exit 99
# e.data: libtraceevent 1.7 dereferences NULL on a __print_flags of a field
# the format does not declare; pd tries each format in a child first.
for f in a b c d e; do (cd "$t" && pd-collapse -q --off-cpu $f.data); echo "exit $?"; done
# Plain folding does not need the tracing data.
pd-collapse -q --symfs bin -e cpu-clock:u "$t/a.data" >"$t/a.folded" &&
	pd-collapse -q --symfs bin -e cpu-clock:u perf/offcpu.data >"$t/ok.folded" &&
	cmp "$t/a.folded" "$t/ok.folded" && echo "cpu-clock:u folded as before"
