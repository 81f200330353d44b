# Two inputs whose counts together do not fit 64 bits.
pd-top folded/huge-count.folded folded/huge-count.folded
