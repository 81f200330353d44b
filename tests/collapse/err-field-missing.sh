pd-collapse -e kmem:kmalloc --field nosuch perf/offcpu.data
pd-collapse --off-cpu --field nosuch perf/offcpu.data
