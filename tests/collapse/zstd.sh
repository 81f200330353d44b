pd-collapse --symfs bin perf/fp-zstd.data
