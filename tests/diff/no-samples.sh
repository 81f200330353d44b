pd-diff --fail-above 1 folded/before.folded folded/empty.folded
