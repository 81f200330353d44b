pd-collapse --symfs bin --weight=period perf/fp.data
