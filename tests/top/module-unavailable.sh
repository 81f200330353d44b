pd-top -b module folded/top-calls.folded
