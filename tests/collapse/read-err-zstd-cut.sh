# err-zstd-cut.sh with the file read in blocks of about 1 KiB, as files of 64 MiB and up
# are read (in 1 MiB blocks), not mapped: the same output as err-zstd-cut.sh.
# (PD_DEBUG_READ_BLOCK: for the tests.)
export PD_DEBUG_READ_BLOCK=700
# fp-zstd.data with its last COMPRESSED record one byte short (sizes fixed up).
pd-collapse --symfs bin perf/zstd-cut.data
