pd-diff folded/before.folded
