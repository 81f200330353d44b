pd-top --callers nosuch folded/top-calls.folded
