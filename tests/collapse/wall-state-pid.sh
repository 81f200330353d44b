pd-collapse --symfs bin --kallsyms perf/offcpu.kallsyms --on-off-cpu --task-state --pid perf/offcpu.data
