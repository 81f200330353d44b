# pd-diff's report (testdata/diff/README.md, alpha 0.25): a shrank (blue), c
# grew (red), b, p and all not significant (grey).
pd-svg --report folded/runs-report.json folded/runs.diff | python3 ../tests/svg/frames.py
