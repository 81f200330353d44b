pd-svg folded/nonexistent.folded
