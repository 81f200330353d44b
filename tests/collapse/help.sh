pd-collapse --help
