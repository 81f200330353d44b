# fp-pipe.data without its last record, the FINISHED_ROUND perf record
# ends with (as perf inject leaves its streams): every sample folded, a
# warning, exit 0; --strict makes it 65.
head -c -8 perf/fp-pipe.data | pd-collapse --symfs bin
head -c -8 perf/fp-pipe.data | pd-collapse --symfs bin --strict >/dev/null
echo "--strict: $?"
