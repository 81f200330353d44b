# Default: the first event that has samples (cpu-clock:u).
pd-collapse --symfs bin perf/two-events.data
