# err-dir-cut.sh with the file read in blocks of about 1 KiB, as files of 64 MiB and up
# are read (in 1 MiB blocks), not mapped: the same output as err-dir-cut.sh.
# (PD_DEBUG_READ_BLOCK: for the tests.)
export PD_DEBUG_READ_BLOCK=700
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
cp -r perf/threads-dir.data "$t/d.data" && truncate -s -100 "$t/d.data/data.1" || exit 99
cd "$t" && pd-collapse -q d.data
