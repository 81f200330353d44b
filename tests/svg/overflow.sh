# Two inputs whose counts together do not fit 64 bits.
pd-svg folded/huge-count.folded folded/huge-count.folded
