pd-collapse -e sched:sched_switch --weight=prev_comm perf/offcpu.data
