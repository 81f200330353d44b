# A pipe named as a file is read from its first byte (not peeked at for
# perf.data).
cat folded/top-calls.folded | pd-top -f tsv /dev/stdin
