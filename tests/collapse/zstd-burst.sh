pd-collapse --list-events perf/zstd-burst.data
