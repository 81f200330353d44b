# static.sh with the file read in blocks of about 1 KiB, as files of 64 MiB and up
# are read (in 1 MiB blocks), not mapped: the same output as static.sh.
# (PD_DEBUG_READ_BLOCK: for the tests.)
export PD_DEBUG_READ_BLOCK=700
pd-collapse --symfs dwarf/bin dwarf/perf/static.data
