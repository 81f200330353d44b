pd-diff --alpha 0.25 --fail-above 5 folded/run-base1.folded folded/run-base2.folded -- folded/run-new1.folded folded/run-new2.folded
