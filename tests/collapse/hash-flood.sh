# fp.data with 250000 samples added at distinct addresses outside any
# mapping, chosen so that pd_hash_u64 (unseeded) puts them all in one slot
# (hash-flood.py). Tables keyed by what a file says hash with a secret
# (pd_hash_key): the run takes well under a second (10 s allowed), where
# one slot took ~70 s on a 2-core machine (each insertion walks past all
# the others).
# Expected: fp.out (checked against perf script) and one line for the
# added samples, each a user stack of two unresolved frames.
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
python3 ../tests/collapse/hash-flood.py perf/fp.data 250000 >"$t/f.data" || exit 99
timeout 10 pd-collapse -q --symfs bin "$t/f.data"
