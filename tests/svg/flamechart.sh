pd-svg --flamechart folded/chart.folded | python3 ../tests/svg/frames.py
