# 7 lost events and 5 lost samples injected: summarised; --strict exits 65.
python3 ../tests/collapse/inject-lost.py perf/fp.data 7 5 | pd-collapse --strict --symfs bin >/dev/null
