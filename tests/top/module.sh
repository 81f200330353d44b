pd-top -b module folded/top-marks.folded
