pd-diff folded/run-base1.folded - -- folded/run-new1.folded folded/run-new2.folded < folded/run-base2.folded
