pd-collapse --off-cpu perf/fp.data
