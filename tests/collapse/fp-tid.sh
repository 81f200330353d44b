pd-collapse --symfs bin --tid perf/fp.data
