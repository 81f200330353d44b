pd-top folded/top-hostile.folded
