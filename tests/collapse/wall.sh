pd-collapse --symfs bin --kallsyms perf/offcpu.kallsyms --on-off-cpu perf/offcpu.data
