pd-collapse --no-such-option perf/fp.data
