# fp-zstd.data with its last COMPRESSED record one byte short (sizes fixed up).
pd-collapse --symfs bin perf/zstd-cut.data
