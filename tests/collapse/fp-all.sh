pd-collapse --symfs bin --all perf/fp.data
