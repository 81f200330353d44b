pd-svg --reverse folded/simple.folded | python3 ../tests/svg/frames.py
