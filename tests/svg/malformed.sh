pd-svg folded/simple.folded folded/decimal.folded
