pd-svg --version
