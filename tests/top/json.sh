pd-top -f json folded/top-calls.folded
