pd-diff --fail-if '(:+1' folded/before.folded folded/after.folded
