pd-diff --fail-if 'oops' folded/before.folded folded/after.folded
