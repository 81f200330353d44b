pd-top folded/top-calls.folded
