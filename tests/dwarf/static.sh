pd-collapse --symfs dwarf/bin dwarf/perf/static.data
