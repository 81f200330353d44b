pd-top --format markdown folded/top-calls.folded
