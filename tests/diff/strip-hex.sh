pd-diff -s folded/hex1.folded folded/hex2.folded
