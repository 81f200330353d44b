pd-collapse --symfs bin --kallsyms perf/offcpu.kallsyms --tid -e kmem:kmalloc --weight=bytes_alloc --field call_site perf/offcpu.data
