pd-collapse --task-state perf/offcpu.data
pd-collapse --off-cpu --on-off-cpu perf/offcpu.data
pd-collapse --off-cpu --weight=period perf/offcpu.data
pd-collapse --off-cpu -e cpu-clock perf/offcpu.data
pd-collapse --on-off-cpu --field fd perf/offcpu.data
pd-collapse --off-cpu $(seq 33 | sed 's/.*/--field prev_pid/') perf/offcpu.data
