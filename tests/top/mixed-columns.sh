pd-top folded/diff.folded folded/top-calls.folded
