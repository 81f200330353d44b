pd-collapse --symfs bin --kallsyms perf/offcpu.kallsyms --off-cpu - < perf/offcpu-pipe.data
