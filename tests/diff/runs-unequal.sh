pd-diff folded/run-base1.folded folded/run-base3.folded -- folded/run-new1.folded
