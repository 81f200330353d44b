pd-svg --report folded/runs-report.json folded/simple.folded
