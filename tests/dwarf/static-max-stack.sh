pd-collapse --symfs dwarf/bin --max-stack 4 --verbose dwarf/perf/static.data
