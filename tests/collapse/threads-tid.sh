pd-collapse --symfs bin --tid perf/threads.data
