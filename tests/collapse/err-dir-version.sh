t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
cp -r perf/threads-dir.data "$t/d.data" && python3 ../tests/corrupt/patch-header.py perf/threads-dir.data/data "$t/d.data/data" feature.24.u64=2 || exit 99
cd "$t" && pd-collapse d.data
