# read-threads-dir.sh with the input blocks queued records may hold capped
# at 4 KiB (32 MiB otherwise): past a few blocks, records are copied into
# the queue's own instead (918 records of fp.data, 718 of threads-dir's),
# and both kinds are handed out in one order. The same output as threads-dir.sh.
# (PD_DEBUG_*: for the tests; unit/held checks which records are copied.)
export PD_DEBUG_READ_BLOCK=700 PD_DEBUG_HELD_MAX=4096
pd-collapse --symfs bin perf/threads-dir.data
