pd-collapse --symfs bin --event task-clock:u perf/two-events.data
