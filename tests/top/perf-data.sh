pd-top perf/fp.data
