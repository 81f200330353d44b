pd-diff -- folded/before.folded folded/after.folded
