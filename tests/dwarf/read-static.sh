# static.sh with the file read 700 bytes at a time, as files of 64 MiB and up
# are read (in 1 MiB blocks), not mapped: the same output as static.sh.
# PD_DEBUG_READ_BLOCK works in debug builds.
export PD_DEBUG_READ_BLOCK=700
pd-collapse --symfs dwarf/bin dwarf/perf/static.data
