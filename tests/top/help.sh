pd-top --help
