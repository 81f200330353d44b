t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
cp -r perf/threads-dir.data "$t/d.data" && truncate -s -100 "$t/d.data/data.1" || exit 99
cd "$t" && pd-collapse -q d.data
