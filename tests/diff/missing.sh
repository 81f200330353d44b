pd-diff folded/before.folded folded/nonexistent.folded
