pd-collapse --on-off-cpu -e kmem:kmalloc perf/offcpu.data
