pd-collapse --symfs dwarf/bin --no-inline dwarf/perf/static.data
