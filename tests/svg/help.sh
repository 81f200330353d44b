pd-svg --help
