pd-collapse --symfs bin --off-cpu perf/offcpu-noswitch.data
