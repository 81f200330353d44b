pd-collapse --off-cpu perf/tracepoint.data
