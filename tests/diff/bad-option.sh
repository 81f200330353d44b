pd-diff --bogus folded/before.folded folded/after.folded
