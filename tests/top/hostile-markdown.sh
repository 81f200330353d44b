pd-top -f markdown folded/top-hostile.folded
