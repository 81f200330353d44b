pd-collapse perf/no-such.data
