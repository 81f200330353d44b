pd-top --version
