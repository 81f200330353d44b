pd-collapse --weight=cycles perf/fp.data
