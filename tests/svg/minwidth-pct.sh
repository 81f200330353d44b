pd-svg --minwidth 15% folded/simple.folded | python3 ../tests/svg/frames.py
