pd-collapse --version
