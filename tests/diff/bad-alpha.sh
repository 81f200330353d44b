pd-diff --alpha 1 folded/before.folded folded/after.folded
