pd-collapse --symfs bin --kallsyms perf/offcpu.kallsyms --off-cpu --task-state --tid perf/offcpu.data
