pd-collapse --list-events perf/two-events.data
