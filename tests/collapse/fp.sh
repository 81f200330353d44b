pd-collapse --symfs bin perf/fp.data
