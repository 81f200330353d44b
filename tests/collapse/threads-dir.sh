pd-collapse --symfs bin perf/threads-dir.data
