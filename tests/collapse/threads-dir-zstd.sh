pd-collapse --symfs bin perf/threads-dir-zstd.data
