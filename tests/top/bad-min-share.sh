pd-top --min-share 101 folded/top-calls.folded
