# Leader sampling ({cpu-clock:u,task-clock:u}:S, PERF_SAMPLE_READ): the
# leader's samples.
pd-collapse --symfs bin perf/sample-read.data
