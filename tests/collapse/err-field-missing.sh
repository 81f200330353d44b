pd-collapse -e kmem:kmalloc --field nosuch perf/offcpu.data
