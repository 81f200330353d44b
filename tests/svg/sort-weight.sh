pd-svg --sort weight folded/weight.folded | python3 ../tests/svg/frames.py
