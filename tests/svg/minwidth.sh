pd-svg --minwidth 120 folded/simple.folded | python3 ../tests/svg/frames.py
