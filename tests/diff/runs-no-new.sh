pd-diff folded/run-base1.folded folded/run-base2.folded --
