pd-collapse -q --addrs perf/fp.data
