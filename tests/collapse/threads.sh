pd-collapse --symfs bin perf/threads.data
