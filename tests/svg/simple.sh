pd-svg folded/simple.folded
