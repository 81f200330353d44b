pd-collapse --symfs bin --kallsyms perf/offcpu.kallsyms -e sched:sched_switch --field next_comm perf/offcpu-pipe.data
