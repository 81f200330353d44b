pd-collapse --symfs dwarf/bin --all dwarf/perf/static.data
