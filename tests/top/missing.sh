pd-top folded/top-calls.folded nosuch.folded
