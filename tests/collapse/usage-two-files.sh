pd-collapse perf/fp.data perf/fp.data
