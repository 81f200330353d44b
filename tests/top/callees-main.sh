pd-top --callees main -f markdown folded/top-calls.folded
