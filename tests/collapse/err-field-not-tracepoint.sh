pd-collapse --field fd perf/fp.data
