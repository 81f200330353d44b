pd-svg --width 12x folded/simple.folded
