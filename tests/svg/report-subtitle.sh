pd-svg --subtitle 'five runs' --report folded/runs-report.json folded/runs.diff | python3 ../tests/svg/frames.py | grep subtitle
