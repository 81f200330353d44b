pd-diff --normalize folded/half1.folded folded/half2.folded
