# Indirect recursion main;eval;apply;eval: eval's callers main and apply, callees apply and alloc.
pd-top --callers eval --callees eval -f tsv folded/top-calls.folded
