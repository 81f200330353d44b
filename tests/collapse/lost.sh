# The same losses without --strict: summarised, exit 0.
python3 ../tests/collapse/inject-lost.py perf/fp.data 7 5 | pd-collapse --symfs bin | wc -l
