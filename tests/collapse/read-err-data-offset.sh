# err-data-offset.sh with the file read in blocks of about 1 KiB, as files of 64 MiB and up
# are read (in 1 MiB blocks), not mapped: the same output as err-data-offset.sh.
# (PD_DEBUG_READ_BLOCK: for the tests.)
export PD_DEBUG_READ_BLOCK=700
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
python3 ../tests/corrupt/patch-header.py perf/fp.data "$t/bad.data" data.offset=0x10000000 || exit 99
cd "$t" && pd-collapse bad.data
