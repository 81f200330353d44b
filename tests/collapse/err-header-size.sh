t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
python3 ../tests/corrupt/patch-header.py perf/fp.data "$t/bad.data" size=12345 || exit 99
cd "$t" && pd-collapse bad.data
