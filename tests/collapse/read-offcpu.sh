# offcpu.sh with the file read in blocks of about 1 KiB, as files of 64 MiB and up
# are read (in 1 MiB blocks), not mapped: the same output as offcpu.sh.
# (PD_DEBUG_READ_BLOCK: for the tests.)
export PD_DEBUG_READ_BLOCK=700
pd-collapse --symfs bin --kallsyms perf/offcpu.kallsyms --off-cpu perf/offcpu.data
