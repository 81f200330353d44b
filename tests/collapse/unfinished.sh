# fp.data as perf record leaves it until it finishes: the data section's
# size 0 in the header, no feature sections after the data. Every sample
# folded, a warning, exit 0; --strict makes it 65.
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
end=$(python3 -c 'import struct,sys; o,n=struct.unpack_from("<2Q",open(sys.argv[1],"rb").read(56),40); print(o+n)' perf/fp.data) || exit 99
python3 ../tests/corrupt/patch-header.py perf/fp.data "$t/unfinished.data" data.size=0 "truncate=$end" || exit 99
cp -r bin "$t/" && cd "$t" && pd-collapse --symfs bin unfinished.data
pd-collapse --symfs bin --strict unfinished.data >/dev/null
echo "--strict: $?"
