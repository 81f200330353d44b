pd-diff --report r.txt folded/before.folded folded/after.folded
