pd-collapse --list-events --verbose perf/offcpu.data
