t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
python3 ../tests/corrupt/patch-header.py perf/fp.data "$t/bad.data" attr_size=0 || exit 99
cd "$t" && pd-collapse bad.data
