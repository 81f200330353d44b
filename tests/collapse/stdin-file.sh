cat perf/fp.data | pd-collapse --symfs bin
