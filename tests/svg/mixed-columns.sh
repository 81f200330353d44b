pd-svg folded/diff.folded folded/simple.folded
