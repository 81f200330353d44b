pd-top --nosuch folded/top-calls.folded
