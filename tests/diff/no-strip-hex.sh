pd-diff folded/hex1.folded folded/hex2.folded
