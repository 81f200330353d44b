pd-diff folded/before.folded folded/decimal.folded
