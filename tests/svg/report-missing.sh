pd-svg --report reports/nonexistent.json folded/runs.diff
