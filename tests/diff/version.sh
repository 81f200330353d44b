pd-diff --version
