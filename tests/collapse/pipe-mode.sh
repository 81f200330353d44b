pd-collapse --symfs bin <perf/fp-pipe.data
