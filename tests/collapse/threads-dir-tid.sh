pd-collapse --symfs bin --tid perf/threads-dir.data
