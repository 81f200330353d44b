pd-collapse --symfs bin --kallsyms perf/offcpu.kallsyms --tid -e syscalls:sys_enter_write --field fd --field count perf/offcpu.data
