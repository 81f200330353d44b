# The group's other counter: a sample per leader's sample, weighing what
# task-clock counted since its last value.
pd-collapse --symfs bin --event task-clock:u --weight=period perf/sample-read.data
