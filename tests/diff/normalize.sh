pd-diff -n folded/before.folded folded/after.folded
