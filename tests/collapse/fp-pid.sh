pd-collapse --symfs bin --pid perf/fp.data
