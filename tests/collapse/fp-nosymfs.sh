# Without --symfs the binary is missing: frames are named after it.
pd-collapse -q perf/fp.data
